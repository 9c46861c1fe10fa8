#include "scheduler/job.h"

#include <fmt/format.h>

#include <chrono>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>

#include "catalog/catalog.h"
#include "inventory/errors.h"
#include "inventory/manifest_csv.h"
#include "s3tar/archive/exec/archive_writer.h"
#include "s3tar/exit_codes.h"
#include "s3tar/log/log.h"
#include "scheduler/apply.h"
#include "scheduler/store.h"

namespace s3tar::scheduler {
namespace bg = boost::gregorian;
using json = nlohmann::json;

namespace {

std::int64_t now_seconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// The day a run works on, and where its state and reports go.
struct Day {
  inventory::TimeZone zone;
  bg::date day;
  std::string date;       // "2025-11-20"
  std::string prefix;     // "<report_prefix>/2025/11/20/"
  std::string state_key;  // "<prefix>state.json"
  std::int64_t started_at = 0;
};

Day resolve_day(const DailyConfig& cfg, const RunOptions& opt) {
  Day d{inventory::TimeZone::from_name(cfg.time_zone), {}, {}, {}, {}, opt.now.value_or(now_seconds())};
  d.day = opt.date.value_or(target_date(d.started_at, d.zone));
  d.date = bg::to_iso_extended_string(d.day);
  d.prefix = day_report_prefix(cfg.report_prefix, d.day);
  d.state_key = d.prefix + "state.json";
  return d;
}

s3::WriteOptions report_write(const DailyConfig& cfg) {
  s3::WriteOptions w;
  w.sse = cfg.sse;
  w.kms_key_id = cfg.kms_key_id;
  return w;
}

// Records the report used for the day (first run only). When another run or shard recorded
// one first, follows it if it is the same report; otherwise run again.
void record_state(DailyStore& store, const DailyConfig& cfg, const Selection& sel, const Day& d) {
  const DayState st{cfg.inventory.bucket, cfg.inventory.prefix, sel.report.folder, d.date};
  if (store.put(cfg.report_bucket, d.state_key, render_state(st), "application/json", true)) {
    log::info("state.recorded", "recorded inventory report " + st.folder + " for " + d.date,
              {{"state", "s3://" + cfg.report_bucket + "/" + d.state_key}});
    return;
  }
  const DayState other = parse_state(store.get(cfg.report_bucket, d.state_key).value_or(""), d.state_key);
  if (other.folder != sel.report.folder)
    throw TransientError("s3://" + cfg.report_bucket + "/" + d.state_key + ": another run recorded report " +
                         other.folder + " for " + d.date + "; run again");
}

plan::Plan day_plan(Selection& sel, const DailyConfig& cfg, const plan::Options& popts, const Day& d) {
  plan::Plan plan = plan::make_plan(std::move(sel.objects), popts);  // the members move, no copy
  sel.objects = {};
  assign_keys(plan, cfg, sel.report.manifest.source_bucket, d.day);
  return plan;
}

void print_dry_run(const Selection& sel, const plan::Plan& plan, const DailyConfig& cfg, const Shard& shard) {
  std::cout << describe_summary(sel.summary, sel.report.folder);
  if (shard.single()) {  // no copy of the plan (it is as big as the selection)
    std::cout << exec::describe_plan(plan, cfg.bucket, cfg.storage_class);
    return;
  }
  const plan::Plan mine = shard_plan(plan, shard);
  std::cout << fmt::format("Shard {}/{}: {} of the {} volume(s)\n", shard.index, shard.count,
                           mine.volumes.size(), plan.volumes.size());
  std::cout << exec::describe_plan(mine, cfg.bucket, cfg.storage_class);
}

json archives_json(const plan::Plan& plan, const Actions& a, const Applied& applied, const Destination& dest,
                   const std::string& bucket) {
  json archives = json::array();
  auto entry = [&](std::size_t i, std::uint64_t size, const std::string& etag, std::size_t objects,
                   const char* status) {
    const auto& key = plan.volumes[i].key;
    return json{{"archive", "s3://" + bucket + "/" + key},
                {"size", size},
                {"etag", etag},
                {"objects", objects},
                {"index", "s3://" + bucket + "/" + exec::index_key_for(key)},
                {"status", status},
                {"volume", i + 1}};
  };
  for (std::size_t i : a.complete) {
    const auto& p = dest.probes.at(i);
    const auto sc = dest.sidecars.find(i);
    archives.push_back(entry(i, p.archive_size, p.archive_etag,
                             sc == dest.sidecars.end() ? 0 : sc->second.size(), "already_complete"));
  }
  for (const auto& c : applied.completed_elsewhere)
    archives.push_back(entry(c.index, c.probe.archive_size, c.probe.archive_etag, c.members.size(),
                             "completed_by_another_run"));
  for (const auto& w : applied.written) {
    json j =
        entry(w.index, w.result.size, w.result.etag, w.result.members, w.overwrote ? "rewritten" : "written");
    j["parts"] = w.result.parts;
    archives.push_back(std::move(j));
  }
  return archives;
}

// not-archived.csv and run-report.json; returns the report's key.
std::string write_reports(DailyStore& store, s3::S3Client& client, const DailyConfig& cfg,
                          const RunOptions& opt, const Day& d, const Selection& sel, const plan::Plan& plan,
                          const Actions& a, const Applied& applied, const Destination& dest,
                          const Conclusion& c, const std::string& catalog_url, double duration) {
  const std::string csv_key = d.prefix + "not-archived" + opt.shard.suffix() + ".csv";
  const std::string report_key = d.prefix + "run-report" + opt.shard.suffix() + ".json";
  if (c.rerun_of_complete_day) {
    log::info("run.already_complete",
              "the day was already complete; the reports of the run that wrote it are kept");
    return report_key;
  }
  store.put(cfg.report_bucket, csv_key, render_not_archived_csv(c.rows), "text/csv");
  std::uint64_t total_requests = 0;
  json requests = exec::request_counts(client.counters(), total_requests);
  requests["PutObject"] = requests.value("PutObject", std::uint64_t{0}) + 1;  // this report
  ++total_requests;
  std::uint64_t selected_bytes = 0, selected_objects = 0;
  for (const auto& v : plan.volumes) {
    selected_objects += v.members.size();
    for (const auto& m : v.members) selected_bytes += m.size;
  }
  const json report = {
      {"date", d.date},
      {"time_zone", d.zone.name()},
      {"shard", {{"index", opt.shard.index}, {"count", opt.shard.count}}},
      {"inventory",
       {{"bucket", cfg.inventory.bucket},
        {"prefix", cfg.inventory.prefix},
        {"report_folder", sel.report.folder},
        {"manifest", sel.report.manifest_key},
        {"scan_started", iso_time(sel.report.scan_start)},
        {"source_bucket", sel.report.manifest.source_bucket},
        {"recorded_by_earlier_run", sel.from_state}}},
      {"inventory_summary", summary_json(sel.summary)},
      {"selected", {{"objects", selected_objects}, {"bytes", selected_bytes}}},
      {"volumes",
       {{"planned", plan.volumes.size()},
        {"this_shard", a.owned.size()},
        {"written", applied.written.size()},
        {"already_complete", a.complete.size()},
        {"completed_by_another_run", applied.completed_elsewhere.size()}}},
      {"archived", {{"objects", c.archived_objects}, {"bytes", c.archived_bytes}}},
      {"skipped",
       {{"objects", c.skipped_objects}, {"bytes", c.skipped_bytes}, {"by_reason", c.skipped_by_reason}}},
      {"already_archived", {{"objects", c.already_archived_objects}, {"bytes", c.already_archived_bytes}}},
      {"archives", archives_json(plan, a, applied, dest, cfg.bucket)},
      {"stale_uploads_aborted", applied.stale_aborted},
      {"tagging",
       {{"tag", opt.tag_sources.empty() ? json(nullptr) : json(opt.tag_sources)},
        {"tagged", applied.tagged},
        {"failed", applied.tag_failures}}},
      {"requests", requests},
      {"requests_total", total_requests},
      {"retries", client.counters().retries.load()},
      {"bytes_sent", client.counters().bytes_sent.load()},
      {"bytes_received", client.counters().bytes_received.load()},
      {"started_at", iso_time(d.started_at)},
      {"duration_seconds", duration},
      {"not_archived_csv", "s3://" + cfg.report_bucket + "/" + csv_key},
      {"catalog", catalog_url.empty() ? json(nullptr) : json(catalog_url)},
      {"exit_code", c.exit_code}};
  store.put(cfg.report_bucket, report_key, report.dump(2) + "\n", "application/json");
  return report_key;
}

}  // namespace

int run_daily(const DailyConfig& cfg, const settings::Settings& settings, const RunOptions& opt,
              s3::S3Client& client, const std::atomic<bool>& stop) {
  const auto started = std::chrono::steady_clock::now();
  const Day d = resolve_day(cfg, opt);
  log::info("run.start",
            fmt::format("daily job for {} ({}), shard {}/{}", d.date, d.zone.name(), opt.shard.index,
                        opt.shard.count),
            {{"date", d.date}, {"shard", opt.shard.index}, {"shards", opt.shard.count}});
  S3DailyStore store(client, settings::volume_write(settings), report_write(cfg), stop);
  Selection sel = select(cfg, d.day, d.zone, client, store, d.state_key);
  if (stop) throw exec::Interrupted("stopped after reading the inventory; nothing was written");
  log::info(
      "inventory.summary",
      fmt::format("{} rows read, {} objects selected ({} bytes), {} already archived", sel.summary.rows_read,
                  sel.summary.kept, sel.summary.bytes_kept, sel.not_archivable.size()),
      summary_json(sel.summary));
  const plan::Plan plan = day_plan(sel, cfg, settings.write.plan, d);
  if (opt.dry_run) {
    print_dry_run(sel, plan, cfg, opt.shard);
    return kSuccess;
  }
  if (!sel.from_state) record_state(store, cfg, sel, d);
  ApplyContext ctx{cfg.bucket,      cfg.report_bucket, d.prefix,
                   opt.tag_sources, cfg.concurrency,   std::chrono::milliseconds(200)};
  ctx.volumes_in_flight = settings.volumes_in_flight;
  const Policy policy{cfg.count_already_archived_as_skipped, opt.shard.index == 0};
  const Destination dest = probe_destination(plan, opt.shard, store, ctx, stop);
  const Actions actions = decide(plan, opt.shard, dest, sel.not_archivable, policy);
  const Applied applied = apply(plan, actions, store, ctx, stop);
  const Conclusion c = conclude(plan, actions, applied, dest, policy);
  // The catalog part after the archives it lists are complete and their sidecars checked;
  // rewritten by every run of the day, with the same bytes.
  const std::string catalog_key = catalog::part_key(cfg.report_prefix, d.date, opt.shard.index);
  const std::size_t catalogued =
      write_catalog(catalog_archives(plan, actions, applied, dest), store, ctx, catalog_key);
  const std::string catalog_url = catalogued == 0 ? "" : "s3://" + cfg.report_bucket + "/" + catalog_key;
  const double duration = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  const std::string report_key =
      write_reports(store, client, cfg, opt, d, sel, plan, actions, applied, dest, c, catalog_url, duration);
  log::info("run.done",
            fmt::format("{}: {} archive(s) written, {} already complete, {} objects archived, {} skipped, {} "
                        "already archived; report s3://{}/{}",
                        d.date, applied.written.size(), actions.complete.size(), c.archived_objects,
                        c.skipped_objects, c.already_archived_objects, cfg.report_bucket, report_key),
            {{"date", d.date},
             {"written", applied.written.size()},
             {"already_complete", actions.complete.size()},
             {"archived_objects", c.archived_objects},
             {"not_archived", c.skipped_objects},
             {"already_archived", c.already_archived_objects},
             {"report", "s3://" + cfg.report_bucket + "/" + report_key},
             {"exit_code", c.exit_code}});
  return c.exit_code;
}

int inventory_selection(const DailyConfig& cfg, const RunOptions& opt, s3::S3Client& client,
                        const std::string& output, bool json) {
  const std::atomic<bool> no_stop{false};
  const Day d = resolve_day(cfg, opt);
  S3DailyStore store(client, {}, report_write(cfg), no_stop);
  Selection sel = select(cfg, d.day, d.zone, client, store, d.state_key);
  std::string summary =
      "Date " + d.date + " (" + d.zone.name() + ")\n" + describe_summary(sel.summary, sel.report.folder);
  nlohmann::json summary_object = {{"date", d.date},
                                   {"time_zone", d.zone.name()},
                                   {"report", sel.report.folder},
                                   {"summary", summary_json(sel.summary)}};
  if (output == "-") {
    inventory::ManifestCsvWriter w(std::cout);
    for (const auto& o : sel.objects) w.write(o.bucket(), o.key(), o.size, o.etag());
    std::cout.flush();
    std::cerr << summary;
    return kSuccess;
  }
  if (!output.empty()) {
    std::ofstream f(output, std::ios::binary);
    inventory::ManifestCsvWriter w(f);
    for (const auto& o : sel.objects) w.write(o.bucket(), o.key(), o.size, o.etag());
    f.close();
    if (!f) throw UsageError("cannot write " + output);
    summary += "Manifest: " + std::to_string(sel.objects.size()) + " objects written to " + output + "\n";
    summary_object["manifest"] = {{"path", output}, {"objects", sel.objects.size()}};
  }
  if (json) {
    std::cout << summary_object.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
  } else {
    std::cout << summary;
  }
  return kSuccess;
}

}  // namespace s3tar::scheduler
