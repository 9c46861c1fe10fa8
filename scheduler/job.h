// The daily job: `s3tar run` and `s3tar inventory` over a DailyConfig. The job is split by
// concern: selection.h (inventory → members → plan), decide.h (pure decisions), apply.h (the
// requests, through store.h), report.h (what the reports say), state.h (what a day keeps).
#pragma once

#include <atomic>
#include <boost/date_time/gregorian/gregorian_types.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "s3tar/archive/plan/plan.h"
#include "s3tar/s3/client.h"
#include "scheduler/config.h"
#include "scheduler/decide.h"
#include "scheduler/naming.h"
#include "scheduler/report.h"
#include "scheduler/selection.h"
#include "scheduler/state.h"

namespace s3tar::scheduler {

struct RunOptions {
  std::optional<boost::gregorian::date> date;  // default: yesterday in the config's zone
  bool dry_run = false;
  Shard shard;
  std::vector<std::pair<std::string, std::string>> tag_sources;  // --tag-sources KEY=VALUE
  std::optional<std::int64_t> now;                               // unix seconds; default: the clock
};

// `s3tar run`: returns the exit code (0, or 6 with skipped objects); throws for failures,
// which the CLI maps to exit codes. `settings` are the config's (job_settings in config.h): the
// planner and executor get them as they are.
int run_daily(const DailyConfig& config, const settings::Settings& settings, const RunOptions& options,
              s3::S3Client& client, const std::atomic<bool>& stop);

// `s3tar inventory`: prints the summary (text, or one JSON object with `json`) and, when asked,
// writes the selection as an s3tar manifest (bucket,key,size,etag): to the file `output`, or to
// stdout for "-" (the summary then goes to stderr). No `output`: the summary alone.
int inventory_selection(const DailyConfig& config, const RunOptions& options, s3::S3Client& client,
                        const std::string& output, bool json = false);

}  // namespace s3tar::scheduler
