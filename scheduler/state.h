// What the daily job keeps about a day between its attempts, under the day's report prefix:
// the inventory report the day was archived from (state.json), and per volume the sources an
// attempt left out of it (skipped/NNNN.json), so that a later attempt's reports still list them.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "s3tar/archive/exec/executor.h"

namespace s3tar::scheduler {

// The inventory report a day was archived from, recorded on the first run so that re-runs use
// the same report (a newer report appearing later must not change the day's volumes).
struct DayState {
  std::string inventory_bucket;
  std::string inventory_prefix;
  std::string folder;  // "2025-11-21T01-00Z"
  std::string date;    // "2025-11-20"
};
std::string render_state(const DayState& state);
// Throws inventory::BadInputError when the text is not a state object.
DayState parse_state(const std::string& text, const std::string& name);

// A member as an archive's index sidecar lists it.
struct SidecarMember {
  std::string bucket, key, version_id, etag;
  std::uint64_t size = 0;
};
// The members of an index sidecar; empty when the text is not a sidecar.
std::vector<SidecarMember> sidecar_members(const std::string& sidecar_json);

// The sources left out of volume `index` (0-based) when it was written. Written after the
// volume completes, only when something was left out. A kill between the sidecar and this
// record loses the reasons, never the objects: the job also compares the planned members with
// the sidecar's (see decide.h).
struct SkipRecord {
  std::size_t volume = 0;
  std::string archive_key;
  std::vector<exec::SourceProblem> problems;
};
// "<day_prefix>skipped/" and "<day_prefix>skipped/0001.json" (volume 0).
std::string skip_records_prefix(const std::string& day_prefix);
std::string skip_record_key(const std::string& day_prefix, std::size_t volume);
std::string render_skip_record(const SkipRecord& record);
// Throws inventory::BadInputError when the text is not a skip record.
SkipRecord parse_skip_record(const std::string& text, const std::string& name);

}  // namespace s3tar::scheduler
