// The daily job's I/O around the pure decisions of decide.h: probing what the destination holds
// (probe_destination), and carrying out the actions (apply). Every request goes through a
// DailyStore, so unit tests run both against an in-memory store.
#pragma once

#include <atomic>
#include <chrono>
#include <string>
#include <utility>
#include <vector>

#include "s3tar/archive/plan/plan.h"
#include "scheduler/decide.h"
#include "scheduler/store.h"

namespace s3tar::scheduler {

struct ApplyContext {
  std::string bucket;                                            // the archives' bucket
  std::string report_bucket;                                     // the day's state and reports
  std::string day_prefix;                                        // "<report_prefix>/YYYY/MM/DD/"
  std::vector<std::pair<std::string, std::string>> tag_sources;  // empty: no tagging
  unsigned tag_concurrency = 16;
  // After a lost race, how long to wait (times 1, 2, ... 10) for the other run's sidecar.
  std::chrono::milliseconds race_settle{200};
  // Volumes written at once (each on a thread of its own; the store is called from all).
  unsigned volumes_in_flight = 1;
};

// HEAD of each of the shard's archives, the sidecars of those that exist, the skip records of
// earlier attempts (when a volume is complete) and the uploads open for the shard's keys.
Destination probe_destination(const plan::Plan& plan, const Shard& shard, DailyStore& store,
                              const ApplyContext& context, const std::atomic<bool>& stop);

// Writes what is missing (new keys with If-None-Match, then the keys a dead run left without a
// sidecar, overwritten; context.volumes_in_flight at once, reported in plan order whatever
// order they finish in), records the sources each volume left out, aborts stale uploads, and
// tags the sources of the shard's complete archives. Throws TransientError when another run is
// writing a volume and has not completed it (run again), Interrupted on a stop.
Applied apply(const plan::Plan& plan, const Actions& actions, DailyStore& store, const ApplyContext& context,
              const std::atomic<bool>& stop);

// Writes the shard's catalog part (`part_key` in the report bucket, STANDARD, gzip'd CSV) from
// the index sidecars of `archives` (catalog_archives()), after checking each sidecar names the
// archive's ETag: only verified archives are catalogued. Writes nothing when `archives` is
// empty or the part holds these bytes already (a re-run). Returns the number of rows. Throws TransientError
// when a sidecar is missing or does not match its archive (another run is rewriting it: run again).
std::size_t write_catalog(const std::vector<CatalogArchive>& archives, DailyStore& store,
                          const ApplyContext& context, const std::string& part_key);

}  // namespace s3tar::scheduler
