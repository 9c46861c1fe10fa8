// What the daily job archives for a day: the inventory report (the one recorded for the day, or
// the newest qualifying one), the rows it selects, and the plan of the day's volumes.
#pragma once

#include <boost/date_time/gregorian/gregorian_types.hpp>
#include <string>
#include <vector>

#include "inventory/discovery.h"
#include "inventory/filter.h"
#include "inventory/reader.h"
#include "s3tar/archive/plan/plan.h"
#include "s3tar/s3/client.h"
#include "scheduler/config.h"
#include "scheduler/naming.h"
#include "scheduler/store.h"

namespace s3tar::scheduler {

struct Selection {
  inventory::Report report;
  bool from_state = false;            // the report was recorded for the day by an earlier run
  std::vector<plan::Member> objects;  // moved into the plan by the job: one copy of the day in memory
  std::vector<inventory::NotArchivable> not_archivable;
  inventory::Summary summary;
};

// Reads the day's selection. The state object (state_key in the report bucket) names the report
// when an earlier run recorded one. Throws ConfigError for a state naming another inventory and
// for an inventory without ETags (unpinned reads) unless the config allows them.
Selection select(const DailyConfig& config, boost::gregorian::date day, const inventory::TimeZone& zone,
                 s3::S3Client& client, DailyStore& store, const std::string& state_key);

// Throws ConfigError unless the report's rows carry ETags (every source read is pinned to the
// inventory's ETag, so a source changed since is left out, never archived silently) or the
// config opts out with allow_unpinned_reads.
void check_pinned_reads(const inventory::Manifest& manifest, const DailyConfig& config,
                        const std::string& manifest_name);

// The filter for day D: size >= min_size, the configured prefixes, rows of the manifest's
// sourceBucket only, and the job's own outputs (archives, sidecars, reports) when they live in
// the source bucket.
inventory::Filter make_filter(const DailyConfig& config, boost::gregorian::date day,
                              const inventory::TimeZone& zone, const std::string& source_bucket);

// Names volume i (0-based) from the template: {nnnn} = i + 1. Throws UsageError when two
// volumes would get the same key.
void assign_keys(plan::Plan& plan, const DailyConfig& config, const std::string& source_bucket,
                 boost::gregorian::date day);

// A plan holding only the shard's volumes (stats summed over them), for dry-run output.
plan::Plan shard_plan(const plan::Plan& plan, const Shard& shard);

}  // namespace s3tar::scheduler
