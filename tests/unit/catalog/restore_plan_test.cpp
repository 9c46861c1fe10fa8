#include "catalog/restore_plan.h"

#include <gtest/gtest.h>

#include "catalog/catalog.h"
#include "s3tar/errors.h"

namespace s3tar::catalog {
namespace {

constexpr std::int64_t kNow = 1764000000;  // 2025-11-24T16:00:00Z

ArchiveRequest request(std::string key, std::string etag = "ae-1") {
  return ArchiveRequest{"arch", std::move(key), std::move(etag), {{"logs/a.log", 1536, 100, "e"}}};
}

ArchiveHead head(std::string cls, std::string restore = "", std::string etag = "ae-1") {
  ArchiveHead h;
  h.etag = std::move(etag);
  h.storage_class = std::move(cls);
  h.restore = std::move(restore);
  h.size = 1 << 20;
  return h;
}

std::vector<ArchiveStep> plan(std::vector<ArchiveHead> heads, s3::RestoreTier tier = s3::RestoreTier::Bulk,
                              std::vector<std::optional<RestoreRecord>> records = {}) {
  std::vector<ArchiveRequest> requests;
  for (std::size_t i = 0; i < heads.size(); ++i)
    requests.push_back(request("a" + std::to_string(i) + ".tar"));
  records.resize(heads.size());
  return plan_restore(requests, heads, records, tier, kNow);
}

TEST(RestorePlan, EachArchivesStepFollowsItsState) {
  const auto steps =
      plan({head("DEEP_ARCHIVE"), head("DEEP_ARCHIVE", "ongoing-request=\"true\""),
            head("DEEP_ARCHIVE", "ongoing-request=\"false\", expiry-date=\"Fri, 28 Nov 2025 00:00:00 GMT\""),
            head("STANDARD"), head("GLACIER_IR")});
  ASSERT_EQ(steps.size(), 5u);
  EXPECT_EQ(steps[0].step, Step::kRequest);
  EXPECT_FALSE(steps[0].expired);
  EXPECT_EQ(steps[1].step, Step::kWaiting);
  EXPECT_EQ(steps[2].step, Step::kReady);
  EXPECT_EQ(steps[3].step, Step::kReady);
  EXPECT_EQ(steps[4].step, Step::kReady);
  EXPECT_EQ(describe_state(steps[0]), "DEEP_ARCHIVE, not restored");
  EXPECT_EQ(describe_state(steps[1]),
            "DEEP_ARCHIVE, restore in progress (requested outside s3tar, time unknown)");
  EXPECT_EQ(describe_state(steps[2]), "DEEP_ARCHIVE, restored until 2025-11-28T00:00:00Z");
  EXPECT_EQ(describe_state(steps[3]), "STANDARD, no restore needed");
}

TEST(RestorePlan, InProgressSaysSinceWhenFromTheRecord) {
  const auto steps = plan({head("GLACIER", "ongoing-request=\"true\"")}, s3::RestoreTier::Standard,
                          {RestoreRecord{kNow - 3600, "Standard", 7}});
  EXPECT_EQ(describe_state(steps[0]),
            "GLACIER, restore in progress (requested 2025-11-24T15:00:00Z, Standard)");
}

TEST(RestorePlan, AnExpiredCopyIsRequestedAgain) {
  // The header still names an expiry in the past ...
  auto steps = plan(
      {head("DEEP_ARCHIVE", "ongoing-request=\"false\", expiry-date=\"Fri, 21 Nov 2025 00:00:00 GMT\"")});
  EXPECT_EQ(steps[0].step, Step::kRequest);
  EXPECT_TRUE(steps[0].expired);
  // ... or is gone, and s3tar's record says it asked before.
  steps = plan({head("DEEP_ARCHIVE")}, s3::RestoreTier::Bulk, {RestoreRecord{kNow - 40 * 86400, "Bulk", 7}});
  EXPECT_EQ(steps[0].step, Step::kRequest);
  EXPECT_TRUE(steps[0].expired);
  EXPECT_EQ(describe_state(steps[0]),
            "DEEP_ARCHIVE, not restored (an earlier restored copy expired, requested 2025-10-15T16:00:00Z)");
}

TEST(RestorePlan, ExpeditedOnDeepArchiveIsAUsageError) {
  try {
    plan({head("GLACIER"), head("DEEP_ARCHIVE", "ongoing-request=\"true\"")}, s3::RestoreTier::Expedited);
    FAIL() << "no error";
  } catch (const UsageError& e) {
    EXPECT_EQ(
        std::string(e.what()),
        "--tier Expedited: DEEP_ARCHIVE does not offer it (s3://arch/a1.tar); use Standard (within 12 hours) "
        "or Bulk (within 48 hours)");
  }
  EXPECT_EQ(plan({head("GLACIER")}, s3::RestoreTier::Expedited)[0].step, Step::kRequest);
  EXPECT_EQ(plan({head("STANDARD")}, s3::RestoreTier::Expedited)[0].step, Step::kReady);
}

TEST(RestorePlan, GoneOrOverwrittenArchivesAreBadInput) {
  ArchiveHead gone;
  gone.exists = false;
  EXPECT_THROW(plan({gone}), BadInputError);
  EXPECT_THROW(plan({head("DEEP_ARCHIVE", "", "other-2")}), BadInputError);
  const auto steps = plan_restore({request("x.tar", "")}, {head("DEEP_ARCHIVE", "", "any-1")}, {std::nullopt},
                                  s3::RestoreTier::Bulk, kNow);
  EXPECT_EQ(steps[0].step, Step::kRequest) << "no expected ETag: nothing to compare";
}

TEST(RestoreRecords, RoundTripAndIgnoreJunk) {
  const RestoreRecord r{kNow, "Bulk", 7};
  const auto back = parse_restore_record(render_restore_record(r));
  ASSERT_TRUE(back);
  EXPECT_EQ(back->requested_at, kNow);
  EXPECT_EQ(back->tier, "Bulk");
  EXPECT_EQ(back->days, 7);
  EXPECT_FALSE(parse_restore_record("not json"));
  EXPECT_FALSE(parse_restore_record("{\"requested_at\": 5}"));
  EXPECT_EQ(restore_record_key("a/b.tar"), "a/b.tar.restore.json");
}

}  // namespace
}  // namespace s3tar::catalog

namespace s3tar::catalog {
namespace {

TEST(NewestCopies, EachKeysNewestCopyGroupedByArchive) {
  auto m = [](std::string day, std::string key, std::string archive, std::uint64_t offset,
              std::string version = "") {
    return Match{day, Row{"src", key, version, 10, 0, "e", "arch", archive, "ae-" + archive, offset}, false};
  };
  const std::vector<Match> matches = {
      m("2025-11-20", "a.log", "d20.tar", 1536), m("2025-11-20", "b.log", "d20.tar", 3584),
      m("2025-11-19", "a.log", "d19.tar", 512), m("2025-11-19", "c.log", "d19.tar", 2048),
      m("2025-11-19", "a.log", "d19.tar", 4096, "v1")};
  std::size_t older = 0;
  const auto archives = newest_copies(matches, &older);
  ASSERT_EQ(archives.size(), 2u);
  EXPECT_EQ(archives[0].key, "d20.tar");
  EXPECT_EQ(archives[0].expected_etag, "ae-d20.tar");
  EXPECT_EQ(archives[0].members,
            (std::vector<tar::TocEntry>{{"a.log", 1536, 10, "e"}, {"b.log", 3584, 10, "e"}}));
  EXPECT_EQ(archives[1].members,
            (std::vector<tar::TocEntry>{{"c.log", 2048, 10, "e"}, {"a.log", 4096, 10, "e"}}));
  EXPECT_EQ(older, 1u);
}

}  // namespace
}  // namespace s3tar::catalog
