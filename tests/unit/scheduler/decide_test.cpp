// The daily job's decisions without a server: what a run writes, leaves alone, aborts and
// reports, for the cases the end-to-end tests run against RGW and the unattended-night ones.
#include "scheduler/decide.h"

#include <gtest/gtest.h>

#include "inventory/errors.h"
#include "s3tar/exit_codes.h"
#include "scheduler/job.h"

namespace s3tar::scheduler {
namespace {

namespace bg = boost::gregorian;

plan::Plan day_plan(int n_members = 30) {
  const DailyConfig c = parse_config(
      R"({"inventory": "s3://inv/src/daily/", "destination": "s3://dest/archives", "size_limit": "12MiB"})");
  std::vector<plan::Member> m;
  for (int i = 0; i < n_members; ++i)
    m.push_back({"src", "logs/" + std::to_string(i) + ".log", "", "etag" + std::to_string(i),
                 static_cast<std::uint64_t>(1 + (i % 5)) * 1024 * 1024, 1700000000 + i});
  plan::Plan p = plan::make_plan(std::move(m), job_settings(c).write.plan);
  assign_keys(p, c, "src", bg::date(2025, 11, 20));
  return p;
}

std::vector<SidecarMember> sidecar_of(const plan::Volume& v, const std::set<std::string>& left_out = {}) {
  std::vector<SidecarMember> out;
  for (const auto& m : v.members)
    if (!left_out.count(std::string(m.key())))
      out.push_back({m.bucket(), std::string(m.key()), std::string(m.version_id()), m.etag(), m.size});
  return out;
}

// The destination as a run that completed volumes `done` (and left the others alone) leaves it.
Destination complete(const plan::Plan& p, const std::vector<std::size_t>& done) {
  Destination d;
  for (std::size_t i : done) {
    d.probes[i] = {true, "etag-" + std::to_string(i), 100, true, "etag-" + std::to_string(i)};
    d.sidecars[i] = sidecar_of(p.volumes[i]);
  }
  return d;
}

inventory::NotArchivable glacier_object() {
  inventory::NotArchivable n;
  n.object = {"src", "cold.bin", "", 4000, 1700000000, "e", "GLACIER"};
  n.reason = "GLACIER";
  return n;
}

TEST(Decide, FirstRunWritesEveryVolumeWithIfNoneMatch) {
  const plan::Plan p = day_plan();
  ASSERT_GE(p.volumes.size(), 3u);
  const Actions a = decide(p, Shard{}, Destination{}, {}, Policy{});
  EXPECT_EQ(a.write_new.size(), p.volumes.size());
  EXPECT_TRUE(a.overwrite.empty());
  EXPECT_TRUE(a.complete.empty());
  const Conclusion c = conclude(p, a, Applied{}, Destination{}, Policy{});
  EXPECT_FALSE(c.rerun_of_complete_day);
  EXPECT_EQ(c.exit_code, kSuccess);
}

TEST(Decide, AKilledRunsLeftoversAreRewrittenAndItsUploadsAbortedAfterwards) {
  const plan::Plan p = day_plan();
  Destination d = complete(p, {0});
  d.probes[1] = {true, "etag-1", 100, false, ""};  // archive without sidecar: died in between
  d.open_uploads = {{p.volumes[2].key, "u-dead", "2025-11-21T01:00:00Z"}};
  const Actions a = decide(p, Shard{}, d, {}, Policy{});
  EXPECT_EQ(a.complete, (std::vector<std::size_t>{0}));
  EXPECT_EQ(a.overwrite, (std::vector<std::size_t>{1}));
  EXPECT_EQ(a.write_new.front(), 2u);
  // The dead run's upload goes once its key is complete, not before.
  EXPECT_TRUE(stale_uploads(a.open_before, {p.volumes[0].key}).empty());
  EXPECT_EQ(stale_uploads(a.open_before, {p.volumes[2].key}).size(), 1u);
}

TEST(Decide, TheSweepNeverAbortsAnUploadOpenedAfterTheProbe) {
  // A scheduler firing twice: run B opens its upload for volume 2 after run A probed. A's sweep
  // only sees what A's probe listed, so B's upload is never aborted by A.
  const plan::Plan p = day_plan();
  Destination d;
  d.open_uploads = {};  // nothing open when A probed
  const Actions a = decide(p, Shard{}, d, {}, Policy{});
  std::set<std::string> all;
  for (const auto& v : p.volumes) all.insert(v.key);
  EXPECT_TRUE(stale_uploads(a.open_before, all).empty());
}

TEST(Decide, ReRunOfACompleteDayWritesNothingAndReturnsTheSameCode) {
  const plan::Plan p = day_plan();
  std::vector<std::size_t> all;
  for (std::size_t i = 0; i < p.volumes.size(); ++i) all.push_back(i);
  {
    const Destination d = complete(p, all);
    const Actions a = decide(p, Shard{}, d, {glacier_object()}, Policy{});
    EXPECT_TRUE(a.write_new.empty());
    EXPECT_TRUE(a.overwrite.empty());
    const Conclusion c = conclude(p, a, Applied{}, d, Policy{});
    EXPECT_TRUE(c.rerun_of_complete_day);
    EXPECT_EQ(c.exit_code, kSuccess);
    EXPECT_EQ(c.archived_objects, 30u);
  }
  {
    // The completing run left one source out (exit 6): the re-run says 6 too, and why.
    Destination d = complete(p, all);
    const std::string gone = std::string(p.volumes[1].members[0].key());
    d.sidecars[1] = sidecar_of(p.volumes[1], {gone});
    d.skips[1] = {{"src", gone, "", "missing", "NoSuchKey"}};
    const Actions a = decide(p, Shard{}, d, {}, Policy{});
    const Conclusion c = conclude(p, a, Applied{}, d, Policy{});
    EXPECT_TRUE(c.rerun_of_complete_day);
    EXPECT_EQ(c.exit_code, kPartial);
    ASSERT_EQ(c.rows.size(), 1u);
    EXPECT_EQ(c.rows[0].key, gone);
    EXPECT_EQ(c.rows[0].reason, "missing");
  }
}

TEST(Decide, SkipsOfEarlierAttemptsAreReportedEvenWithoutTheirRecord) {
  // An attempt wrote volume 0 without one source and was killed before recording why.
  const plan::Plan p = day_plan();
  Destination d = complete(p, {0});
  const std::string gone = std::string(p.volumes[0].members[1].key());
  d.sidecars[0] = sidecar_of(p.volumes[0], {gone});
  const Actions a = decide(p, Shard{}, d, {}, Policy{});
  ASSERT_EQ(a.earlier_skips.size(), 1u);
  EXPECT_EQ(a.earlier_skips[0].key, gone);
  EXPECT_EQ(a.earlier_skips[0].reason, "unreadable");
  EXPECT_EQ(a.earlier_skips[0].size, p.volumes[0].members[1].size);
  // This attempt writes the rest without skips: the day still ends in 6, with the row.
  Applied applied;
  for (std::size_t i : a.write_new) applied.written.push_back({i, {}, 0, false, {}});
  const Conclusion c = conclude(p, a, applied, d, Policy{});
  EXPECT_EQ(c.exit_code, kPartial);
  EXPECT_EQ(c.skipped_by_reason.at("unreadable"), 1u);
}

TEST(Decide, AlreadyArchivedObjectsAreListedButDoNotMakeExit6) {
  const plan::Plan p = day_plan();
  const Actions a = decide(p, Shard{}, Destination{}, {glacier_object()}, Policy{});
  ASSERT_EQ(a.already_archived.size(), 1u);
  const Conclusion c = conclude(p, a, Applied{}, Destination{}, Policy{});
  EXPECT_EQ(c.exit_code, kSuccess);
  ASSERT_EQ(c.rows.size(), 1u);
  EXPECT_EQ(c.rows[0].reason, "already-archived");
  EXPECT_EQ(c.already_archived_objects, 1u);
  EXPECT_EQ(c.skipped_objects, 0u);
  // The config switch counts them as skipped.
  const Policy strict{true, true};
  const Conclusion s = conclude(p, decide(p, Shard{}, Destination{}, {glacier_object()}, strict), Applied{},
                                Destination{}, strict);
  EXPECT_EQ(s.exit_code, kPartial);
  EXPECT_EQ(s.skipped_by_reason.at("already-archived"), 1u);
  // Only shard 0 reports them (they are the whole job's).
  EXPECT_TRUE(decide(p, Shard{1, 2}, Destination{}, {glacier_object()}, Policy{false, false})
                  .already_archived.empty());
}

TEST(Decide, SourcesThatChangedAreSkippedWithExit6) {
  const plan::Plan p = day_plan();
  const Actions a = decide(p, Shard{}, Destination{}, {}, Policy{});
  Applied applied;
  const auto& m = p.volumes[0].members[0];
  applied.skipped.push_back({m.bucket(), std::string(m.key()), "", "changed", "PreconditionFailed"});
  const Conclusion c = conclude(p, a, applied, Destination{}, Policy{});
  EXPECT_EQ(c.exit_code, kPartial);
  ASSERT_EQ(c.rows.size(), 1u);
  EXPECT_EQ(c.rows[0].size, m.size);
  EXPECT_EQ(c.skipped_bytes, m.size);
}

TEST(Decide, ShardsOwnDisjointVolumes) {
  const plan::Plan p = day_plan();
  std::set<std::size_t> seen;
  for (std::uint32_t i = 0; i < 3; ++i)
    for (std::size_t v : decide(p, Shard{i, 3}, Destination{}, {}, Policy{}).write_new) {
      EXPECT_EQ(v % 3, i);
      EXPECT_TRUE(seen.insert(v).second);
    }
  EXPECT_EQ(seen.size(), p.volumes.size());
}

TEST(Decide, TagFailuresMakeExit6AndAReRunThatTagsIsNotAComplete) {
  const plan::Plan p = day_plan();
  std::vector<std::size_t> all;
  for (std::size_t i = 0; i < p.volumes.size(); ++i) all.push_back(i);
  const Destination d = complete(p, all);
  const Actions a = decide(p, Shard{}, d, {}, Policy{});
  EXPECT_EQ(a.tag_complete.size(), 30u);
  Applied applied;
  applied.tag_failures = 1;
  const Conclusion c = conclude(p, a, applied, d, Policy{});
  EXPECT_EQ(c.exit_code, kPartial);
  EXPECT_FALSE(c.rerun_of_complete_day);  // its reports say what failed
}

TEST(Decide, CatalogListsEveryArchiveOfTheShardInPlanOrder) {
  const plan::Plan p = day_plan();
  ASSERT_GE(p.volumes.size(), 4u);
  // Volume 0 was complete before the run; 1 written by it; 2 completed by another run while
  // this one wrote it; 3 lost all its sources (no archive, no rows).
  Destination d = complete(p, {0});
  Actions a = decide(p, Shard{}, d, {}, Policy{});
  Applied applied;
  WrittenVolume w;
  w.index = 1;
  w.result.etag = "etag-w1";
  applied.written.push_back(w);
  CompletedElsewhere other;
  other.index = 2;
  other.probe.archive_etag = "etag-o2";
  applied.completed_elsewhere.push_back(other);
  applied.all_skipped.push_back(3);
  const std::vector<CatalogArchive> expected = {
      {0, p.volumes[0].key, "etag-0"}, {1, p.volumes[1].key, "etag-w1"}, {2, p.volumes[2].key, "etag-o2"}};
  EXPECT_EQ(catalog_archives(p, a, applied, d), expected);

  // The re-run finds all three complete and lists the same archives with the same ETags.
  Destination after = complete(p, {0, 1, 2});
  after.probes[1].archive_etag = after.probes[1].index_etag = "etag-w1";
  after.probes[2].archive_etag = after.probes[2].index_etag = "etag-o2";
  Actions again = decide(p, Shard{}, after, {}, Policy{});
  again.write_new.clear();  // volume 3 would be retried; it loses its sources again
  EXPECT_EQ(catalog_archives(p, again, Applied{}, after), expected);
}

TEST(Decide, CatalogOfAShardHoldsOnlyItsVolumes) {
  const plan::Plan p = day_plan();
  const Shard second{1, 2};
  const Destination d = complete(p, {0, 1, 2, 3});
  const Actions a = decide(p, second, d, {}, Policy{});
  for (const auto& archive : catalog_archives(p, a, Applied{}, d))
    EXPECT_NE(std::find(a.owned.begin(), a.owned.end(), archive.index), a.owned.end()) << archive.key;
  EXPECT_EQ(catalog_archives(p, a, Applied{}, d).size(), a.complete.size());
  EXPECT_FALSE(a.complete.empty());
}

TEST(State, SkipRecordRoundTrip) {
  const SkipRecord r{2, "a/b-0003.tar", {{"src", "k, \"1\"", "v", "changed", "PreconditionFailed"}}};
  EXPECT_EQ(skip_record_key("r/2025/11/20/", 2), "r/2025/11/20/skipped/0003.json");
  const SkipRecord back = parse_skip_record(render_skip_record(r), "rec");
  EXPECT_EQ(back.volume, 2u);
  EXPECT_EQ(back.archive_key, r.archive_key);
  ASSERT_EQ(back.problems.size(), 1u);
  EXPECT_EQ(back.problems[0].key, "k, \"1\"");
  EXPECT_EQ(back.problems[0].reason, "changed");
  EXPECT_THROW(parse_skip_record("{}", "rec"), inventory::BadInputError);
}

}  // namespace
}  // namespace s3tar::scheduler
