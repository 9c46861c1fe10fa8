// The daily job: `s3tar run` and `s3tar inventory` over a DailyConfig.
#pragma once

#include <atomic>
#include <boost/date_time/gregorian/gregorian_types.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "inventory/filter.h"
#include "inventory/reader.h"
#include "s3tar/archive/exec/executor.h"
#include "s3tar/archive/plan/plan.h"
#include "s3tar/s3/client.h"
#include "scheduler/config.h"
#include "scheduler/naming.h"

namespace s3tar::scheduler {

struct RunOptions {
  std::optional<boost::gregorian::date> date;  // default: yesterday in the config's zone
  bool dry_run = false;
  Shard shard;
  std::vector<std::pair<std::string, std::string>> tag_sources;  // --tag-sources KEY=VALUE
  std::optional<std::int64_t> now;                               // unix seconds; default: the clock
};

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

// The filter for day D: size >= min_size, the configured prefixes, and the job's own outputs
// (archives, sidecars, reports) when they live in the source bucket.
inventory::Filter make_filter(const DailyConfig& config, boost::gregorian::date day,
                              const inventory::TimeZone& zone, const std::string& source_bucket);

plan::Member to_member(const inventory::InventoryObject& object);

// Planner options from the config and the server's limits.
plan::Options plan_options(const DailyConfig& config, const s3::Limits& server_limits);

// Names volume i (0-based) from the template: {nnnn} = i + 1. Throws std::invalid_argument when
// two volumes would get the same key.
void assign_keys(plan::Plan& plan, const DailyConfig& config, const std::string& source_bucket,
                 boost::gregorian::date day);

// A plan holding only the shard's volumes (stats summed over them), for dry-run output.
plan::Plan shard_plan(const plan::Plan& plan, const Shard& shard);

// One row of the CSV of objects not archived.
struct NotArchivedRow {
  std::string bucket, key, version_id;
  std::uint64_t size = 0;
  std::int64_t last_modified = 0;
  std::string storage_class;
  std::string reason;  // archived-class | changed | missing | archived | access-denied | error
  std::string detail;
};
std::string render_not_archived_csv(const std::vector<NotArchivedRow>& rows);

// The inventory summary as text lines (for `s3tar inventory` and --dry-run).
std::string describe_summary(const inventory::Summary& summary, const std::string& report_folder);

// `s3tar run`: returns the exit code (0, or 6 with skipped objects); throws for failures,
// which the CLI maps to exit codes.
int run_daily(const DailyConfig& config, const RunOptions& options, s3::S3Client& client,
              const std::atomic<bool>& stop);

// `s3tar inventory`: prints the summary and writes the selection as an s3tar manifest
// (bucket,key,size,etag) to `output` ("" = stdout, the summary then goes to stderr).
int inventory_selection(const DailyConfig& config, const RunOptions& options, s3::S3Client& client,
                        const std::string& output);

}  // namespace s3tar::scheduler
