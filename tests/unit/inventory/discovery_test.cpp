#include "inventory/discovery.h"

#include <gtest/gtest.h>

#include "inventory/errors.h"
#include "inventory_test_util.h"

namespace s3tar::inventory {
namespace {

using boost::gregorian::date;
using testing::Delivery;

TEST(ReportFolder, ParsesNamesAndIgnoresOthers) {
  EXPECT_EQ(parse_report_folder("2025-11-21T01-00Z"), 1763686800);
  EXPECT_EQ(parse_report_folder("2025-11-21T01-00Z/"), 1763686800);
  for (const char* bad :
       {"data", "hive", "2025-11-21", "2025-11-21T01:00Z", "2025-11-21T01-00", "2025-02-30T01-00Z",
        "2025-11-21T24-00Z", "2025-11-21T01-00Z-old", "x025-11-21T01-00Z"}) {
    EXPECT_FALSE(parse_report_folder(bad)) << bad;
  }
}

TEST(SelectReport, NewestCompleteFolderAfterTheDayEnded) {
  const auto utc = TimeZone::utc();
  const std::vector<ReportCandidate> folders = {
      {"2025-11-20T01-00Z", true},   // started during D: too early
      {"2025-11-21T01-00Z", true},   // qualifies
      {"2025-11-22T01-00Z", true},   // newest complete: chosen
      {"2025-11-23T01-00Z", false},  // still being delivered
      {"data", true},
      {"garbage-T", true},
  };
  const auto s = select_report(folders, date(2025, 11, 20), utc);
  ASSERT_TRUE(s.found);
  EXPECT_EQ(s.folder, "2025-11-22T01-00Z");
  EXPECT_EQ(s.scan_start, *parse_report_folder("2025-11-22T01-00Z"));
}

TEST(SelectReport, NotDeliveredYet) {
  const auto utc = TimeZone::utc();
  // Only a scan that started during D (it cannot hold objects from late on D).
  auto s = select_report({{"2025-11-20T23-00Z", true}}, date(2025, 11, 20), utc);
  EXPECT_FALSE(s.found);
  EXPECT_NE(s.reason.find("no report folder"), std::string::npos) << s.reason;
  // A qualifying folder without manifest.checksum yet.
  s = select_report({{"2025-11-21T01-00Z", false}}, date(2025, 11, 20), utc);
  EXPECT_FALSE(s.found);
  EXPECT_NE(s.reason.find("manifest.checksum"), std::string::npos) << s.reason;
  EXPECT_FALSE(select_report({}, date(2025, 11, 20), utc).found);
  // A scan starting exactly when D ends qualifies.
  EXPECT_TRUE(select_report({{"2025-11-21T00-00Z", true}}, date(2025, 11, 20), utc).found);
}

TEST(SelectReport, DayEndsInTheConfiguredZone) {
  // D = 2025-11-20 in New York ends at 2025-11-21T05:00Z.
  const auto ny = TimeZone::from_posix("EST5EDT,M3.2.0,M11.1.0", "America/New_York");
  EXPECT_FALSE(select_report({{"2025-11-21T04-59Z", true}}, date(2025, 11, 20), ny).found);
  EXPECT_TRUE(select_report({{"2025-11-21T05-00Z", true}}, date(2025, 11, 20), ny).found);
}

class FindReportTest : public ::testing::Test {
 protected:
  testing::TempDir dir;
  Delivery delivery{dir.path()};
  LocalObjectStore store{dir.path()};
  InventoryLocation location{delivery.bucket, "reports/acme-logs/daily"};  // no trailing slash on purpose

  std::string make_manifest() {
    const auto f = delivery.add_data_file(
        "a.csv.gz", testing::row({"acme-logs", "k", "1", "2025-11-20T00:00:00.000Z", "e", "STANDARD", ""}));
    return Delivery::manifest_json({f});
  }
};

TEST_F(FindReportTest, LoadsNewestCompleteReport) {
  const auto manifest = make_manifest();
  delivery.add_report("2025-11-19T01-00Z", manifest);
  delivery.add_report("2025-11-21T01-00Z", manifest);
  delivery.add_report("2025-11-22T01-00Z", manifest, /*checksum=*/false);
  testing::write_file(dir.path() / delivery.bucket / delivery.prefix / "hive/dt=2025-11-21-01-00/symlink.txt",
                      "x");
  testing::write_file(dir.path() / delivery.bucket / delivery.prefix / "not-a-folder-name/manifest.checksum",
                      "x");
  const auto r = find_report(store, location, date(2025, 11, 20), TimeZone::utc());
  EXPECT_EQ(r.folder, "2025-11-21T01-00Z");
  EXPECT_EQ(r.manifest_key, delivery.prefix + "2025-11-21T01-00Z/manifest.json");
  EXPECT_EQ(r.location.prefix, delivery.prefix);
  EXPECT_EQ(r.manifest.source_bucket, "acme-logs");
  ASSERT_EQ(r.manifest.files.size(), 1u);
}

TEST_F(FindReportTest, MissingChecksumIsNotDeliveredYet) {
  delivery.add_report("2025-11-21T01-00Z", make_manifest(), /*checksum=*/false);
  try {
    find_report(store, location, date(2025, 11, 20), TimeZone::utc());
    FAIL() << "expected NotDeliveredError";
  } catch (const NotDeliveredError& e) {
    EXPECT_NE(std::string(e.what()).find("manifest.checksum"), std::string::npos) << e.what();
  }
}

TEST_F(FindReportTest, NoQualifyingFolderIsNotDeliveredYet) {
  delivery.add_report("2025-11-20T01-00Z", make_manifest());
  EXPECT_THROW(find_report(store, location, date(2025, 11, 20), TimeZone::utc()), NotDeliveredError);
}

TEST_F(FindReportTest, ALocationWithoutAnyReportFolderIsAConfigError) {
  // Folders, but none of them a report's: the location is not an inventory configuration's.
  testing::write_file(dir.path() / delivery.bucket / delivery.prefix / "other/file.txt", "x");
  try {
    find_report(store, location, date(2025, 11, 20), TimeZone::utc());
    FAIL() << "expected ConfigError";
  } catch (const ConfigError& e) {
    EXPECT_EQ(e.category(), ErrorCategory::Usage);
    EXPECT_NE(std::string(e.what()).find("s3://" + delivery.bucket + "/reports/acme-logs/daily/"),
              std::string::npos)
        << e.what();
    EXPECT_NE(std::string(e.what()).find("<source-bucket>/<inventory-config-id>/"), std::string::npos)
        << e.what();
  }
  // Nothing at all there: the same.
  EXPECT_THROW(find_report(store, InventoryLocation{delivery.bucket, "nothing/here/"}, date(2025, 11, 20),
                           TimeZone::utc()),
               ConfigError);
}

TEST_F(FindReportTest, ALocationPointingIntoAReportIsAConfigError) {
  delivery.add_report("2025-11-21T01-00Z", make_manifest());
  for (const std::string inside :
       {"2025-11-21T01-00Z", "2025-11-21T01-00Z/", "2025-11-21T01-00Z/manifest.json", "data", "hive/"}) {
    const InventoryLocation wrong{delivery.bucket, delivery.prefix + inside};
    try {
      find_report(store, wrong, date(2025, 11, 20), TimeZone::utc());
      ADD_FAILURE() << inside << ": accepted";
    } catch (const ConfigError& e) {
      EXPECT_NE(std::string(e.what()).find("probably s3://" + delivery.bucket + "/" + delivery.prefix),
                std::string::npos)
          << e.what();
    }
  }
  EXPECT_NO_THROW(check_location(location));
}

TEST_F(FindReportTest, ManifestChecksumMismatchIsBadInput) {
  const auto manifest = make_manifest();
  delivery.add_report("2025-11-21T01-00Z", manifest);
  testing::write_file(dir.path() / delivery.bucket / delivery.prefix / "2025-11-21T01-00Z/manifest.checksum",
                      "0123456789abcdef0123456789abcdef\n");
  try {
    find_report(store, location, date(2025, 11, 20), TimeZone::utc());
    FAIL() << "expected ChecksumMismatchError";
  } catch (const ChecksumMismatchError& e) {
    EXPECT_EQ(e.key(), delivery.prefix + "2025-11-21T01-00Z/manifest.json");
    EXPECT_EQ(e.expected(), "0123456789abcdef0123456789abcdef");
  }
}

TEST_F(FindReportTest, BrokenManifestInQualifyingFolderIsBadInput) {
  delivery.add_report("2025-11-21T01-00Z", "{\"sourceBucket\": ");
  EXPECT_THROW(find_report(store, location, date(2025, 11, 20), TimeZone::utc()), BadInputError);
  try {
    find_report(store, location, date(2025, 11, 20), TimeZone::utc());
  } catch (const NotDeliveredError&) {
    FAIL() << "a broken manifest is not 'not delivered'";
  } catch (const BadInputError&) {
  }
}

TEST_F(FindReportTest, OrcReportIsUnsupported) {
  const auto f = delivery.add_raw_data_file("a.orc", "ORC...");
  delivery.add_report("2025-11-21T01-00Z", Delivery::manifest_json({f}, testing::kCurrentSchema, "ORC"));
  try {
    find_report(store, location, date(2025, 11, 20), TimeZone::utc());
    FAIL() << "expected UnsupportedFormatError";
  } catch (const UnsupportedFormatError& e) {
    EXPECT_NE(std::string(e.what()).find("ORC"), std::string::npos);
  }
}

TEST_F(FindReportTest, ChecksumWithoutManifestIsBadInput) {
  testing::write_file(dir.path() / delivery.bucket / delivery.prefix / "2025-11-21T01-00Z/manifest.checksum",
                      "0123456789abcdef0123456789abcdef\n");
  EXPECT_THROW(find_report(store, location, date(2025, 11, 20), TimeZone::utc()), BadInputError);
}

TEST(LocalObjectStore, ListsAndReads) {
  testing::TempDir dir;
  testing::write_file(dir.path() / "b/p/x/1", "one");
  testing::write_file(dir.path() / "b/p/y", "two");
  testing::write_file(dir.path() / "b/q", "three");
  LocalObjectStore store(dir.path(), 2);
  EXPECT_EQ(store.list_keys("b", "p/"), (std::vector<std::string>{"p/x/1", "p/y"}));
  EXPECT_EQ(store.list_keys("b", ""), (std::vector<std::string>{"p/x/1", "p/y", "q"}));
  EXPECT_EQ(store.list_folders("b", "p/"), (std::vector<std::string>{"p/x/"}));
  EXPECT_EQ(store.read_small("b", "q"), "three");
  EXPECT_THROW(store.read_small("b", "nope"), NotFoundError);
  EXPECT_THROW(store.list_keys("nobucket", ""), NotFoundError);
  EXPECT_THROW(store.read_small("b", "q", 4), BadInputError);
}

}  // namespace
}  // namespace s3tar::inventory
