#include "inventory/timezone.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "inventory/errors.h"
#include "inventory/filter.h"

namespace s3tar::inventory {
namespace {

using boost::gregorian::date;

std::int64_t utc(const char* text) {
  std::int64_t t = 0;
  EXPECT_TRUE(parse_timestamp(text, t)) << text;
  return t;
}

bool have_tzdata() { return std::filesystem::exists("/usr/share/zoneinfo/America/New_York"); }

#define REQUIRE_TZDATA() \
  if (!have_tzdata()) GTEST_SKIP() << "tzdata not installed"

TEST(TimeZone, UtcNeedsNoTzdata) {
  const auto tz = TimeZone::from_name("UTC", "/nonexistent");
  const auto w = tz.day_window(date(2025, 11, 20));
  EXPECT_EQ(w.begin, utc("2025-11-20T00:00:00Z"));
  EXPECT_EQ(w.end, utc("2025-11-21T00:00:00Z"));
  EXPECT_EQ(TimeZone::utc().day_window(date(2025, 11, 20)).begin, w.begin);
}

TEST(TimeZone, UnknownNameIsConfigError) {
  EXPECT_THROW(TimeZone::from_name("Mars/Olympus_Mons"), ConfigError);
  EXPECT_THROW(TimeZone::from_name("../etc/passwd"), ConfigError);
  EXPECT_THROW(TimeZone::from_posix("X"), ConfigError);
  EXPECT_THROW(TimeZone::from_posix("EST5EDT,M3.2.0"), ConfigError);
}

TEST(TimeZone, NewYorkSpringForwardDayIs23Hours) {
  REQUIRE_TZDATA();
  const auto tz = TimeZone::from_name("America/New_York");
  const auto w = tz.day_window(date(2025, 3, 9));
  EXPECT_EQ(w.begin, utc("2025-03-09T05:00:00Z"));
  EXPECT_EQ(w.end, utc("2025-03-10T04:00:00Z"));
  EXPECT_EQ(w.end - w.begin, 23 * 3600);
}

TEST(TimeZone, NewYorkFallBackDayIs25Hours) {
  REQUIRE_TZDATA();
  const auto tz = TimeZone::from_name("America/New_York");
  const auto w = tz.day_window(date(2025, 11, 2));
  EXPECT_EQ(w.begin, utc("2025-11-02T04:00:00Z"));
  EXPECT_EQ(w.end, utc("2025-11-03T05:00:00Z"));
  EXPECT_EQ(tz.utc_offset(utc("2025-07-01T12:00:00Z")), -4 * 3600);
  EXPECT_EQ(tz.utc_offset(utc("2025-12-01T12:00:00Z")), -5 * 3600);
  // Around the transition instant 06:00Z (02:00 EDT -> 01:00 EST).
  EXPECT_EQ(tz.utc_offset(utc("2025-11-02T05:59:59Z")), -4 * 3600);
  EXPECT_EQ(tz.utc_offset(utc("2025-11-02T06:00:00Z")), -5 * 3600);
}

TEST(TimeZone, BerlinDstDays) {
  REQUIRE_TZDATA();
  const auto tz = TimeZone::from_name("Europe/Berlin");
  EXPECT_EQ(tz.day_window(date(2025, 3, 30)).begin, utc("2025-03-29T23:00:00Z"));
  EXPECT_EQ(tz.day_window(date(2025, 3, 30)).end, utc("2025-03-30T22:00:00Z"));
  EXPECT_EQ(tz.day_window(date(2025, 10, 26)).end - tz.day_window(date(2025, 10, 26)).begin, 25 * 3600);
  EXPECT_EQ(tz.day_window(date(2025, 11, 20)).begin, utc("2025-11-19T23:00:00Z"));
}

TEST(TimeZone, SouthernHemisphere) {
  REQUIRE_TZDATA();
  const auto tz = TimeZone::from_name("Australia/Sydney");
  EXPECT_EQ(tz.day_window(date(2025, 4, 6)).begin, utc("2025-04-05T13:00:00Z"));
  EXPECT_EQ(tz.day_window(date(2025, 4, 6)).end, utc("2025-04-06T14:00:00Z"));
  EXPECT_EQ(tz.day_window(date(2025, 10, 5)).begin, utc("2025-10-04T14:00:00Z"));
  EXPECT_EQ(tz.day_window(date(2025, 10, 5)).end, utc("2025-10-05T13:00:00Z"));
  EXPECT_EQ(tz.day_window(date(2025, 1, 15)).begin, utc("2025-01-14T13:00:00Z"));
}

TEST(TimeZone, FractionalFixedOffset) {
  REQUIRE_TZDATA();
  const auto tz = TimeZone::from_name("Asia/Kolkata");
  EXPECT_EQ(tz.day_window(date(2025, 11, 20)).begin, utc("2025-11-19T18:30:00Z"));
  EXPECT_EQ(tz.day_window(date(2025, 11, 20)).end, utc("2025-11-20T18:30:00Z"));
}

TEST(TimeZone, MidnightTransitions) {
  // Midnight skipped (DST starts at 24:00) and repeated (falls back at 01:00 to 00:00).
  const auto santiago = TimeZone::from_posix("<-04>4<-03>,M9.1.6/24,M4.1.6/24", "America/Santiago");
  EXPECT_EQ(santiago.day_start(date(2025, 9, 7)), utc("2025-09-07T04:00:00Z"));
  EXPECT_EQ(santiago.day_start(date(2025, 9, 8)), utc("2025-09-08T03:00:00Z"));
  EXPECT_EQ(santiago.day_start(date(2025, 4, 5)), utc("2025-04-05T03:00:00Z"));
  EXPECT_EQ(santiago.day_start(date(2025, 4, 6)), utc("2025-04-06T04:00:00Z"));
  const auto havana = TimeZone::from_posix("CST5CDT,M3.2.0/0,M11.1.0/1", "America/Havana");
  EXPECT_EQ(havana.day_start(date(2025, 3, 9)), utc("2025-03-09T05:00:00Z"));
  EXPECT_EQ(havana.day_start(date(2025, 3, 10)), utc("2025-03-10T04:00:00Z"));
  EXPECT_EQ(havana.day_start(date(2025, 11, 2)), utc("2025-11-02T04:00:00Z"));
  EXPECT_EQ(havana.day_start(date(2025, 11, 3)), utc("2025-11-03T05:00:00Z"));
}

TEST(TimeZone, PosixRuleMatchesTzdata) {
  REQUIRE_TZDATA();
  const auto a = TimeZone::from_name("America/New_York");
  const auto b = TimeZone::from_posix("EST5EDT,M3.2.0,M11.1.0");
  for (int d = 0; d < 366; ++d) {
    const auto day = date(2025, 1, 1) + boost::gregorian::days(d);
    EXPECT_EQ(a.day_start(day), b.day_start(day)) << day;
  }
}

TEST(Timestamps, ParseInventoryFormat) {
  std::int64_t t = 0;
  EXPECT_TRUE(parse_timestamp("2025-11-20T13:45:07.000Z", t));
  EXPECT_EQ(t, 1763646307);
  EXPECT_TRUE(parse_timestamp("1970-01-01T00:00:00Z", t));
  EXPECT_EQ(t, 0);
  EXPECT_TRUE(parse_timestamp("2024-02-29T23:59:59.999Z", t));
  EXPECT_EQ(t, 1709251199);
  for (const char* bad : {"", "2025-11-20", "2025-11-20T13:45:07", "2025-13-01T00:00:00Z",
                          "2025-02-29T00:00:00Z", "2025-11-20 13:45:07Z", "2025-11-20T13:45:07.Z",
                          "2025-11-20T13:45:07.000+01:00", "2025-11-20T24:00:00Z"}) {
    EXPECT_FALSE(parse_timestamp(bad, t)) << bad;
  }
}

TEST(Sizes, Parse) {
  std::uint64_t v = 0;
  EXPECT_TRUE(parse_size("0", v));
  EXPECT_EQ(v, 0u);
  EXPECT_TRUE(parse_size("18446744073709551615", v));
  EXPECT_EQ(v, UINT64_MAX);
  EXPECT_FALSE(parse_size("18446744073709551616", v));
  EXPECT_FALSE(parse_size("", v));
  EXPECT_FALSE(parse_size("-1", v));
  EXPECT_FALSE(parse_size("1.5", v));
  EXPECT_FALSE(parse_size(" 1", v));
}

}  // namespace
}  // namespace s3tar::inventory
