#include "scheduler/job.h"

#include <fmt/format.h>

#include <chrono>
#include <fstream>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "inventory/discovery.h"
#include "inventory/errors.h"
#include "inventory/manifest_csv.h"
#include "s3tar/archive/exec/archive_writer.h"
#include "s3tar/exit_codes.h"
#include "s3tar/log/log.h"
#include "scheduler/s3_store.h"

namespace s3tar::scheduler {
namespace bg = boost::gregorian;
using json = nlohmann::json;

namespace {

std::string iso_time(std::int64_t t) {
  const std::time_t tt = static_cast<std::time_t>(t);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::int64_t now_seconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

bool is_not_found(const s3::S3Error& e) {
  return e.status() == 404 || e.code() == "NoSuchKey" || e.code() == "NotFound";
}

// GET a small object; nullopt when it does not exist.
std::optional<std::string> get_if_exists(s3::S3Client& client, const std::string& bucket,
                                         const std::string& key) {
  try {
    return client.get_object({{bucket, key, ""}, std::nullopt, {}, {}}).get().body;
  } catch (const s3::S3Error& e) {
    if (is_not_found(e)) return std::nullopt;
    throw;
  }
}

std::optional<s3::ObjectInfo> head_if_exists(s3::S3Client& client, const std::string& bucket,
                                             const std::string& key) {
  try {
    return client.head_object({bucket, key, ""}).get();
  } catch (const s3::S3Error& e) {
    if (is_not_found(e)) return std::nullopt;
    throw;
  }
}

void put_report_object(s3::S3Client& client, const std::string& bucket, const std::string& key,
                       std::string body, const std::string& content_type, const DailyConfig& cfg,
                       bool if_none_match = false) {
  s3::WriteOptions w;
  w.storage_class = "STANDARD";
  w.content_type = content_type;
  w.sse = cfg.sse;
  w.kms_key_id = cfg.kms_key_id;
  w.if_none_match = if_none_match;
  client.put_object(bucket, key, std::make_shared<const std::string>(std::move(body)), w).get();
}

json summary_json(const inventory::Summary& s) {
  return {{"rows_read", s.rows_read},
          {"kept", s.kept},
          {"bytes_kept", s.bytes_kept},
          {"dropped",
           {{"too_small", s.too_small},
            {"outside_date", s.outside_date},
            {"not_latest", s.not_latest},
            {"delete_marker", s.delete_marker},
            {"archived_class", s.archived_class},
            {"excluded_prefix", s.excluded_prefix},
            {"bad_rows", s.bad_rows}}},
          {"bytes_not_archivable", s.bytes_not_archivable},
          {"data_files", s.files.size()}};
}

// What the inventory gave for the day.
struct Selection {
  inventory::Report report;
  bool from_state = false;
  std::vector<inventory::InventoryObject> objects;
  std::vector<inventory::NotArchivable> not_archivable;
  inventory::Summary summary;
};

Selection select(const DailyConfig& cfg, bg::date day, const inventory::TimeZone& zone, s3::S3Client& client,
                 const std::string& state_key) {
  S3ObjectStore store(client);
  Selection sel;
  if (auto text = get_if_exists(client, cfg.report_bucket, state_key)) {
    const DayState state = parse_state(*text, "s3://" + cfg.report_bucket + "/" + state_key);
    if (state.inventory_bucket != cfg.inventory.bucket || state.inventory_prefix != cfg.inventory.prefix)
      throw inventory::ConfigError("s3://" + cfg.report_bucket + "/" + state_key +
                                   " records inventory s3://" + state.inventory_bucket + "/" +
                                   state.inventory_prefix + ", but the config names s3://" +
                                   cfg.inventory.bucket + "/" + cfg.inventory.prefix +
                                   "; delete the state object to start the day over");
    log::info("inventory.reuse", "re-using inventory report " + state.folder + " recorded for " + state.date,
              {{"folder", state.folder}, {"state", "s3://" + cfg.report_bucket + "/" + state_key}});
    sel.report = inventory::load_report(store, cfg.inventory, state.folder);
    sel.from_state = true;
  } else {
    sel.report = inventory::find_report(store, cfg.inventory, day, zone);
  }
  log::info("inventory.report",
            fmt::format("inventory report {} (scan started {}), {} data file(s)", sel.report.folder,
                        iso_time(sel.report.scan_start), sel.report.manifest.files.size()),
            {{"folder", sel.report.folder},
             {"manifest", "s3://" + cfg.inventory.bucket + "/" + sel.report.manifest_key},
             {"source_bucket", sel.report.manifest.source_bucket}});
  const inventory::Filter filter = make_filter(cfg, day, zone, sel.report.manifest.source_bucket);
  inventory::ReadOptions ro;
  ro.threads = cfg.inventory_threads;
  inventory::InventoryResult r = inventory::read_inventory(store, sel.report, filter, ro);
  sel.objects = std::move(r.objects);
  sel.not_archivable = std::move(r.not_archivable);
  sel.summary = r.summary;
  return sel;
}

// Runs `fn` over items with at most `width` futures in flight; returns the failures.
template <class T, class Fn>
std::vector<std::pair<const T*, std::string>> for_each_bounded(const std::vector<T>& items, std::size_t width,
                                                               Fn fn) {
  std::vector<std::pair<const T*, std::string>> failures;
  std::vector<std::pair<const T*, std::future<void>>> in_flight;
  auto drain = [&](std::size_t keep) {
    while (in_flight.size() > keep) {
      auto& [item, fut] = in_flight.front();
      try {
        fut.get();
      } catch (const std::exception& e) {
        failures.emplace_back(item, e.what());
      }
      in_flight.erase(in_flight.begin());
    }
  };
  for (const auto& item : items) {
    drain(width - 1);
    in_flight.emplace_back(&item, fn(item));
  }
  drain(0);
  return failures;
}

struct TagTarget {
  std::string bucket, key, version_id, etag;
};

}  // namespace

std::string render_state(const DayState& s) {
  return json{{"inventory", {{"bucket", s.inventory_bucket}, {"prefix", s.inventory_prefix}}},
              {"report_folder", s.folder},
              {"date", s.date}}
             .dump(1) +
         "\n";
}

DayState parse_state(const std::string& text, const std::string& name) {
  try {
    const json j = json::parse(text);
    DayState s;
    s.inventory_bucket = j.at("inventory").at("bucket").get<std::string>();
    s.inventory_prefix = j.at("inventory").at("prefix").get<std::string>();
    s.folder = j.at("report_folder").get<std::string>();
    s.date = j.at("date").get<std::string>();
    if (!inventory::parse_report_folder(s.folder)) throw std::invalid_argument("bad report_folder");
    return s;
  } catch (const std::exception& e) {
    throw inventory::BadInputError(name + " is not a run state object (" + e.what() +
                                   "); delete it to start the day over");
  }
}

inventory::Filter make_filter(const DailyConfig& cfg, bg::date day, const inventory::TimeZone& zone,
                              const std::string& source_bucket) {
  inventory::Filter f;
  f.day = day;
  f.zone = zone;
  f.min_size = cfg.min_size - 1;  // the reader keeps size > min_size
  f.include_prefixes = cfg.include_prefixes;
  f.exclude_prefixes = cfg.exclude_prefixes;
  if (source_bucket == cfg.bucket && !cfg.prefix.empty()) f.exclude_prefixes.push_back(cfg.prefix + "/");
  if (source_bucket == cfg.report_bucket) f.exclude_prefixes.push_back(cfg.report_prefix + "/");
  return f;
}

plan::Member to_member(const inventory::InventoryObject& o) {
  plan::Member m;
  m.bucket = o.bucket;
  m.key = o.key;
  m.version_id = o.version_id;
  m.etag = o.etag;
  m.size = o.size;
  m.mtime = o.last_modified;
  return m;
}

plan::Options plan_options(const DailyConfig& cfg, const s3::Limits& server_limits) {
  plan::Options o;
  o.limits = exec::plan_limits(server_limits);
  if (cfg.min_part_size) o.limits.min_part = *cfg.min_part_size;
  if (cfg.max_object_size) o.limits.max_object = *cfg.max_object_size;
  o.size_limit = cfg.size_limit;
  o.format = cfg.format == "gnu" ? tar::Format::Gnu : tar::Format::Pax;
  o.archive_key = "daily.tar";  // replaced by assign_keys
  return o;
}

void assign_keys(plan::Plan& plan, const DailyConfig& cfg, const std::string& source_bucket, bg::date day) {
  std::set<std::string> seen;
  for (std::size_t i = 0; i < plan.volumes.size(); ++i) {
    plan.volumes[i].key =
        render_name(cfg.naming, NameVars{cfg.prefix, source_bucket, day, static_cast<std::uint32_t>(i + 1)});
    if (!seen.insert(plan.volumes[i].key).second)
      throw std::invalid_argument("the naming template gives two volumes the key " + plan.volumes[i].key);
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

std::string render_not_archived_csv(const std::vector<NotArchivedRow>& rows) {
  std::string out = "bucket,key,version_id,size,last_modified,storage_class,reason,detail\n";
  for (const auto& r : rows) {
    out += inventory::csv_field(r.bucket) + "," + inventory::csv_field(r.key) + "," +
           inventory::csv_field(r.version_id) + "," + std::to_string(r.size) + "," +
           (r.last_modified ? iso_time(r.last_modified) : std::string()) + "," +
           inventory::csv_field(r.storage_class) + "," + inventory::csv_field(r.reason) + "," +
           inventory::csv_field(r.detail) + "\n";
  }
  return out;
}

std::string describe_summary(const inventory::Summary& s, const std::string& folder) {
  std::string out = fmt::format("Inventory report {}: {} data file(s), {} rows read\n", folder,
                                s.files.size(), s.rows_read);
  out += fmt::format("Selected: {} objects, {} bytes\n", s.kept, s.bytes_kept);
  out += fmt::format(
      "Dropped: outside the date {}, too small {}, not the latest version {}, delete markers {}, "
      "excluded prefix {}, bad rows {}\n",
      s.outside_date, s.too_small, s.not_latest, s.delete_marker, s.excluded_prefix, s.bad_rows);
  out += fmt::format("Not archivable without a restore (archived storage class): {} objects, {} bytes\n",
                     s.archived_class, s.bytes_not_archivable);
  return out;
}

int run_daily(const DailyConfig& cfg, const RunOptions& opt, s3::S3Client& client,
              const std::atomic<bool>& stop) {
  const auto started = std::chrono::steady_clock::now();
  const std::int64_t started_at = opt.now.value_or(now_seconds());
  const inventory::TimeZone zone = inventory::TimeZone::from_name(cfg.time_zone);
  const bg::date day = opt.date.value_or(target_date(started_at, zone));
  const std::string date = bg::to_iso_extended_string(day);
  const std::string day_prefix = day_report_prefix(cfg.report_prefix, day);
  const std::string state_key = day_prefix + "state.json";
  log::info(
      "run.start",
      fmt::format("daily job for {} ({}), shard {}/{}", date, zone.name(), opt.shard.index, opt.shard.count),
      {{"date", date}, {"time_zone", zone.name()}, {"shard", opt.shard.index}, {"shards", opt.shard.count}});

  // 1. The report (the recorded one on re-runs) and the selection. Nothing is written before
  // the whole inventory has been read and verified.
  Selection sel = select(cfg, day, zone, client, state_key);
  if (stop) throw exec::Interrupted("stopped after reading the inventory; nothing was written");
  const std::string& source_bucket = sel.report.manifest.source_bucket;
  log::info(
      "inventory.summary",
      fmt::format("{} rows read, {} objects selected ({} bytes), {} not archivable", sel.summary.rows_read,
                  sel.summary.kept, sel.summary.bytes_kept, sel.not_archivable.size()),
      summary_json(sel.summary));

  // 2. The plan: deterministic for a given selection, keys from the naming template.
  const std::uint64_t selected_objects = sel.objects.size();
  const std::uint64_t selected_bytes = sel.summary.bytes_kept;
  std::vector<plan::Member> members;
  members.reserve(sel.objects.size());
  for (const auto& o : sel.objects) members.push_back(to_member(o));
  sel.objects.clear();
  const plan::Options popts = plan_options(cfg, client.config().limits);
  plan::Plan plan = plan::make_plan(std::move(members), popts);
  assign_keys(plan, cfg, source_bucket, day);

  if (opt.dry_run) {
    std::cout << describe_summary(sel.summary, sel.report.folder);
    if (!opt.shard.single())
      std::cout << fmt::format("Shard {}/{}: {} of the {} volume(s)\n", opt.shard.index, opt.shard.count,
                               shard_plan(plan, opt.shard).volumes.size(), plan.volumes.size());
    std::cout << exec::describe_plan(shard_plan(plan, opt.shard), cfg.bucket, cfg.storage_class);
    return kSuccess;
  }

  // 3. Record the report used for the day (first run only).
  if (!sel.from_state) {
    DayState st{cfg.inventory.bucket, cfg.inventory.prefix, sel.report.folder, date};
    try {
      put_report_object(client, cfg.report_bucket, state_key, render_state(st), "application/json", cfg,
                        true);
      log::info("state.recorded", "recorded inventory report " + st.folder + " for " + date,
                {{"state", "s3://" + cfg.report_bucket + "/" + state_key}});
    } catch (const s3::S3Error& e) {
      if (e.status() != 412) throw;
      // Another shard recorded it first: follow it when it chose another report.
      const DayState other =
          parse_state(get_if_exists(client, cfg.report_bucket, state_key).value_or(""), state_key);
      if (other.folder != sel.report.folder)
        throw TransientError("s3://" + cfg.report_bucket + "/" + state_key +
                             ": another run recorded report " + other.folder + " for " + date +
                             "; run again");
    }
  }

  // 4. Which of this shard's volumes exist already.
  std::vector<std::size_t> owned;
  for (std::size_t i = 0; i < plan.volumes.size(); ++i)
    if (opt.shard.owns(i)) owned.push_back(i);
  std::map<std::size_t, VolumeState> states;
  std::map<std::size_t, VolumeProbe> probes;
  std::map<std::size_t, std::string> sidecars;
  for (std::size_t i : owned) {
    if (stop) throw exec::Interrupted("stopped before writing");
    const auto& v = plan.volumes[i];
    VolumeProbe p;
    if (auto head = head_if_exists(client, cfg.bucket, v.key)) {
      p.archive_exists = true;
      p.archive_etag = head->etag;
      p.archive_size = head->size;
      if (auto idx = get_if_exists(client, cfg.bucket, exec::index_key_for(v.key))) {
        p.index_exists = true;
        p.index_etag = index_etag(*idx);
        sidecars[i] = std::move(*idx);
      }
    }
    states[i] = classify(p);
    probes[i] = p;
    if (states[i] != VolumeState::kMissing)
      log::info("archive.found", fmt::format("s3://{}/{} is {}", cfg.bucket, v.key, to_string(states[i])),
                {{"archive", "s3://" + cfg.bucket + "/" + v.key}, {"state", to_string(states[i])}});
  }

  // 5. Abort multipart uploads a killed run left open for this shard's keys.
  std::size_t aborted = 0;
  {
    std::set<std::string> keys;
    std::vector<std::string> key_list;
    for (std::size_t i : owned)
      if (states[i] != VolumeState::kComplete) {
        keys.insert(plan.volumes[i].key);
        key_list.push_back(plan.volumes[i].key);
      }
    if (!keys.empty()) {
      for (const auto& u : client.list_multipart_uploads(cfg.bucket, common_prefix(key_list)).get()) {
        if (!keys.count(u.key)) continue;
        client.abort_multipart_upload(cfg.bucket, u.key, u.upload_id).get();
        ++aborted;
        log::info("upload.stale_aborted",
                  "aborted a stale multipart upload of s3://" + cfg.bucket + "/" + u.key,
                  {{"upload_id", u.upload_id}, {"initiated", u.initiated}});
      }
    }
  }

  // 6. Write what is missing: new keys with If-None-Match (where the server supports it), then
  // the keys a dead run left without a sidecar, overwritten.
  std::vector<TagTarget> tag_targets;
  std::map<std::size_t, std::uint64_t> archived_bytes;
  exec::WriteRequest req;
  req.bucket = cfg.bucket;
  req.plan = popts;
  req.exec.write.storage_class = cfg.storage_class;
  req.exec.write.content_type = "application/x-tar";
  req.exec.write.sse = cfg.sse;
  req.exec.write.kms_key_id = cfg.kms_key_id;
  req.exec.write.bucket_key = cfg.bucket_key;
  req.exec.write.tags = cfg.tags;
  req.exec.max_parts_in_flight = cfg.concurrency;
  req.exec.max_upload_parts_in_flight = std::min<std::size_t>(8, cfg.concurrency);
  req.skip_unreadable = cfg.skip_unreadable;
  req.on_written = [&](std::size_t i, const plan::Volume& v, const exec::VolumeResult&) {
    std::uint64_t bytes = 0;
    for (const auto& m : v.members) {
      bytes += m.size;
      tag_targets.push_back({m.bucket, m.key, m.version_id, m.etag});
    }
    archived_bytes[i] = bytes;
  };
  std::vector<exec::VolumeResult> written;
  std::vector<exec::SourceProblem> skipped;
  for (VolumeState pass : {VolumeState::kMissing, VolumeState::kIncomplete}) {
    req.exec.write.if_none_match = pass == VolumeState::kMissing;
    req.skip_volume = [&](std::size_t i, const plan::Volume&) {
      return !opt.shard.owns(i) || states.at(i) != pass;
    };
    exec::WriteOutcome out = exec::write_plan(client, plan, req, stop);
    for (auto& r : out.written) written.push_back(std::move(r));
    for (auto& p : out.skipped) skipped.push_back(std::move(p));
  }

  // Members of complete volumes, from their sidecars (what the archive really holds).
  std::uint64_t archived_objects = 0, total_archived_bytes = 0;
  json archives = json::array();
  for (std::size_t i : owned) {
    const auto& v = plan.volumes[i];
    if (states[i] == VolumeState::kComplete) {
      const json idx = json::parse(sidecars[i], nullptr, false);
      std::uint64_t n = 0, bytes = 0;
      if (idx.is_object() && idx.contains("members") && idx["members"].is_array()) {
        for (const auto& m : idx["members"]) {
          ++n;
          bytes += m.value("size", std::uint64_t{0});
          tag_targets.push_back({m.value("bucket", std::string()), m.value("key", std::string()),
                                 m.value("version_id", std::string()), m.value("etag", std::string())});
        }
      }
      archived_objects += n;
      total_archived_bytes += bytes;
      archives.push_back({{"archive", "s3://" + cfg.bucket + "/" + v.key},
                          {"size", probes[i].archive_size},
                          {"etag", probes[i].archive_etag},
                          {"objects", n},
                          {"index", "s3://" + cfg.bucket + "/" + exec::index_key_for(v.key)},
                          {"status", "already_complete"},
                          {"volume", i + 1}});
    }
  }
  for (const auto& r : written) {
    std::size_t i = 0;
    while (i < plan.volumes.size() && plan.volumes[i].key != r.key) ++i;
    archived_objects += r.members;
    total_archived_bytes += archived_bytes[i];
    archives.push_back({{"archive", "s3://" + r.bucket + "/" + r.key},
                        {"size", r.size},
                        {"etag", r.etag},
                        {"objects", r.members},
                        {"parts", r.parts},
                        {"index", "s3://" + r.bucket + "/" + r.index_key},
                        {"status", states[i] == VolumeState::kMissing ? "written" : "rewritten"},
                        {"volume", i + 1}});
  }

  // 7. Tag the sources of this shard's archives (never deletes anything).
  std::uint64_t tagged = 0, tag_failures = 0;
  if (!opt.tag_sources.empty() && !tag_targets.empty()) {
    // Tag exactly what was archived: HEAD with If-Match first (412 when the key was overwritten
    // since) and tag the version that HEAD names, so a lifecycle rule never expires unarchived
    // content. Without versioning a write between HEAD and tagging can still slip through.
    auto failures = for_each_bounded(tag_targets, cfg.concurrency, [&](const TagTarget& t) {
      return std::async(std::launch::async, [&client, &opt, &stop, t] {
        if (stop) throw exec::Interrupted("stopped while tagging sources");
        const s3::ObjectInfo head = client.head_object({t.bucket, t.key, t.version_id}, t.etag).get();
        client
            .put_object_tagging({t.bucket, t.key, t.version_id.empty() ? head.version_id : t.version_id},
                                opt.tag_sources)
            .get();
      });
    });
    if (stop) throw exec::Interrupted("stopped while tagging sources");
    tag_failures = failures.size();
    tagged = tag_targets.size() - tag_failures;
    for (const auto& [t, why] : failures)
      log::warn("source.tag_failed", "could not tag s3://" + t->bucket + "/" + t->key + ": " + why,
                {{"bucket", t->bucket}, {"key", t->key}});
    log::info("source.tagged", fmt::format("tagged {} source object(s), {} failed", tagged, tag_failures));
  }

  // 8. The CSV of objects not archived and the run report.
  std::vector<NotArchivedRow> rows;
  std::map<std::string, std::uint64_t> skipped_by_reason;
  std::uint64_t skipped_bytes = 0;
  // Objects the inventory lists in archived classes are the whole job's, reported by shard 0.
  if (opt.shard.index == 0) {
    for (const auto& n : sel.not_archivable) {
      rows.push_back({n.object.bucket, n.object.key, n.object.version_id, n.object.size,
                      n.object.last_modified, n.object.storage_class, "archived-class", n.reason});
      ++skipped_by_reason["archived-class"];
      skipped_bytes += n.object.size;
    }
  }
  {
    std::map<std::pair<std::string, std::string>, const plan::Member*> by_key;
    for (const auto& v : plan.volumes)
      for (const auto& m : v.members) by_key[{m.bucket, m.key}] = &m;
    for (const auto& p : skipped) {
      NotArchivedRow r{p.bucket, p.key, p.version_id, 0, 0, "", p.reason, p.message};
      if (auto it = by_key.find({p.bucket, p.key}); it != by_key.end()) {
        r.size = it->second->size;
        r.last_modified = it->second->mtime;
      }
      skipped_bytes += r.size;
      ++skipped_by_reason[p.reason];
      rows.push_back(std::move(r));
    }
  }
  const std::string csv_key = day_prefix + "not-archived" + opt.shard.suffix() + ".csv";
  const std::string report_key = day_prefix + "run-report" + opt.shard.suffix() + ".json";
  // A re-run that found the day complete writes nothing, not even reports (those of the run
  // that wrote the archives, with its skipped objects, are kept), and succeeds: that run
  // reported the skipped objects with exit 6 already.
  bool rerun_of_complete_day = written.empty() && tag_failures == 0 && !owned.empty();
  for (std::size_t i : owned)
    rerun_of_complete_day = rerun_of_complete_day && states[i] == VolumeState::kComplete;
  if (!rerun_of_complete_day)
    put_report_object(client, cfg.report_bucket, csv_key, render_not_archived_csv(rows), "text/csv", cfg);
  const int code = ((rows.empty() && tag_failures == 0) || rerun_of_complete_day) ? kSuccess : kPartial;
  std::uint64_t total_requests = 0;
  json requests = exec::request_counts(client.counters(), total_requests);
  requests["PutObject"] = requests.value("PutObject", std::uint64_t{0}) + 1;  // this report
  ++total_requests;
  const double duration = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  std::size_t complete = 0;
  for (std::size_t i : owned) complete += states[i] == VolumeState::kComplete;
  json report = {
      {"date", date},
      {"time_zone", zone.name()},
      {"shard", {{"index", opt.shard.index}, {"count", opt.shard.count}}},
      {"inventory",
       {{"bucket", cfg.inventory.bucket},
        {"prefix", cfg.inventory.prefix},
        {"report_folder", sel.report.folder},
        {"manifest", sel.report.manifest_key},
        {"scan_started", iso_time(sel.report.scan_start)},
        {"source_bucket", source_bucket},
        {"recorded_by_earlier_run", sel.from_state}}},
      {"inventory_summary", summary_json(sel.summary)},
      {"selected", {{"objects", selected_objects}, {"bytes", selected_bytes}}},
      {"volumes",
       {{"planned", plan.volumes.size()},
        {"this_shard", owned.size()},
        {"written", written.size()},
        {"already_complete", complete}}},
      {"archived", {{"objects", archived_objects}, {"bytes", total_archived_bytes}}},
      {"skipped", {{"objects", rows.size()}, {"bytes", skipped_bytes}, {"by_reason", skipped_by_reason}}},
      {"archives", archives},
      {"stale_uploads_aborted", aborted},
      {"tagging",
       {{"tag", opt.tag_sources.empty() ? json(nullptr) : json(opt.tag_sources)},
        {"tagged", tagged},
        {"failed", tag_failures}}},
      {"requests", requests},
      {"requests_total", total_requests},
      {"retries", client.counters().retries.load()},
      {"bytes_sent", client.counters().bytes_sent.load()},
      {"bytes_received", client.counters().bytes_received.load()},
      {"started_at", iso_time(started_at)},
      {"duration_seconds", duration},
      {"not_archived_csv", "s3://" + cfg.report_bucket + "/" + csv_key},
      {"exit_code", code}};
  if (rerun_of_complete_day) {
    log::info("run.already_complete",
              "the day was already complete; the reports of the run that wrote it are kept");
  } else {
    put_report_object(client, cfg.report_bucket, report_key, report.dump(2) + "\n", "application/json", cfg);
  }
  log::info("run.done",
            fmt::format(
                "{}: {} archive(s) written, {} already complete, {} objects archived, {} not archived; "
                "report s3://{}/{}",
                date, written.size(), complete, archived_objects, rows.size(), cfg.report_bucket, report_key),
            {{"date", date},
             {"written", written.size()},
             {"already_complete", complete},
             {"archived_objects", archived_objects},
             {"not_archived", rows.size()},
             {"report", "s3://" + cfg.report_bucket + "/" + report_key},
             {"exit_code", code}});
  return code;
}

int inventory_selection(const DailyConfig& cfg, const RunOptions& opt, s3::S3Client& client,
                        const std::string& output) {
  const inventory::TimeZone zone = inventory::TimeZone::from_name(cfg.time_zone);
  const bg::date day = opt.date.value_or(target_date(opt.now.value_or(now_seconds()), zone));
  const std::string state_key = day_report_prefix(cfg.report_prefix, day) + "state.json";
  Selection sel = select(cfg, day, zone, client, state_key);
  const std::string summary = "Date " + bg::to_iso_extended_string(day) + " (" + zone.name() + ")\n" +
                              describe_summary(sel.summary, sel.report.folder);
  if (output.empty() || output == "-") {
    inventory::ManifestCsvWriter w(std::cout);
    for (const auto& o : sel.objects) w.write(o);
    std::cout.flush();
    std::cerr << summary;
  } else {
    std::ofstream f(output, std::ios::binary);
    inventory::ManifestCsvWriter w(f);
    for (const auto& o : sel.objects) w.write(o);
    f.close();
    if (!f) throw std::runtime_error("cannot write " + output);
    std::cout << summary << "Manifest: " << sel.objects.size() << " objects written to " << output << "\n";
  }
  return kSuccess;
}

}  // namespace s3tar::scheduler
