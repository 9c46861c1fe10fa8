#include "scheduler/apply.h"

#include <fmt/format.h>

#include <atomic>
#include <chrono>
#include <exception>
#include <future>
#include <set>
#include <thread>

#include "catalog/catalog.h"
#include "inventory/errors.h"
#include "s3tar/log/log.h"

namespace s3tar::scheduler {
namespace {

// An ETag as index_etag() reads it from a sidecar: without its surrounding quotes.
std::string unquoted(std::string e) {
  if (e.size() >= 2 && e.front() == '"' && e.back() == '"') e = e.substr(1, e.size() - 2);
  return e;
}

// Re-reads one volume's key after a lost race: complete (archive + matching sidecar) or not.
std::optional<CompletedElsewhere> probe_complete(const plan::Plan& plan, std::size_t i, DailyStore& store,
                                                 const ApplyContext& ctx) {
  const auto& v = plan.volumes[i];
  CompletedElsewhere done;
  done.index = i;
  auto head = store.head(ctx.bucket, v.key);
  if (!head) return std::nullopt;
  done.probe.archive_exists = true;
  done.probe.archive_etag = head->etag;
  done.probe.archive_size = head->size;
  auto sidecar = store.get(ctx.bucket, exec::index_key_for(v.key));
  if (!sidecar) return std::nullopt;
  done.probe.index_exists = true;
  done.probe.index_etag = index_etag(*sidecar);
  if (classify(done.probe) != VolumeState::kComplete) return std::nullopt;
  done.members = sidecar_members(*sidecar);
  std::vector<exec::SourceProblem> recorded;
  if (auto rec = store.get(ctx.report_bucket, skip_record_key(ctx.day_prefix, i)))
    recorded = parse_skip_record(*rec, skip_record_key(ctx.day_prefix, i)).problems;
  done.skipped = skipped_from(v, done.members, recorded);
  return done;
}

// Writes one volume; records what it left out. A lost race ends well only when the other run
// completed the volume: then it counts as complete, with that run's archive.
void write_one(const plan::Plan& plan, std::size_t i, bool overwrite, DailyStore& store,
               const ApplyContext& ctx, Applied& out) {
  const auto& key = plan.volumes[i].key;
  VolumeWrite w = store.write_volume(plan, i, !overwrite);
  switch (w.outcome) {
    case VolumeWrite::Outcome::kLostRace: {
      // Give a run that just completed the archive a moment to write the sidecar.
      for (int attempt = 0; attempt < 10; ++attempt) {
        if (auto done = probe_complete(plan, i, store, ctx)) {
          log::info("archive.completed_elsewhere",
                    "another run completed s3://" + ctx.bucket + "/" + key + " while this one wrote it",
                    {{"archive", "s3://" + ctx.bucket + "/" + key}, {"error", w.detail}});
          out.completed_elsewhere.push_back(std::move(*done));
          return;
        }
        std::this_thread::sleep_for(ctx.race_settle * (attempt + 1));
      }
      throw TransientError("s3://" + ctx.bucket + "/" + key + ": another run is writing this archive (" +
                           w.detail + "); run again");
    }
    case VolumeWrite::Outcome::kAllSkipped:
      out.all_skipped.push_back(i);
      break;
    case VolumeWrite::Outcome::kWritten: {
      WrittenVolume wv{i, std::move(w.result), 0, overwrite, {}};
      for (const auto& m : w.volume.members) {
        wv.bytes += m.size;
        wv.members.push_back({m.bucket(), std::string(m.key()), std::string(m.version_id()), m.etag()});
      }
      out.written.push_back(std::move(wv));
      break;
    }
  }
  if (!w.skipped.empty()) {
    store.put(ctx.report_bucket, skip_record_key(ctx.day_prefix, i), render_skip_record({i, key, w.skipped}),
              "application/json");
    // A volume none of whose sources could be read has no archive: its record is still what a
    // later attempt reads, so it is written too (probe_destination reads records of complete
    // volumes only, and this one is never complete; the reports of this attempt list them).
  }
  for (auto& p : w.skipped) out.skipped.push_back(std::move(p));
}

// Writes the volumes `jobs` ({index, overwrite}), up to ctx.volumes_in_flight at once. After a
// failure no further volume starts; those in flight finish (a re-run keeps what they
// completed), then the failure of the first volume that failed, in `jobs` order, is thrown.
void write_volumes(const plan::Plan& plan, const std::vector<std::pair<std::size_t, bool>>& jobs,
                   DailyStore& store, const ApplyContext& ctx, Applied& out) {
  std::vector<Applied> results(jobs.size());
  std::vector<std::exception_ptr> errors(jobs.size());
  std::atomic<std::size_t> next{0};
  std::atomic<bool> failed{false};
  auto work = [&] {
    for (std::size_t k; !failed && (k = next++) < jobs.size();) {
      try {
        write_one(plan, jobs[k].first, jobs[k].second, store, ctx, results[k]);
      } catch (...) {
        errors[k] = std::current_exception();
        failed = true;
      }
    }
  };
  const std::size_t width = std::min<std::size_t>(std::max(1u, ctx.volumes_in_flight), jobs.size());
  std::vector<std::thread> writers;
  for (std::size_t w = 1; w < width; ++w) writers.emplace_back(work);
  work();
  for (auto& t : writers) t.join();
  for (auto& e : errors)
    if (e) std::rethrow_exception(e);
  for (auto& r : results) {
    for (auto& w : r.written) out.written.push_back(std::move(w));
    for (auto& c : r.completed_elsewhere) out.completed_elsewhere.push_back(std::move(c));
    out.all_skipped.insert(out.all_skipped.end(), r.all_skipped.begin(), r.all_skipped.end());
    for (auto& p : r.skipped) out.skipped.push_back(std::move(p));
  }
}

void tag_sources(const std::vector<TagTarget>& targets, DailyStore& store, const ApplyContext& ctx,
                 const std::atomic<bool>& stop, Applied& out) {
  // At most tag_concurrency tags in flight, each on its own thread (the store is synchronous).
  std::vector<std::pair<const TagTarget*, std::future<void>>> in_flight;
  auto drain = [&](std::size_t keep) {
    while (in_flight.size() > keep) {
      auto& [t, fut] = in_flight.front();
      try {
        fut.get();
        ++out.tagged;
      } catch (const std::exception& e) {
        ++out.tag_failures;
        log::warn("source.tag_failed", "could not tag s3://" + t->bucket + "/" + t->key + ": " + e.what(),
                  {{"bucket", t->bucket}, {"key", t->key}});
      }
      in_flight.erase(in_flight.begin());
    }
  };
  const std::size_t width = std::max(1u, ctx.tag_concurrency);
  for (const auto& t : targets) {
    if (stop) break;
    drain(width - 1);
    in_flight.emplace_back(
        &t, std::async(std::launch::async, [&store, &ctx, &t] { store.tag(t, ctx.tag_sources); }));
  }
  drain(0);
  if (stop) throw exec::Interrupted("stopped while tagging sources");
  log::info("source.tagged",
            fmt::format("tagged {} source object(s), {} failed", out.tagged, out.tag_failures));
}

}  // namespace

Destination probe_destination(const plan::Plan& plan, const Shard& shard, DailyStore& store,
                              const ApplyContext& ctx, const std::atomic<bool>& stop) {
  Destination d;
  std::vector<std::string> keys;
  bool any_complete = false;
  for (std::size_t i = 0; i < plan.volumes.size(); ++i) {
    if (!shard.owns(i)) continue;
    if (stop) throw exec::Interrupted("stopped before writing");
    const auto& v = plan.volumes[i];
    keys.push_back(v.key);
    VolumeProbe p;
    if (auto head = store.head(ctx.bucket, v.key)) {
      p.archive_exists = true;
      p.archive_etag = head->etag;
      p.archive_size = head->size;
      if (auto idx = store.get(ctx.bucket, exec::index_key_for(v.key))) {
        p.index_exists = true;
        p.index_etag = index_etag(*idx);
        d.sidecars[i] = sidecar_members(*idx);
      }
    }
    const VolumeState state = classify(p);
    any_complete = any_complete || state == VolumeState::kComplete;
    if (state != VolumeState::kMissing)
      log::info("archive.found", fmt::format("s3://{}/{} is {}", ctx.bucket, v.key, to_string(state)),
                {{"archive", "s3://" + ctx.bucket + "/" + v.key}, {"state", to_string(state)}});
    d.probes[i] = p;
  }
  if (any_complete) {
    for (const auto& key : store.list(ctx.report_bucket, skip_records_prefix(ctx.day_prefix))) {
      const auto text = store.get(ctx.report_bucket, key);
      if (!text) continue;
      SkipRecord r = parse_skip_record(*text, "s3://" + ctx.report_bucket + "/" + key);
      if (r.volume < plan.volumes.size() && plan.volumes[r.volume].key == r.archive_key)
        d.skips[r.volume] = std::move(r.problems);
    }
  }
  if (!keys.empty()) {
    const std::set<std::string> wanted(keys.begin(), keys.end());
    for (auto& u : store.list_uploads(ctx.bucket, common_prefix(keys)))
      if (wanted.count(u.key)) d.open_uploads.push_back(std::move(u));
  }
  return d;
}

Applied apply(const plan::Plan& plan, const Actions& actions, DailyStore& store, const ApplyContext& ctx,
              const std::atomic<bool>& stop) {
  Applied out;
  std::vector<std::pair<std::size_t, bool>> jobs;
  for (std::size_t i : actions.write_new) jobs.emplace_back(i, false);
  for (std::size_t i : actions.overwrite) jobs.emplace_back(i, true);
  write_volumes(plan, jobs, store, ctx, out);

  std::set<std::string> complete_keys;
  for (std::size_t i : actions.complete) complete_keys.insert(plan.volumes[i].key);
  for (const auto& w : out.written) complete_keys.insert(w.result.key);
  for (const auto& c : out.completed_elsewhere) complete_keys.insert(plan.volumes[c.index].key);
  for (const auto& u : stale_uploads(actions.open_before, complete_keys)) {
    if (store.abort_upload(ctx.bucket, u.key, u.upload_id)) {
      ++out.stale_aborted;
      log::info("upload.stale_aborted",
                "aborted a stale multipart upload of s3://" + ctx.bucket + "/" + u.key,
                {{"upload_id", u.upload_id}, {"initiated", u.initiated}});
    }
  }

  if (!ctx.tag_sources.empty()) {
    std::vector<TagTarget> targets = actions.tag_complete;
    for (const auto& c : out.completed_elsewhere)
      for (const auto& m : c.members) targets.push_back({m.bucket, m.key, m.version_id, m.etag});
    for (const auto& w : out.written) targets.insert(targets.end(), w.members.begin(), w.members.end());
    if (!targets.empty()) tag_sources(targets, store, ctx, stop, out);
  }
  return out;
}

std::size_t write_catalog(const std::vector<CatalogArchive>& archives, DailyStore& store,
                          const ApplyContext& ctx, const std::string& part_key) {
  if (archives.empty()) return 0;
  std::vector<catalog::Row> rows;
  for (const auto& a : archives) {
    const std::string index_key = exec::index_key_for(a.key);
    const std::string url = "s3://" + ctx.bucket + "/" + index_key;
    auto sidecar = store.get(ctx.bucket, index_key);
    if (!sidecar)
      throw TransientError(url + ": the index sidecar is gone; the catalog was not written; run again");
    // One parse of the sidecar (megabytes of JSON for a large volume) gives both the rows and
    // the ETag it names; the text is parsed again only when it is no sidecar.
    std::vector<catalog::Row> archive_rows;
    std::string named;
    try {
      archive_rows = catalog::rows_from_sidecar(*sidecar, url);
      named = archive_rows.empty() ? index_etag(*sidecar) : unquoted(archive_rows.front().archive_etag);
    } catch (const inventory::BadInputError&) {
      named = index_etag(*sidecar);
      if (named == a.etag) throw;
    }
    if (named != a.etag)
      throw TransientError(url + ": names ETag " + named + ", the archive has " + a.etag +
                           "; another run is rewriting it; the catalog was not written; run again");
    rows.insert(rows.end(), std::make_move_iterator(archive_rows.begin()),
                std::make_move_iterator(archive_rows.end()));
  }
  const std::size_t count = rows.size();
  std::string part = catalog::render_part(std::move(rows));
  // A re-run of a complete day finds the same bytes there and leaves them (and the day's keys)
  // untouched; a missing or different part is written.
  if (store.get(ctx.report_bucket, part_key) == part) {
    log::info("catalog.unchanged", "catalog s3://" + ctx.report_bucket + "/" + part_key + " is up to date",
              {{"catalog", "s3://" + ctx.report_bucket + "/" + part_key}});
    return count;
  }
  store.put(ctx.report_bucket, part_key, std::move(part), "application/gzip");
  log::info("catalog.written",
            fmt::format("catalog s3://{}/{}: {} object(s) in {} archive(s)", ctx.report_bucket, part_key,
                        count, archives.size()),
            {{"catalog", "s3://" + ctx.report_bucket + "/" + part_key},
             {"objects", count},
             {"archives", archives.size()}});
  return count;
}

}  // namespace s3tar::scheduler
