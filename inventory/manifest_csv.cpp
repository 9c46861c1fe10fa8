#include "inventory/manifest_csv.h"

#include <istream>
#include <ostream>
#include <unordered_map>

#include "inventory/csv_gz.h"
#include "inventory/encoding.h"
#include "inventory/errors.h"
#include "inventory/filter.h"

namespace s3tar::inventory {
namespace {

constexpr std::string_view kUtf8Bom = "\xEF\xBB\xBF";
constexpr std::size_t kMaxKeyBytes = 1024;  // S3's limit on object key length
constexpr std::size_t kMaxEtagBytes = 128;
constexpr std::size_t kMaxVersionIdBytes = 1024;

// Feeds `in` to a CsvStream chunk by chunk, without a leading UTF-8 byte order mark (which
// spreadsheet programs write and which would otherwise become part of the first bucket name).
void parse_stream(std::istream& in, CsvStream& csv) {
  std::vector<char> buf(64 << 10);
  bool first = true;
  while (in) {
    in.read(buf.data(), static_cast<std::streamsize>(buf.size()));
    auto n = static_cast<std::size_t>(in.gcount());
    const char* data = buf.data();
    if (first && n >= kUtf8Bom.size() && std::string_view(data, kUtf8Bom.size()) == kUtf8Bom) {
      data += kUtf8Bom.size();
      n -= kUtf8Bom.size();
    }
    first = false;
    if (n > 0) csv.feed(data, n);
  }
  if (in.bad()) throw StoreError("read error");
  csv.finish();
}

// The checks every manifest row gets before any request is made: a bucket S3 could hold, a key
// S3 could store, and fields of sane length (they end up in log lines and requests).
void check_object(const std::string& name, std::uint64_t line, const std::string& bucket,
                  const std::string& key) {
  if (bucket.empty() || key.empty()) throw BadRowError(name, line, "empty bucket or key");
  if (!valid_bucket_name(bucket))
    throw BadRowError(name, line,
                      "invalid bucket name \"" + abbreviate(bucket) +
                          "\" (a bucket name is 1-255 letters, digits, '.', '-' or '_')");
  if (key.size() > kMaxKeyBytes)
    throw BadRowError(name, line,
                      "key of " + std::to_string(key.size()) + " bytes is longer than S3's limit of " +
                          std::to_string(kMaxKeyBytes) + " bytes: \"" + abbreviate(key) + "\"");
}

// Remembers each object's first line: a second row for the same object is an error (the
// archive would hold it twice, and a tar extractor keeps only the last of two equal names).
class DuplicateCheck {
 public:
  void add(const std::string& name, std::uint64_t line, const std::string& bucket, const std::string& key,
           const std::string& version_id = {}) {
    std::string id = bucket;
    id.push_back('\0');
    id += key;
    id.push_back('\0');
    id += version_id;
    const auto [it, inserted] = first_line_.emplace(std::move(id), line);
    if (!inserted)
      throw BadRowError(name, line,
                        "s3://" + bucket + "/" + abbreviate(key) +
                            (version_id.empty() ? "" : " version " + abbreviate(version_id)) +
                            " is listed twice (first on line " + std::to_string(it->second) + ")");
  }

 private:
  std::unordered_map<std::string, std::uint64_t> first_line_;
};

}  // namespace

// S3 bucket names as the AWS SDKs check them before sending a request (botocore's
// VALID_BUCKET: 1-255 letters, digits, '.', '-', '_'; the stricter DNS rules apply to new
// buckets only, and older us-east-1 buckets may use the rest).
bool valid_bucket_name(std::string_view b) {
  if (b.empty() || b.size() > 255) return false;
  for (char c : b) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
                    c == '-' || c == '_';
    if (!ok) return false;
  }
  return true;
}

std::string csv_field(std::string_view v) {
  const bool quote =
      v.find_first_of(",\"\r\n") != std::string_view::npos ||
      (!v.empty() && (v.front() == ' ' || v.back() == ' ' || v.front() == '\t' || v.back() == '\t'));
  if (!quote) return std::string(v);
  std::string out;
  out.reserve(v.size() + 2);
  out.push_back('"');
  for (char c : v) {
    if (c == '"') out.push_back('"');
    out.push_back(c);
  }
  out.push_back('"');
  return out;
}

void ManifestCsvWriter::write(const InventoryObject& o) { write(o.bucket, o.key, o.size, o.etag); }

void ManifestCsvWriter::write(std::string_view bucket, std::string_view key, std::uint64_t size,
                              std::string_view etag) {
  out_ << csv_field(bucket) << ',' << csv_field(key) << ',' << size << ',' << csv_field(etag) << '\n';
}

void read_manifest_csv(std::istream& in, const std::string& name,
                       const std::function<void(ManifestCsvEntry&&)>& on_entry,
                       const ManifestCsvOptions& options) {
  DuplicateCheck duplicates;
  CsvStream csv(
      [&](std::span<const std::string_view> f, std::uint64_t line) {
        if (line == 1 && options.skip_header) return;
        if (f.size() < 3 || f.size() > 5) {
          throw BadRowError(name, line,
                            "expected bucket,key,size[,etag[,last_modified]], got " +
                                std::to_string(f.size()) + " columns");
        }
        ManifestCsvEntry e;
        e.bucket = f[0];
        e.key = options.url_decode ? form_decode(f[1]) : std::string(f[1]);
        check_object(name, line, e.bucket, e.key);
        if (!parse_size(f[2], e.size))
          throw BadRowError(name, line, "size is not a byte count: \"" + abbreviate(f[2]) + "\"");
        if (f.size() >= 4) e.etag = f[3];
        if (e.etag.size() > kMaxEtagBytes)
          throw BadRowError(name, line,
                            "ETag of " + std::to_string(e.etag.size()) + " bytes is not an ETag: \"" +
                                abbreviate(e.etag) + "\"");
        if (f.size() == 5 && !f[4].empty()) {
          std::int64_t t = 0;
          if (!parse_timestamp(f[4], t))
            throw BadRowError(
                name, line,
                "last_modified is not a time like 2025-11-20T13:45:07.000Z: \"" + abbreviate(f[4]) + "\"");
          e.last_modified = t;
        }
        duplicates.add(name, line, e.bucket, e.key);
        on_entry(std::move(e));
      },
      name);
  parse_stream(in, csv);
}

std::vector<ManifestCsvEntry> read_manifest_csv(std::istream& in, const std::string& name,
                                                const ManifestCsvOptions& options) {
  std::vector<ManifestCsvEntry> out;
  read_manifest_csv(
      in, name, [&](ManifestCsvEntry&& e) { out.push_back(std::move(e)); }, options);
  return out;
}

void read_batch_manifest_csv(std::istream& in, const std::string& name,
                             const std::function<void(BatchManifestEntry&&)>& on_entry) {
  DuplicateCheck duplicates;
  CsvStream csv(
      [&](std::span<const std::string_view> f, std::uint64_t line) {
        if (f.size() < 2 || f.size() > 3) {
          throw BadRowError(name, line,
                            "expected bucket,key[,versionId], got " + std::to_string(f.size()) + " columns");
        }
        BatchManifestEntry e;
        e.bucket = f[0];
        e.key = form_decode(f[1]);
        check_object(name, line, e.bucket, e.key);
        if (f.size() == 3) e.version_id = f[2];
        if (e.version_id.size() > kMaxVersionIdBytes)
          throw BadRowError(name, line,
                            "version id of " + std::to_string(e.version_id.size()) +
                                " bytes is not a version id: \"" + abbreviate(e.version_id) + "\"");
        duplicates.add(name, line, e.bucket, e.key, e.version_id);
        on_entry(std::move(e));
      },
      name);
  parse_stream(in, csv);
}

std::vector<BatchManifestEntry> read_batch_manifest_csv(std::istream& in, const std::string& name) {
  std::vector<BatchManifestEntry> out;
  read_batch_manifest_csv(in, name, [&](BatchManifestEntry&& e) { out.push_back(std::move(e)); });
  return out;
}

}  // namespace s3tar::inventory
