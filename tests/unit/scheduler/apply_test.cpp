// The apply step against an in-memory DailyStore: the requests a run makes, in the situations
// the end-to-end tests and the unattended-nights issue describe (a scheduler firing twice, a
// killed run's leftovers, sources skipped by an earlier attempt).
#include "scheduler/apply.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <thread>

#include "catalog/catalog.h"
#include "inventory/errors.h"
#include "s3tar/errors.h"
#include "s3tar/exit_codes.h"
#include "scheduler/job.h"

namespace s3tar::scheduler {
namespace {

namespace bg = boost::gregorian;

// Thread-safe: apply writes several volumes at once. `on_write` runs outside the lock.
class MemoryStore : public DailyStore {
 public:
  std::map<std::string, std::string> objects;  // "bucket/key" -> body
  std::map<std::string, std::string> etags;
  std::vector<s3::UploadInfo> uploads;  // open uploads (bucket "dest")
  std::set<std::string> unreadable;     // source keys whose reads fail ("missing")
  std::vector<std::string> aborted;     // upload ids
  std::vector<std::string> tagged;
  std::vector<std::string> written;   // archive keys
  std::vector<std::string> put_keys;  // every put
  // Called instead of writing volume `index` when set (another run's behaviour).
  std::function<std::optional<VolumeWrite>(std::size_t index, const plan::Plan&)> on_write;

  std::optional<s3::ObjectInfo> head(const std::string& b, const std::string& k) override {
    std::lock_guard lock(mu_);
    auto it = objects.find(b + "/" + k);
    if (it == objects.end()) return std::nullopt;
    s3::ObjectInfo i;
    i.size = it->second.size();
    i.etag = etags[b + "/" + k];
    return i;
  }
  std::optional<std::string> get(const std::string& b, const std::string& k) override {
    std::lock_guard lock(mu_);
    auto it = objects.find(b + "/" + k);
    if (it == objects.end()) return std::nullopt;
    return it->second;
  }
  bool put(const std::string& b, const std::string& k, std::string body, const std::string&,
           bool inm) override {
    std::lock_guard lock(mu_);
    if (inm && objects.count(b + "/" + k)) return false;
    put_keys.push_back(k);
    objects[b + "/" + k] = std::move(body);
    etags[b + "/" + k] = "e-" + k;
    return true;
  }
  std::vector<std::string> list(const std::string& b, const std::string& prefix) override {
    std::lock_guard lock(mu_);
    std::vector<std::string> out;
    for (const auto& [k, v] : objects)
      if (k.starts_with(b + "/" + prefix)) out.push_back(k.substr(b.size() + 1));
    return out;
  }
  std::vector<s3::UploadInfo> list_uploads(const std::string&, const std::string& prefix) override {
    std::lock_guard lock(mu_);
    std::vector<s3::UploadInfo> out;
    for (const auto& u : uploads)
      if (u.key.starts_with(prefix)) out.push_back(u);
    return out;
  }
  bool abort_upload(const std::string&, const std::string&, const std::string& id) override {
    std::lock_guard lock(mu_);
    for (auto it = uploads.begin(); it != uploads.end(); ++it)
      if (it->upload_id == id) {
        uploads.erase(it);
        aborted.push_back(id);
        return true;
      }
    return false;  // NoSuchUpload: tolerated
  }
  void tag(const TagTarget& t, const std::vector<std::pair<std::string, std::string>>&) override {
    std::lock_guard lock(mu_);
    tagged.push_back(t.key);
  }
  VolumeWrite write_volume(const plan::Plan& plan, std::size_t index, bool if_none_match) override {
    if (on_write)
      if (auto w = on_write(index, plan)) return *w;
    return write_as_a_run_would(plan, index, if_none_match);
  }

  // Archive + sidecar, leaving out the unreadable sources.
  VolumeWrite write_as_a_run_would(const plan::Plan& plan, std::size_t index, bool if_none_match) {
    std::lock_guard lock(mu_);
    VolumeWrite w;
    w.volume = plan.volumes[index];
    std::vector<plan::Member> readable;
    for (const auto& m : plan.volumes[index].members) {
      if (unreadable.count(std::string(m.key())))
        w.skipped.push_back({m.bucket(), std::string(m.key()), "", "missing", "NoSuchKey"});
      else
        readable.push_back(m);
    }
    w.volume.members = plan::MemberRange(std::move(readable));
    if (w.volume.members.empty()) {
      w.outcome = VolumeWrite::Outcome::kAllSkipped;
      return w;
    }
    const std::string key = "dest/" + w.volume.key;
    if (if_none_match && objects.count(key)) {
      w.outcome = VolumeWrite::Outcome::kLostRace;
      w.detail = "PreconditionFailed";
      return w;
    }
    objects[key] = "tar bytes";
    etags[key] = "etag-" + w.volume.key;
    w.volume.data_offsets.assign(w.volume.members.size(), 0);
    objects[key + ".index.json"] = exec::render_index("dest", w.volume, "etag-" + w.volume.key);
    w.result = {"dest",
                w.volume.key,
                9,
                "etag-" + w.volume.key,
                w.volume.members.size(),
                1,
                w.volume.key + ".index.json"};
    written.push_back(w.volume.key);
    return w;
  }

 private:
  std::recursive_mutex mu_;
};

plan::Plan day_plan() {
  const DailyConfig c = parse_config(
      R"({"inventory": "s3://inv/src/daily/", "destination": "s3://dest/archives", "size_limit": "12MiB"})");
  std::vector<plan::Member> m;
  for (int i = 0; i < 30; ++i)
    m.push_back({"src", "logs/" + std::to_string(i) + ".log", "", "etag" + std::to_string(i),
                 static_cast<std::uint64_t>(1 + (i % 5)) * 1024 * 1024, 1700000000 + i});
  plan::Plan p = plan::make_plan(std::move(m), job_settings(c).write.plan);
  assign_keys(p, c, "src", bg::date(2025, 11, 20));
  return p;
}

const ApplyContext kContext{"dest", "dest", "archives/_reports/2025/11/20/",
                            {},     4,      std::chrono::milliseconds(1)};

struct RunResult {
  Destination dest;
  Actions actions;
  Applied applied;
  Conclusion conclusion;
};

RunResult run_once(const plan::Plan& p, MemoryStore& store, const ApplyContext& ctx = kContext) {
  const std::atomic<bool> stop{false};
  RunResult r;
  r.dest = probe_destination(p, Shard{}, store, ctx, stop);
  r.actions = decide(p, Shard{}, r.dest, {}, Policy{});
  r.applied = apply(p, r.actions, store, ctx, stop);
  r.conclusion = conclude(p, r.actions, r.applied, r.dest, Policy{});
  return r;
}

TEST(Apply, WritesTheDayThenAReRunWritesNothing) {
  const plan::Plan p = day_plan();
  MemoryStore store;
  const RunResult first = run_once(p, store);
  EXPECT_EQ(first.applied.written.size(), p.volumes.size());
  EXPECT_EQ(first.conclusion.exit_code, kSuccess);
  store.written.clear();
  const RunResult again = run_once(p, store);
  EXPECT_TRUE(store.written.empty());
  EXPECT_TRUE(again.conclusion.rerun_of_complete_day);
  EXPECT_EQ(again.conclusion.archived_objects, 30u);
  EXPECT_EQ(again.conclusion.exit_code, kSuccess);
}

const std::string kPart = "archives/_reports/catalog/dt=2025-11-20/part-0000.csv.gz";

std::size_t catalog_once(const plan::Plan& p, const RunResult& r, MemoryStore& store) {
  return write_catalog(catalog_archives(p, r.actions, r.applied, r.dest), store, kContext, kPart);
}

TEST(Apply, TheCatalogListsEveryArchivedObjectAndAReRunRewritesItIdentically) {
  const plan::Plan p = day_plan();
  MemoryStore store;
  store.unreadable = {"logs/7.log"};
  const RunResult first = run_once(p, store);
  EXPECT_EQ(catalog_once(p, first, store), 29u);
  const std::string part = store.objects.at("dest/" + kPart);
  const auto rows = catalog::parse_part(part, kPart);
  ASSERT_EQ(rows.size(), 29u);
  std::set<std::string> keys;
  for (const auto& r : rows) {
    keys.insert(r.key);
    EXPECT_EQ(r.archive_etag, "etag-" + r.archive_key);
    EXPECT_EQ(r.archive_bucket, "dest");
  }
  EXPECT_EQ(keys.size(), 29u);
  EXPECT_FALSE(keys.count("logs/7.log"));  // skipped: in no archive, so not catalogued

  // A re-run finds the part up to date and writes nothing; a damaged part is rewritten.
  const RunResult again = run_once(p, store);
  store.put_keys.clear();
  EXPECT_EQ(catalog_once(p, again, store), 29u);
  EXPECT_TRUE(store.put_keys.empty());
  store.objects["dest/" + kPart] = "damaged";
  EXPECT_EQ(catalog_once(p, again, store), 29u);
  EXPECT_EQ(store.put_keys, std::vector<std::string>{kPart});
  EXPECT_EQ(store.objects.at("dest/" + kPart), part);
}

TEST(Apply, ASidecarThatDoesNotMatchItsArchiveIsNotCatalogued) {
  const plan::Plan p = day_plan();
  MemoryStore store;
  const RunResult first = run_once(p, store);
  const std::string sidecar = "dest/" + exec::index_key_for(p.volumes[0].key);
  store.objects[sidecar] = exec::render_index("dest", p.volumes[0], "etag-of-another-write");
  EXPECT_THROW(catalog_once(p, first, store), TransientError);
  store.objects[sidecar] = "not json";  // names no ETag: not the archive's sidecar
  EXPECT_THROW(catalog_once(p, first, store), TransientError);
  store.objects[sidecar] = R"({"etag": "\"etag-of-another-write\"", "members": []})";
  EXPECT_THROW(catalog_once(p, first, store), TransientError);
  store.objects.erase(sidecar);
  EXPECT_THROW(catalog_once(p, first, store), TransientError);
  EXPECT_FALSE(store.objects.count("dest/" + kPart));
}

TEST(Apply, ASidecarNamingItsArchiveButNotASidecarIsBadInput) {
  const plan::Plan p = day_plan();
  MemoryStore store;
  const RunResult first = run_once(p, store);
  const std::string sidecar = "dest/" + exec::index_key_for(p.volumes[0].key);
  // The archive's ETag, quoted, but no members: the text is damaged, not another run's.
  store.objects[sidecar] = R"({"archive": "s3://dest/)" + p.volumes[0].key + R"(", "etag": "\"etag-)" +
                           p.volumes[0].key + R"(\""})";
  EXPECT_THROW(catalog_once(p, first, store), inventory::BadInputError);
  EXPECT_FALSE(store.objects.count("dest/" + kPart));
}

TEST(Apply, AKilledRunsUploadIsAbortedOnceItsKeyIsComplete) {
  const plan::Plan p = day_plan();
  MemoryStore store;
  store.uploads = {{p.volumes.back().key, "u-dead", "2025-11-21T01:00:00Z"}};
  const RunResult r = run_once(p, store);
  EXPECT_EQ(store.aborted, (std::vector<std::string>{"u-dead"}));
  EXPECT_EQ(r.applied.stale_aborted, 1u);
  EXPECT_TRUE(store.uploads.empty());
}

TEST(Apply, ASweepThatFindsTheUploadGoneCarriesOn) {
  const plan::Plan p = day_plan();
  MemoryStore store;
  const std::atomic<bool> stop{false};
  const Destination d = probe_destination(p, Shard{}, store, kContext, stop);
  Actions a = decide(p, Shard{}, d, {}, Policy{});
  // Listed at the probe, completed or aborted by its own run since: NoSuchUpload.
  a.open_before.push_back({p.volumes[0].key, "u-gone", "2025-11-21T01:00:00Z"});
  Applied applied;
  EXPECT_NO_THROW(applied = apply(p, a, store, kContext, stop));
  EXPECT_EQ(applied.stale_aborted, 0u);
}

TEST(Apply, AnotherRunsLiveUploadIsNeverAborted) {
  // A scheduler firing twice: the other run opens its upload of volume 2 while this run writes
  // volume 0. This run's sweep leaves it alone; the other run completes it.
  const plan::Plan p = day_plan();
  MemoryStore store;
  store.on_write = [&](std::size_t index, const plan::Plan&) -> std::optional<VolumeWrite> {
    if (index == 0 && store.uploads.empty()) store.uploads.push_back({p.volumes[2].key, "u-live", "now"});
    return std::nullopt;
  };
  run_once(p, store);
  EXPECT_TRUE(store.aborted.empty());
  EXPECT_EQ(store.uploads.size(), 1u);
}

TEST(Apply, AVolumeAnotherRunCompletedFirstCountsAsComplete) {
  const plan::Plan p = day_plan();
  MemoryStore store;
  // The other run completes volume 1 (archive and sidecar) just before this one's Complete.
  store.on_write = [&](std::size_t index, const plan::Plan& plan) -> std::optional<VolumeWrite> {
    if (index != 1) return std::nullopt;
    store.write_as_a_run_would(plan, 1, true);
    VolumeWrite lost;
    lost.outcome = VolumeWrite::Outcome::kLostRace;
    lost.detail = "NoSuchUpload";
    return lost;
  };
  const RunResult r = run_once(p, store);
  ASSERT_EQ(r.applied.completed_elsewhere.size(), 1u);
  EXPECT_EQ(r.applied.completed_elsewhere[0].index, 1u);
  EXPECT_EQ(r.conclusion.exit_code, kSuccess);
  EXPECT_EQ(r.conclusion.archived_objects, 30u);
}

TEST(Apply, AVolumeAnotherRunIsStillWritingIsARetryableError) {
  const plan::Plan p = day_plan();
  MemoryStore store;
  store.on_write = [&](std::size_t index, const plan::Plan&) -> std::optional<VolumeWrite> {
    if (index != 0) return std::nullopt;
    VolumeWrite lost;
    lost.outcome = VolumeWrite::Outcome::kLostRace;
    lost.detail = "NoSuchUpload";
    return lost;  // and the key never becomes complete
  };
  try {
    run_once(p, store);
    FAIL() << "no error";
  } catch (const s3tar::Error& e) {
    EXPECT_EQ(e.category(), ErrorCategory::Transient);
  }
}

TEST(Apply, SkipsSurviveAnInterruptedAttempt) {
  const plan::Plan p = day_plan();
  MemoryStore store;
  const std::string gone = std::string(p.volumes[0].members[0].key());
  store.unreadable = {gone};
  // The first attempt writes volume 0 without the vanished source, then stops.
  const std::atomic<bool> stop{false};
  {
    const Destination d = probe_destination(p, Shard{}, store, kContext, stop);
    Actions a = decide(p, Shard{}, d, {}, Policy{});
    a.write_new = {0};
    const Applied applied = apply(p, a, store, kContext, stop);
    ASSERT_EQ(applied.skipped.size(), 1u);
  }
  EXPECT_TRUE(store.objects.count("dest/" + skip_record_key(kContext.day_prefix, 0)));
  // The re-run writes the rest; its reports still list the source the first attempt left out.
  store.unreadable.clear();
  const RunResult r = run_once(p, store);
  EXPECT_EQ(r.applied.written.size(), p.volumes.size() - 1);
  ASSERT_EQ(r.conclusion.skipped_objects, 1u);
  EXPECT_EQ(r.conclusion.rows[0].key, gone);
  EXPECT_EQ(r.conclusion.rows[0].reason, "missing");
  EXPECT_EQ(r.conclusion.exit_code, kPartial);
  // And so does a re-run of the complete day, with the same code.
  const RunResult again = run_once(p, store);
  EXPECT_TRUE(again.conclusion.rerun_of_complete_day);
  EXPECT_EQ(again.conclusion.exit_code, kPartial);
  EXPECT_EQ(again.conclusion.rows.size(), 1u);
}

TEST(Apply, TagsExactlyWhatWasArchived) {
  const plan::Plan p = day_plan();
  MemoryStore store;
  store.unreadable = {std::string(p.volumes[0].members[0].key())};
  ApplyContext ctx = kContext;
  ctx.tag_sources = {{"archived", "yes"}};
  const RunResult r = run_once(p, store, ctx);
  EXPECT_EQ(r.applied.tagged, 29u);
  EXPECT_EQ(store.tagged.size(), 29u);
}

}  // namespace
}  // namespace s3tar::scheduler

namespace s3tar::scheduler {
namespace {

using namespace std::chrono_literals;

// Counts the volumes inside write_volume at once. Each one waits (at most `patience`) until two
// have been in flight together, so that writes one after another show as 1, not as a race won.
struct InFlight {
  std::mutex mu;
  std::condition_variable cv;
  int inside = 0, most = 0;
  std::chrono::milliseconds patience{3000};

  void enter_and_wait() {
    std::unique_lock lock(mu);
    most = std::max(most, ++inside);
    cv.notify_all();
    cv.wait_for(lock, patience, [&] { return most >= 2; });
    --inside;
  }
};

TEST(Apply, TwoVolumesOfADayAreInFlightTogether) {
  const plan::Plan p = day_plan();
  ASSERT_GE(p.volumes.size(), 3u);
  MemoryStore store;
  InFlight seen;
  store.on_write = [&](std::size_t, const plan::Plan&) -> std::optional<VolumeWrite> {
    seen.enter_and_wait();
    return std::nullopt;  // then written as a run would
  };
  ApplyContext ctx = kContext;
  ctx.volumes_in_flight = 2;
  const RunResult r = run_once(p, store, ctx);
  EXPECT_EQ(seen.most, 2);  // together, and never more than asked
  // Reported in plan order, whatever order they finished in.
  ASSERT_EQ(r.applied.written.size(), p.volumes.size());
  for (std::size_t i = 0; i < p.volumes.size(); ++i) EXPECT_EQ(r.applied.written[i].index, i);
  EXPECT_EQ(r.conclusion.archived_objects, 30u);
  EXPECT_EQ(r.conclusion.exit_code, kSuccess);
}

TEST(Apply, AFailedVolumeStopsTheRestAndIsThrown) {
  const plan::Plan p = day_plan();
  ASSERT_GE(p.volumes.size(), 3u);
  MemoryStore store;
  std::mutex mu;
  std::condition_variable cv;
  bool zero_failing = false;
  std::vector<std::size_t> started;
  store.on_write = [&](std::size_t index, const plan::Plan&) -> std::optional<VolumeWrite> {
    {
      std::unique_lock lock(mu);
      started.push_back(index);
      if (index == 0) {
        zero_failing = true;
        cv.notify_all();
      } else {
        // A volume that completes before volume 0's failure is recorded may rightly let the
        // next one start: hold it until the failure is under way, then long enough for it to
        // be recorded (a throw and a catch) even on a loaded machine.
        cv.wait(lock, [&] { return zero_failing; });
      }
    }
    if (index == 0) throw TransientError("SlowDown through every retry");
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    return std::nullopt;
  };
  ApplyContext ctx = kContext;
  ctx.volumes_in_flight = 2;
  try {
    run_once(p, store, ctx);
    FAIL() << "no error";
  } catch (const s3tar::Error& e) {
    EXPECT_EQ(e.category(), ErrorCategory::Transient);
    EXPECT_NE(std::string(e.what()).find("SlowDown"), std::string::npos);
  }
  // Volume 1 may have been in flight with volume 0 (and completed: a re-run keeps it); no
  // volume started after the failure.
  std::sort(started.begin(), started.end());
  EXPECT_LE(started.size(), 2u);
  EXPECT_EQ(started.front(), 0u);
  for (const auto& key : store.written) EXPECT_EQ(key, p.volumes[1].key);
}

}  // namespace
}  // namespace s3tar::scheduler
