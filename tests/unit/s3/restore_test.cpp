#include "s3tar/s3/restore.h"

#include <gtest/gtest.h>

namespace s3tar::s3 {
namespace {

constexpr std::int64_t kDec20_2012 = 1355961600;  // Thu, 20 Dec 2012 00:00:00 GMT
constexpr std::int64_t kDec21_2012 = 1356048000;  // Fri, 21 Dec 2012 00:00:00 GMT

TEST(RestoreStatus, NoHeaderIsNeverRestored) {
  EXPECT_EQ(parse_restore_status("", kDec20_2012).state, RestoreStatus::State::kNone);
}

TEST(RestoreStatus, OngoingRequestIsInProgress) {
  EXPECT_EQ(parse_restore_status("ongoing-request=\"true\"", kDec20_2012).state,
            RestoreStatus::State::kInProgress);
}

TEST(RestoreStatus, RestoredUntilTheExpiryDate) {
  const auto s = parse_restore_status(
      "ongoing-request=\"false\", expiry-date=\"Fri, 21 Dec 2012 00:00:00 GMT\"", kDec20_2012);
  EXPECT_EQ(s.state, RestoreStatus::State::kRestored);
  EXPECT_EQ(s.expiry, kDec21_2012);
}

TEST(RestoreStatus, AnExpiredCopyIsNoCopy) {
  const std::string h = "ongoing-request=\"false\", expiry-date=\"Fri, 21 Dec 2012 00:00:00 GMT\"";
  EXPECT_EQ(parse_restore_status(h, kDec21_2012).state, RestoreStatus::State::kNone);
  EXPECT_EQ(parse_restore_status(h, kDec21_2012 + 3600).state, RestoreStatus::State::kNone);
  EXPECT_EQ(parse_restore_status(h, kDec21_2012 - 1).state, RestoreStatus::State::kRestored);
}

TEST(RestoreStatus, RestoredWithoutAnExpiryDate) {
  // Intelligent-Tiering archive tiers move the object back to an access tier: no expiry.
  const auto s = parse_restore_status("ongoing-request=\"false\"", kDec20_2012);
  EXPECT_EQ(s.state, RestoreStatus::State::kRestored);
  EXPECT_EQ(s.expiry, 0);
}

TEST(RestoreStatus, OtherTextIsNotARestore) {
  EXPECT_EQ(parse_restore_status("garbage", kDec20_2012).state, RestoreStatus::State::kNone);
  EXPECT_EQ(parse_restore_status("ongoing-request=\"maybe\"", kDec20_2012).state,
            RestoreStatus::State::kNone);
  EXPECT_EQ(parse_restore_status("x-ongoing-request=\"true\"", kDec20_2012).state,
            RestoreStatus::State::kNone);
  EXPECT_EQ(parse_restore_status("ongoing-request=\"true", kDec20_2012).state, RestoreStatus::State::kNone);
}

TEST(RestoreTiers, ParsedInAnyCase) {
  EXPECT_EQ(parse_restore_tier("Bulk"), RestoreTier::Bulk);
  EXPECT_EQ(parse_restore_tier("standard"), RestoreTier::Standard);
  EXPECT_EQ(parse_restore_tier("EXPEDITED"), RestoreTier::Expedited);
  EXPECT_EQ(parse_restore_tier("Fast"), std::nullopt);
  EXPECT_EQ(parse_restore_tier(""), std::nullopt);
}

TEST(RestoreTiers, DeepArchiveOffersNoExpedited) {
  const auto da = archive_access("DEEP_ARCHIVE", "");
  EXPECT_EQ(da, ArchiveAccess::kDeepArchive);
  EXPECT_FALSE(offers(da, RestoreTier::Expedited));
  EXPECT_TRUE(offers(da, RestoreTier::Standard));
  EXPECT_TRUE(offers(da, RestoreTier::Bulk));
  const auto g = archive_access("GLACIER", "");
  EXPECT_TRUE(offers(g, RestoreTier::Expedited));
  const auto itda = archive_access("INTELLIGENT_TIERING", "DEEP_ARCHIVE_ACCESS");
  EXPECT_EQ(itda, ArchiveAccess::kTieringDeepArchive);
  EXPECT_FALSE(offers(itda, RestoreTier::Expedited));
}

TEST(RestoreTiers, WhatNeedsARestore) {
  EXPECT_TRUE(needs_restore(archive_access("GLACIER", "")));
  EXPECT_TRUE(needs_restore(archive_access("DEEP_ARCHIVE", "")));
  EXPECT_TRUE(needs_restore(archive_access("INTELLIGENT_TIERING", "ARCHIVE_ACCESS")));
  for (const char* c : {"STANDARD", "GLACIER_IR", "STANDARD_IA", "ONEZONE_IA", "INTELLIGENT_TIERING", ""})
    EXPECT_FALSE(needs_restore(archive_access(c, ""))) << c;
}

TEST(RestoreRequest, BodyHasDaysExceptForIntelligentTiering) {
  EXPECT_EQ(restore_request_body(ArchiveAccess::kDeepArchive, 7, RestoreTier::Bulk),
            "<RestoreRequest xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Days>7</Days>"
            "<GlacierJobParameters><Tier>Bulk</Tier></GlacierJobParameters></RestoreRequest>");
  EXPECT_EQ(restore_request_body(ArchiveAccess::kTieringArchive, 7, RestoreTier::Standard),
            "<RestoreRequest xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
            "<GlacierJobParameters><Tier>Standard</Tier></GlacierJobParameters></RestoreRequest>");
}

}  // namespace
}  // namespace s3tar::s3
