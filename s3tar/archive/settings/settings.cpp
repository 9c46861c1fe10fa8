#include "s3tar/archive/settings/settings.h"

#include <algorithm>
#include <set>

#include "s3tar/errors.h"

namespace s3tar::settings {
namespace {

// Names of the values in each origin: {flag, config field}.
struct Name {
  const char* flag;
  const char* field;
};
constexpr Name kSizeLimit{"--size-limit", "size_limit"};
constexpr Name kPartSize{"--part-size", "part_size"};
constexpr Name kMinPart{"--min-part-size", "limits.min_part_size"};
constexpr Name kMaxPart{"--server-max-part-size", "limits.max_part_size"};
constexpr Name kPartSizeCap{"--max-part-size", "part_size_cap"};
constexpr Name kMaxParts{"--max-parts", "limits.max_parts"};
constexpr Name kMaxObject{"--max-object-size", "limits.max_object_size"};
constexpr Name kFormat{"--format", "format"};
constexpr Name kStorageClass{"--storage-class", "storage_class"};
constexpr Name kSse{"--sse", "encryption.sse"};
constexpr Name kKmsKey{"--kms-key-id", "encryption.kms_key_id"};
constexpr Name kTags{"--tagging", "tags"};
constexpr Name kConcurrency{"--concurrency", "concurrency"};

class Checker {
 public:
  explicit Checker(const SettingsInput& in) : in_(in) {}
  [[noreturn]] void fail(const Name& n, const std::string& problem) const {
    if (in_.origin == Origin::Flags) throw UsageError(std::string(n.flag) + ": " + problem);
    throw UsageError(in_.config_name + ": " + n.field + ": " + problem);
  }
  std::string name(const Name& n) const { return in_.origin == Origin::Flags ? n.flag : n.field; }

 private:
  const SettingsInput& in_;
};

void validate(const SettingsInput& in, const plan::Limits& limits) {
  const Checker c(in);
  if (in.concurrency < 1 || in.concurrency > 1024) c.fail(kConcurrency, "must be from 1 to 1024");
  if (limits.min_part == 0) c.fail(kMinPart, "must be positive");
  if (limits.max_part < 2 * limits.min_part)
    c.fail(kMaxPart, "must be at least twice " + c.name(kMinPart) + " (" + std::to_string(limits.max_part) +
                         " < 2 * " + std::to_string(limits.min_part) + ")");
  if (limits.max_parts < 2) c.fail(kMaxParts, "must be at least 2");
  if (limits.max_object < 2 * limits.min_part)
    c.fail(kMaxObject, "must be at least twice the minimum part size");
  if (in.part_size_cap && (*in.part_size_cap < limits.min_part || *in.part_size_cap > limits.max_part))
    c.fail(kPartSizeCap, "must be from the minimum part size (" + std::to_string(limits.min_part) +
                             ") to the maximum part size (" + std::to_string(limits.max_part) + ")");
  if (in.part_size && (*in.part_size < limits.min_part || *in.part_size > limits.max_part))
    c.fail(kPartSize, "must be from the minimum part size (" + std::to_string(limits.min_part) +
                          ") to the maximum part size (" + std::to_string(limits.max_part) + ")");
  // Smaller limits make an archive per object or two: never what anyone wants from a tar.
  if (in.size_limit != 0 && in.size_limit < limits.min_part)
    c.fail(kSizeLimit, "must be 0 (no limit) or at least the minimum part size (" +
                           std::to_string(limits.min_part) + " bytes)");
  if (in.format != "pax" && in.format != "gnu")
    c.fail(kFormat, "must be pax or gnu, not '" + in.format + "'");
  if (!known_storage_class(in.storage_class))
    c.fail(kStorageClass,
           "'" + in.storage_class + "' is not an S3 storage class (e.g. DEEP_ARCHIVE, GLACIER)");
  if (!in.sse.empty() && in.sse != "AES256" && in.sse != "aws:kms" && in.sse != "aws:kms:dsse")
    c.fail(kSse, "must be AES256, aws:kms or aws:kms:dsse, not '" + in.sse + "'");
  if (!in.kms_key_id.empty() && in.sse == "AES256") c.fail(kKmsKey, "needs aws:kms or aws:kms:dsse");
  if (in.tags.size() > 10) c.fail(kTags, "S3 allows at most 10 tags per object");
  for (const auto& [k, v] : in.tags) {
    if (k.empty() || k.size() > 128) c.fail(kTags, "tag keys must have 1 to 128 characters");
    if (v.size() > 256) c.fail(kTags, "tag values must have at most 256 characters ('" + k + "')");
  }
}

// The planner's limits are the server's; a cap lowers them for what s3tar makes: assembled parts
// (target and its growth bound) and copied ranges, which need at least 2 * min_part to split.
void apply_part_size_cap(plan::Options& p, std::uint64_t cap) {
  p.upload_part_target = std::min(p.upload_part_target, cap);
  p.max_upload_part_target = std::min(p.max_upload_part_target, cap);
  p.limits.max_part = std::min(p.limits.max_part, std::max(cap, 2 * p.limits.min_part));
}

}  // namespace

void check_key_segments(std::string_view key, const std::string& what) {
  for (std::size_t start = 0; start <= key.size();) {
    const std::size_t end = std::min(key.find('/', start), key.size());
    const std::string_view segment = key.substr(start, end - start);
    if (segment == ".." || segment == ".")
      throw UsageError(what + " must not have a '" + std::string(segment) +
                       "' path segment (it would climb out of the destination prefix)");
    start = end + 1;
  }
}

bool known_storage_class(const std::string& c) {
  static const std::set<std::string> classes = {
      "STANDARD", "REDUCED_REDUNDANCY", "STANDARD_IA", "ONEZONE_IA", "INTELLIGENT_TIERING",
      "GLACIER",  "DEEP_ARCHIVE",       "GLACIER_IR",  "OUTPOSTS",   "EXPRESS_ONEZONE"};
  return classes.count(c) > 0;
}

Settings make_settings(const SettingsInput& in) {
  plan::Limits limits;
  if (in.min_part_size) limits.min_part = *in.min_part_size;
  if (in.max_part_size) limits.max_part = *in.max_part_size;
  if (in.max_parts) limits.max_parts = *in.max_parts;
  if (in.max_object_size) limits.max_object = *in.max_object_size;
  validate(in, limits);

  Settings s;
  s.connection = in.connection;
  s.connection.max_in_flight = in.concurrency;

  exec::WriteRequest& w = s.write;
  w.plan.limits = limits;
  if (in.part_size) w.plan.upload_part_target = *in.part_size;
  if (in.part_size_cap) apply_part_size_cap(w.plan, *in.part_size_cap);
  w.plan.format = in.format == "gnu" ? tar::Format::Gnu : tar::Format::Pax;
  w.plan.size_limit = in.size_limit;
  w.exec.write.storage_class = in.storage_class;
  w.exec.write.content_type = "application/x-tar";
  w.exec.write.sse = in.kms_key_id.empty() || !in.sse.empty() ? in.sse : std::string("aws:kms");
  w.exec.write.kms_key_id = in.kms_key_id;
  w.exec.write.bucket_key = in.bucket_key;
  w.exec.write.tags = in.tags;
  w.exec.max_parts_in_flight = in.concurrency;
  w.exec.max_upload_parts_in_flight = std::min<std::size_t>(kUploadPartsInMemory, in.concurrency);
  w.skip_unreadable = in.skip_unreadable;
  w.exec.spool_limit = in.spool_limit;
  s.volumes_in_flight = std::min(kVolumesInFlight, in.concurrency);
  return s;
}

exec::WriteRequest volume_write(const Settings& s) {
  exec::WriteRequest w = s.write;
  const std::size_t volumes = std::max(1u, s.volumes_in_flight);
  w.exec.max_upload_parts_in_flight = std::max<std::size_t>(1, w.exec.max_upload_parts_in_flight / volumes);
  w.exec.spool_limit /= volumes;
  return w;
}

}  // namespace s3tar::settings
