#include "scheduler/job.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include "inventory/errors.h"

namespace s3tar::scheduler {
namespace {

namespace bg = boost::gregorian;

DailyConfig config() {
  return parse_config(
      R"({"inventory": "s3://inv-bucket/src-bucket/daily/", "destination": "s3://dest-bucket/archives",
          "size_limit": "12MiB"})");
}

std::vector<plan::Member> members(int n) {
  std::vector<plan::Member> out;
  for (int i = 0; i < n; ++i)
    out.push_back({"src-bucket", "logs/" + std::to_string(i) + ".log", "", "etag" + std::to_string(i),
                   static_cast<std::uint64_t>(1 + (i % 7)) * 1024 * 1024, 1700000000 + i});
  return out;
}

plan::Plan make(std::vector<plan::Member> m) {
  const DailyConfig c = config();
  plan::Plan p = plan::make_plan(std::move(m), job_settings(c).write.plan);
  assign_keys(p, c, "src-bucket", bg::date(2025, 11, 20));
  return p;
}

TEST(Job, VolumesAreNamedFromTheTemplate) {
  const plan::Plan p = make(members(40));
  ASSERT_GT(p.volumes.size(), 3u);
  for (std::size_t i = 0; i < p.volumes.size(); ++i) {
    char suffix[32];
    std::snprintf(suffix, sizeof suffix, "-%04zu.tar", i + 1);
    EXPECT_EQ(p.volumes[i].key, "archives/src-bucket/2025/11/20/src-bucket-2025-11-20" + std::string(suffix));
  }
}

TEST(Job, SamePlanWhateverTheInventoryRowOrder) {
  auto m = members(40);
  const plan::Plan a = make(m);
  std::reverse(m.begin(), m.end());
  const plan::Plan b = make(m);
  ASSERT_EQ(a.volumes.size(), b.volumes.size());
  for (std::size_t i = 0; i < a.volumes.size(); ++i) {
    EXPECT_EQ(a.volumes[i].key, b.volumes[i].key);
    ASSERT_EQ(a.volumes[i].members.size(), b.volumes[i].members.size());
    for (std::size_t j = 0; j < a.volumes[i].members.size(); ++j)
      EXPECT_EQ(std::string(a.volumes[i].members[j].key()), std::string(b.volumes[i].members[j].key()));
    EXPECT_EQ(a.volumes[i].total_size, b.volumes[i].total_size);
  }
}

TEST(Job, ShardPlansPartitionTheVolumes) {
  const plan::Plan p = make(members(40));
  for (std::uint32_t n = 1; n <= 4; ++n) {
    std::multiset<std::string> keys;
    std::uint64_t bytes = 0;
    for (std::uint32_t i = 0; i < n; ++i) {
      const plan::Plan s = shard_plan(p, Shard{i, n});
      for (const auto& v : s.volumes) keys.insert(v.key);
      bytes += s.stats.archive_bytes;
    }
    std::multiset<std::string> all;
    for (const auto& v : p.volumes) all.insert(v.key);
    EXPECT_EQ(keys, all) << n;
    EXPECT_EQ(bytes, p.stats.archive_bytes) << n;
  }
}

TEST(Job, CustomTemplate) {
  DailyConfig c = config();
  c.naming = "{prefix}/{nnnn}.tar";
  plan::Plan p = plan::make_plan(members(40), job_settings(c).write.plan);
  EXPECT_NO_THROW(assign_keys(p, c, "src-bucket", bg::date(2025, 11, 20)));
  EXPECT_EQ(p.volumes[0].key, "archives/0001.tar");
}

TEST(Job, FilterKeepsTheDayAndLeavesOutTheJobsOwnOutputs) {
  const DailyConfig c = config();
  const auto f = make_filter(c, bg::date(2025, 11, 20), inventory::TimeZone::utc(), "src-bucket");
  EXPECT_EQ(f.day, bg::date(2025, 11, 20));
  EXPECT_EQ(f.min_size, 0u);  // keep size > 0
  EXPECT_TRUE(f.exclude_prefixes.empty());
  // Archiving a bucket into itself: the archives and reports are not sources the next day.
  const auto self = make_filter(c, bg::date(2025, 11, 20), inventory::TimeZone::utc(), "dest-bucket");
  EXPECT_EQ(self.exclude_prefixes, (std::vector<std::string>{"archives/", "archives/_reports/"}));
}

TEST(Job, StateRoundTrip) {
  const DayState s{"inv-bucket", "src/daily/", "2025-11-21T01-00Z", "2025-11-20"};
  const DayState back = parse_state(render_state(s), "state.json");
  EXPECT_EQ(back.inventory_bucket, s.inventory_bucket);
  EXPECT_EQ(back.inventory_prefix, s.inventory_prefix);
  EXPECT_EQ(back.folder, s.folder);
  EXPECT_EQ(back.date, s.date);
  EXPECT_THROW(parse_state("{}", "state.json"), inventory::BadInputError);
  EXPECT_THROW(parse_state("garbage", "state.json"), inventory::BadInputError);
  EXPECT_THROW(parse_state(R"({"inventory": {"bucket": "b", "prefix": "p/"}, "report_folder": "data",
                               "date": "2025-11-20"})",
                           "state.json"),
               inventory::BadInputError);
}

TEST(Job, NotArchivedCsv) {
  const std::string csv = render_not_archived_csv(
      {{"b", "a, \"quoted\" key", "v1", 10, 1732110307, "GLACIER", "archived-class", "GLACIER"},
       {"b", "plain", "", 5, 0, "", "changed", "PreconditionFailed"}});
  EXPECT_EQ(csv,
            "bucket,key,version_id,size,last_modified,storage_class,reason,detail\n"
            "b,\"a, \"\"quoted\"\" key\",v1,10,2024-11-20T13:45:07Z,GLACIER,archived-class,GLACIER\n"
            "b,plain,,5,,,changed,PreconditionFailed\n");
}

}  // namespace
}  // namespace s3tar::scheduler
