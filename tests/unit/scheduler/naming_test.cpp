#include "scheduler/naming.h"

#include <gtest/gtest.h>

#include <set>

#include "inventory/errors.h"
#include "scheduler/config.h"

namespace s3tar::scheduler {
namespace {

namespace bg = boost::gregorian;
using inventory::TimeZone;

std::int64_t at(const char* day, int hour, int minute = 0) {
  return inventory::unix_seconds(bg::from_simple_string(day)) + hour * 3600 + minute * 60;
}

TEST(TargetDate, YesterdayInUtc) {
  EXPECT_EQ(target_date(at("2025-11-21", 0, 30), TimeZone::utc()), bg::date(2025, 11, 20));
  EXPECT_EQ(target_date(at("2025-11-21", 23, 59), TimeZone::utc()), bg::date(2025, 11, 20));
  EXPECT_EQ(target_date(at("2025-01-01", 0), TimeZone::utc()), bg::date(2024, 12, 31));
  EXPECT_EQ(target_date(at("2024-03-01", 1), TimeZone::utc()), bg::date(2024, 2, 29));
}

TEST(TargetDate, YesterdayInTheConfiguredZone) {
  const TimeZone la = TimeZone::from_posix("PST8PDT,M3.2.0,M11.1.0", "America/Los_Angeles");
  // 05:00 UTC on the 21st is 21:00 on the 20th in Los Angeles (PST): yesterday is the 19th.
  EXPECT_EQ(target_date(at("2025-11-21", 5), la), bg::date(2025, 11, 19));
  EXPECT_EQ(target_date(at("2025-11-21", 9), la), bg::date(2025, 11, 20));
  const TimeZone tokyo = TimeZone::from_posix("JST-9", "Asia/Tokyo");
  // 16:00 UTC on the 20th is 01:00 on the 21st in Tokyo.
  EXPECT_EQ(target_date(at("2025-11-20", 16), tokyo), bg::date(2025, 11, 20));
  EXPECT_EQ(target_date(at("2025-11-20", 14), tokyo), bg::date(2025, 11, 19));
}

TEST(TargetDate, ParseDate) {
  EXPECT_EQ(parse_date("2025-11-20"), bg::date(2025, 11, 20));
  EXPECT_THROW(parse_date("2025-02-30"), UsageError);
  EXPECT_THROW(parse_date("2025-11-2"), UsageError);
  EXPECT_THROW(parse_date("20251120"), UsageError);
  EXPECT_THROW(parse_date("yesterday"), UsageError);
  EXPECT_THROW(parse_date("2025-13-01"), UsageError);
}

TEST(Naming, DefaultTemplate) {
  NameVars v{"archives", "acme-logs", bg::date(2025, 11, 20), 1};
  EXPECT_EQ(render_name(kDefaultNaming, v), "archives/acme-logs/2025/11/20/acme-logs-2025-11-20-0001.tar");
  v.volume = 42;
  EXPECT_EQ(render_name(kDefaultNaming, v), "archives/acme-logs/2025/11/20/acme-logs-2025-11-20-0042.tar");
  v.volume = 12345;
  EXPECT_EQ(render_name(kDefaultNaming, v), "archives/acme-logs/2025/11/20/acme-logs-2025-11-20-12345.tar");
}

TEST(Naming, EmptyPrefixLeavesNoLeadingSlash) {
  const NameVars v{"", "b", bg::date(2025, 1, 2), 3};
  EXPECT_EQ(render_name(kDefaultNaming, v), "b/2025/01/02/b-2025-01-02-0003.tar");
  EXPECT_EQ(render_name("x/{date}/{nnnn}.tar", v), "x/2025-01-02/0003.tar");
}

TEST(Naming, TemplateChecks) {
  EXPECT_NO_THROW(check_template(kDefaultNaming));
  EXPECT_NO_THROW(check_template("{date}-{nnnn}.tar"));
  EXPECT_THROW(check_template("{date}.tar"), UsageError);  // volumes would collide
  EXPECT_THROW(check_template("{nnnn}-{hh}.tar"), UsageError);
  EXPECT_THROW(check_template("{nnnn.tar"), UsageError);
  EXPECT_THROW(check_template("nnnn}.tar"), UsageError);
  EXPECT_THROW(check_template("{nnnn}/"), UsageError);
}

TEST(Naming, CommonPrefix) {
  EXPECT_EQ(common_prefix({}), "");
  EXPECT_EQ(common_prefix({"a/b/x-0001.tar"}), "a/b/x-0001.tar");
  EXPECT_EQ(common_prefix({"a/b/x-0001.tar", "a/b/x-0002.tar", "a/b/x-0010.tar"}), "a/b/x-00");
}

TEST(Naming, DayReportPrefix) {
  EXPECT_EQ(day_report_prefix("archives/_reports", bg::date(2025, 3, 9)), "archives/_reports/2025/03/09/");
  EXPECT_EQ(day_report_prefix("r/", bg::date(2025, 3, 9)), "r/2025/03/09/");
}

TEST(Shards, Parse) {
  const Shard s = parse_shard("1/4");
  EXPECT_EQ(s.index, 1u);
  EXPECT_EQ(s.count, 4u);
  EXPECT_EQ(s.suffix(), "-shard-1-of-4");
  EXPECT_EQ(parse_shard("0/1").suffix(), "");
  for (const char* bad : {"4/4", "1/0", "1", "a/b", "-1/2", "1/2/3", "/2", "1/"})
    EXPECT_THROW(parse_shard(bad), UsageError) << bad;
}

TEST(Shards, FlagWinsOverAwsBatch) {
  EXPECT_EQ(resolve_shard(std::string("2/3"), "0", "5").index, 2u);
  const Shard b = resolve_shard(std::nullopt, "3", "5");
  EXPECT_EQ(b.index, 3u);
  EXPECT_EQ(b.count, 5u);
  EXPECT_TRUE(resolve_shard(std::nullopt, nullptr, nullptr).single());
  EXPECT_TRUE(resolve_shard(std::nullopt, "", "").single());
  EXPECT_THROW(resolve_shard(std::nullopt, "1", nullptr), UsageError);
  EXPECT_THROW(resolve_shard(std::nullopt, nullptr, "2"), UsageError);
  EXPECT_THROW(resolve_shard(std::nullopt, "2", "2"), UsageError);
}

TEST(Shards, EveryVolumeBelongsToExactlyOneShard) {
  for (std::uint32_t n = 1; n <= 7; ++n) {
    for (std::size_t volume = 0; volume < 50; ++volume) {
      int owners = 0;
      for (std::uint32_t i = 0; i < n; ++i) owners += Shard{i, n}.owns(volume) ? 1 : 0;
      EXPECT_EQ(owners, 1) << volume << " of " << n;
    }
  }
  EXPECT_TRUE(Shard{}.owns(123));
}

TEST(Idempotency, Classify) {
  VolumeProbe p;
  EXPECT_EQ(classify(p), VolumeState::kMissing);
  p.archive_exists = true;
  p.archive_etag = "abc-2";
  EXPECT_EQ(classify(p), VolumeState::kIncomplete);  // no sidecar: died before writing it
  p.index_exists = true;
  p.index_etag = "";
  EXPECT_EQ(classify(p), VolumeState::kIncomplete);  // unreadable sidecar
  p.index_etag = "def-2";
  EXPECT_EQ(classify(p), VolumeState::kIncomplete);  // sidecar of an older archive
  p.index_etag = "abc-2";
  EXPECT_EQ(classify(p), VolumeState::kComplete);
  VolumeProbe orphan;
  orphan.index_exists = true;
  orphan.index_etag = "abc-2";
  EXPECT_EQ(classify(orphan), VolumeState::kMissing);  // a sidecar without its archive
}

TEST(Idempotency, IndexEtag) {
  EXPECT_EQ(index_etag(R"({"archive": "s3://b/k.tar", "etag": "abc-2", "members": []})"), "abc-2");
  EXPECT_EQ(index_etag(R"({"etag": "\"abc\""})"), "abc");
  EXPECT_EQ(index_etag(R"({"etag": 5})"), "");
  EXPECT_EQ(index_etag("not json"), "");
  EXPECT_EQ(index_etag("[]"), "");
}

}  // namespace
}  // namespace s3tar::scheduler
