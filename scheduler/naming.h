// Pure helpers of the daily job: the target date, archive and report names, shards, and the
// decision whether a volume is already complete.
#pragma once

#include <boost/date_time/gregorian/gregorian_types.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "inventory/timezone.h"

namespace s3tar::scheduler {

// "2025-11-20" -> the date; throws UsageError naming `what` for anything else.
boost::gregorian::date parse_date(std::string_view text, const std::string& what = "--date");

// The day before the local date at `now` (unix seconds) in `zone`: the day the job archives.
boost::gregorian::date target_date(std::int64_t now, const inventory::TimeZone& zone);

// The variables a naming template may use.
struct NameVars {
  std::string prefix;         // destination prefix, no trailing "/"
  std::string source_bucket;  // sourceBucket of the inventory manifest
  boost::gregorian::date day;
  std::uint32_t volume = 1;  // 1-based
};

// Variable names known to templates: prefix, source_bucket, yyyy, mm, dd, date, nnnn.
// Throws UsageError for an unknown variable, an unclosed brace, a template without {nnnn}
// (volumes would collide), or a "." or ".." path segment (archives outside the prefix).
void check_template(std::string_view tmpl);

// Renders a template. {nnnn} is the volume number, zero-padded to 4 digits (0001; more digits
// past 9999). With an empty prefix, a leading "{prefix}/" disappears rather than leaving a "/".
std::string render_name(std::string_view tmpl, const NameVars& vars);

// The longest common prefix of `keys` (empty for none).
std::string common_prefix(const std::vector<std::string>& keys);

// "I/N" with 0 <= I < N.
struct Shard {
  std::uint32_t index = 0;
  std::uint32_t count = 1;
  bool single() const { return count == 1; }
  // Volume i (0-based, in plan order) belongs to this shard.
  bool owns(std::size_t volume) const { return volume % count == index; }
  // "" for a single shard, "-shard-I-of-N" otherwise (report file names).
  std::string suffix() const;
};

// Parses "--shard I/N"; throws UsageError.
Shard parse_shard(std::string_view text);

// --shard wins; otherwise AWS_BATCH_JOB_ARRAY_INDEX with AWS_BATCH_JOB_ARRAY_SIZE (both needed
// when either is set); otherwise one shard. Throws UsageError.
Shard resolve_shard(const std::optional<std::string>& flag, const char* batch_index, const char* batch_size);

// Where the day's run state and reports live: "<report_prefix>/YYYY/MM/DD/".
std::string day_report_prefix(const std::string& report_prefix, boost::gregorian::date day);

// What a volume's key holds now.
struct VolumeProbe {
  bool archive_exists = false;
  std::string archive_etag;  // HEAD, without quotes
  std::uint64_t archive_size = 0;
  bool index_exists = false;
  std::string index_etag;  // the "etag" field of the sidecar JSON; empty when unreadable
};

enum class VolumeState {
  kMissing,     // nothing there: write it
  kIncomplete,  // an archive without a matching sidecar (a run died between the two): rewrite it
  kComplete,    // archive + sidecar with the archive's ETag: skip it
};

VolumeState classify(const VolumeProbe& probe);
const char* to_string(VolumeState state);

// The "etag" field of an index sidecar, or "" when the text is not a sidecar.
std::string index_etag(std::string_view sidecar_json);

}  // namespace s3tar::scheduler
