#include "scheduler/selection.h"

#include <fmt/format.h>

#include <set>

#include "inventory/errors.h"
#include "inventory/schema.h"
#include "s3tar/log/log.h"
#include "scheduler/report.h"
#include "scheduler/s3_store.h"
#include "scheduler/state.h"

namespace s3tar::scheduler {
namespace bg = boost::gregorian;

void check_pinned_reads(const inventory::Manifest& manifest, const DailyConfig& cfg,
                        const std::string& name) {
  if (cfg.allow_unpinned_reads) return;
  if (inventory::ColumnMap::from_schema(manifest.file_schema).etag >= 0) return;
  throw inventory::ConfigError(
      name +
      ": the inventory has no ETag field, so sources cannot be pinned to what the inventory listed "
      "(an object changed since would be archived silently); add the ETag field to the inventory "
      "configuration, or set \"allow_unpinned_reads\": true in the job config");
}

Selection select(const DailyConfig& cfg, bg::date day, const inventory::TimeZone& zone, s3::S3Client& client,
                 DailyStore& store, const std::string& state_key) {
  S3ObjectStore inventory_store(client);
  Selection sel;
  if (auto text = store.get(cfg.report_bucket, state_key)) {
    const DayState state = parse_state(*text, "s3://" + cfg.report_bucket + "/" + state_key);
    if (state.inventory_bucket != cfg.inventory.bucket || state.inventory_prefix != cfg.inventory.prefix)
      throw inventory::ConfigError("s3://" + cfg.report_bucket + "/" + state_key +
                                   " records inventory s3://" + state.inventory_bucket + "/" +
                                   state.inventory_prefix + ", but the config names s3://" +
                                   cfg.inventory.bucket + "/" + cfg.inventory.prefix +
                                   "; delete the state object to start the day over");
    log::info("inventory.reuse", "re-using inventory report " + state.folder + " recorded for " + state.date,
              {{"folder", state.folder}, {"state", "s3://" + cfg.report_bucket + "/" + state_key}});
    sel.report = inventory::load_report(inventory_store, cfg.inventory, state.folder);
    sel.from_state = true;
  } else {
    sel.report = inventory::find_report(inventory_store, cfg.inventory, day, zone);
  }
  log::info("inventory.report",
            fmt::format("inventory report {} (scan started {}), {} data file(s)", sel.report.folder,
                        iso_time(sel.report.scan_start), sel.report.manifest.files.size()),
            {{"folder", sel.report.folder},
             {"manifest", "s3://" + cfg.inventory.bucket + "/" + sel.report.manifest_key},
             {"source_bucket", sel.report.manifest.source_bucket}});
  check_pinned_reads(sel.report.manifest, cfg,
                     "s3://" + cfg.inventory.bucket + "/" + sel.report.manifest_key);
  const inventory::Filter filter = make_filter(cfg, day, zone, sel.report.manifest.source_bucket);
  inventory::ReadOptions ro;
  ro.threads = cfg.inventory_threads;
  inventory::InventoryResult r = inventory::read_inventory(inventory_store, sel.report, filter, ro);
  sel.objects = std::move(r.objects);
  sel.not_archivable = std::move(r.not_archivable);
  sel.summary = r.summary;
  return sel;
}

inventory::Filter make_filter(const DailyConfig& cfg, bg::date day, const inventory::TimeZone& zone,
                              const std::string& source_bucket) {
  inventory::Filter f;
  f.day = day;
  f.zone = zone;
  f.min_size = cfg.min_size - 1;  // the reader keeps size > min_size
  f.include_prefixes = cfg.include_prefixes;
  f.exclude_prefixes = cfg.exclude_prefixes;
  f.source_bucket = source_bucket;
  if (source_bucket == cfg.bucket && !cfg.prefix.empty()) f.exclude_prefixes.push_back(cfg.prefix + "/");
  if (source_bucket == cfg.report_bucket) f.exclude_prefixes.push_back(cfg.report_prefix + "/");
  return f;
}

void assign_keys(plan::Plan& plan, const DailyConfig& cfg, const std::string& source_bucket, bg::date day) {
  std::set<std::string> seen;
  for (std::size_t i = 0; i < plan.volumes.size(); ++i) {
    plan.volumes[i].key =
        render_name(cfg.naming, NameVars{cfg.prefix, source_bucket, day, static_cast<std::uint32_t>(i + 1)});
    if (!seen.insert(plan.volumes[i].key).second)
      throw UsageError("naming: the template gives two volumes the key " + plan.volumes[i].key);
  }
}

plan::Plan shard_plan(const plan::Plan& plan, const Shard& shard) {
  plan::Plan out;
  for (std::size_t i = 0; i < plan.volumes.size(); ++i) {
    if (!shard.owns(i)) continue;
    out.volumes.push_back(plan.volumes[i]);
    out.stats += plan.volumes[i].stats;
  }
  return out;
}

}  // namespace s3tar::scheduler
