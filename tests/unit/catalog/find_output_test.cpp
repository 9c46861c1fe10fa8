#include "catalog/find_output.h"

#include <gtest/gtest.h>

namespace s3tar::catalog {
namespace {

constexpr std::int64_t kNow = 1764000000;  // 2025-11-24T16:00:00Z

FindResult two_days() {
  FindResult r;
  r.matches.push_back(Match{"2025-11-20",
                            Row{"src", "logs/a.log", "", 1300, *parse_utc("2025-11-20T09:30:00Z"), "e2",
                                "arch", "d20.tar", "ae-20", 1536},
                            false});
  r.matches.push_back(Match{"2025-11-18",
                            Row{"src", "logs/a.log", "v1", 1200, *parse_utc("2025-11-18T08:00:00Z"), "e1",
                                "arch", "d18.tar", "ae-18", 512},
                            true});
  r.days = {"2025-11-18", "2025-11-20"};
  r.sidecar_days = {"2025-11-18"};
  return r;
}

ArchiveStates states() {
  ArchiveStates s;
  ArchiveHead h20{true, "ae-20", "DEEP_ARCHIVE", "", "ongoing-request=\"true\"", 4096};
  s["s3://arch/d20.tar"] =
      assess({"arch", "d20.tar", "ae-20", {}}, h20, RestoreRecord{kNow - 600, "Bulk", 7}, kNow);
  ArchiveHead h18{true,
                  "other-1",
                  "GLACIER",
                  "",
                  "ongoing-request=\"false\", expiry-date=\"Fri, 28 Nov 2025 00:00:00 GMT\"",
                  2048};
  s["s3://arch/d18.tar"] = assess({"arch", "d18.tar", "ae-18", {}}, h18, std::nullopt, kNow);
  return s;
}

TEST(FindOutput, TextSaysWhereEachObjectIsAndTheArchivesState) {
  EXPECT_EQ(
      render_find_text(two_days(), states()),
      "s3://src/logs/a.log (archived 2025-11-20)\n"
      "  version -, 1300 bytes, ETag e2, last modified 2025-11-20T09:30:00Z\n"
      "  in s3://arch/d20.tar at offset 1536 (archive ETag ae-20)\n"
      "  DEEP_ARCHIVE, restore in progress (requested 2025-11-24T15:50:00Z, Bulk)\n"
      "s3://src/logs/a.log (archived 2025-11-18, from its sidecar)\n"
      "  version v1, 1200 bytes, ETag e1, last modified 2025-11-18T08:00:00Z\n"
      "  in s3://arch/d18.tar at offset 512 (archive ETag ae-18)\n"
      "  GLACIER, restored until 2025-11-28T00:00:00Z; the archive was overwritten since (ETag other-1): "
      "these offsets do not hold\n");
}

TEST(FindOutput, JsonForScripts) {
  const auto j = render_find_json(two_days(), states());
  ASSERT_EQ(j["matches"].size(), 2u);
  const auto& a = j["matches"][0];
  EXPECT_EQ(a["day"], "2025-11-20");
  EXPECT_EQ(a["archive"], "s3://arch/d20.tar");
  EXPECT_EQ(a["offset"], 1536);
  EXPECT_EQ(a["size"], 1300);
  EXPECT_EQ(a["version_id"], "");
  EXPECT_EQ(a["source"], "catalog");
  EXPECT_EQ(a["storage_class"], "DEEP_ARCHIVE");
  EXPECT_EQ(a["restore"]["state"], "in-progress");
  EXPECT_EQ(a["restore"]["requested_at"], "2025-11-24T15:50:00Z");
  EXPECT_EQ(a["archive_changed"], false);
  const auto& b = j["matches"][1];
  EXPECT_EQ(b["source"], "sidecar");
  EXPECT_EQ(b["restore"]["state"], "restored");
  EXPECT_EQ(b["restore"]["expiry"], "2025-11-28T00:00:00Z");
  EXPECT_EQ(b["archive_changed"], true);
  EXPECT_EQ(j["days_read"], 2);
  EXPECT_EQ(j["sidecar_days"], nlohmann::json::array({"2025-11-18"}));
}

TEST(FindOutput, WithoutStatesOnlyTheCatalogsFacts) {
  const auto j = render_find_json(two_days(), {});
  EXPECT_FALSE(j["matches"][0].contains("restore"));
  EXPECT_EQ(render_find_text(two_days(), {}).find("DEEP_ARCHIVE"), std::string::npos);
}

}  // namespace
}  // namespace s3tar::catalog
