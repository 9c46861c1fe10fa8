#include "scheduler/delivered_report.h"

#include <gtest/gtest.h>

#include "s3tar/errors.h"

namespace s3tar::scheduler {
namespace {

namespace bg = boost::gregorian;
using inventory::TimeZone;

const inventory::InventoryLocation kConfigured{"inv", "logs/src/daily"};

std::string error_of(const std::string& url) {
  try {
    parse_delivered_report(url, kConfigured);
  } catch (const UsageError& e) {
    return e.what();
  }
  return "no error";
}

TEST(DeliveredReport, ManifestOrChecksumUrlNamesTheReport) {
  for (const char* file : {"manifest.json", "manifest.checksum"}) {
    const auto r =
        parse_delivered_report(std::string("s3://inv/logs/src/daily/2025-11-21T01-00Z/") + file, kConfigured);
    EXPECT_EQ(r.location.bucket, "inv");
    EXPECT_EQ(r.location.prefix, "logs/src/daily/");
    EXPECT_EQ(r.folder, "2025-11-21T01-00Z");
    EXPECT_EQ(covered_day(r, TimeZone::utc()), bg::date(2025, 11, 20));
  }
}

TEST(DeliveredReport, TheDayCoveredIsInTheConfigsTimeZone) {
  const auto r =
      parse_delivered_report("s3://inv/logs/src/daily/2025-11-21T01-00Z/manifest.json", kConfigured);
  // 01:00 UTC is 17:00 on the 20th in Los Angeles: the 19th is the last day that ended.
  EXPECT_EQ(covered_day(r, TimeZone::from_posix("PST8PDT,M3.2.0,M11.1.0", "America/Los_Angeles")),
            bg::date(2025, 11, 19));
  EXPECT_EQ(covered_day(r, TimeZone::from_posix("JST-9", "Asia/Tokyo")), bg::date(2025, 11, 20));
}

TEST(DeliveredReport, WrongUrlsAreUsageErrorsNamingTheFlag) {
  EXPECT_EQ(error_of("inv/logs/src/daily/2025-11-21T01-00Z/manifest.json"),
            "--inventory-manifest inv/logs/src/daily/2025-11-21T01-00Z/manifest.json: not an s3:// URL");
  EXPECT_NE(
      error_of("s3://inv/logs/src/daily/2025-11-21T01-00Z/").find("not an inventory report's manifest.json"),
      std::string::npos);
  EXPECT_NE(
      error_of("s3://inv/logs/src/daily/2025-11-21T01-00Z/xmanifest.json").find("not an inventory report"),
      std::string::npos);
  EXPECT_NE(
      error_of("s3://inv/logs/src/daily/latest/manifest.json").find("\"latest\" is not a report folder"),
      std::string::npos);
  EXPECT_NE(error_of("s3://other/logs/src/daily/2025-11-21T01-00Z/manifest.json")
                .find("another inventory than the config's (s3://inv/logs/src/daily/)"),
            std::string::npos);
  EXPECT_NE(error_of("s3://inv/logs/src/hourly/2025-11-21T01-00Z/manifest.json").find("another inventory"),
            std::string::npos);
  EXPECT_EQ(error_of("s3://inv/logs/src/daily/2025-11-21T01-00Z/manifest.json"), "no error");
}

}  // namespace
}  // namespace s3tar::scheduler
