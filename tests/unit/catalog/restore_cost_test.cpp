#include "catalog/restore_cost.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "s3tar/errors.h"

namespace s3tar::catalog {
namespace {

using s3::ArchiveAccess;
using s3::RestoreTier;

constexpr std::uint64_t kGiB = 1024ull * 1024 * 1024;

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

TEST(RestorePrices, BuiltInTableIsTheDocumentedFile) {
  const std::string path = std::string(S3TAR_SOURCE_DIR) + "/config/restore-prices.json";
  const PriceTable file = parse_prices(read_file(path), path);
  const PriceTable& built_in = default_prices();
  EXPECT_EQ(file.region, built_in.region);
  EXPECT_EQ(file.as_of, built_in.as_of);
  EXPECT_EQ(file.source, built_in.source);
  EXPECT_EQ(file.currency, built_in.currency);
  EXPECT_EQ(file.standard_gb_month, built_in.standard_gb_month);
  ASSERT_EQ(file.restore.size(), built_in.restore.size());
  for (const auto& [cls, tiers] : built_in.restore) {
    ASSERT_EQ(file.restore.at(cls).size(), tiers.size()) << cls;
    for (const auto& [tier, price] : tiers) {
      EXPECT_EQ(file.restore.at(cls).at(tier).per_gb, price.per_gb) << cls << " " << tier;
      EXPECT_EQ(file.restore.at(cls).at(tier).per_1000_requests, price.per_1000_requests)
          << cls << " " << tier;
    }
  }
  EXPECT_FALSE(built_in.restore.at("DEEP_ARCHIVE").contains("Expedited"));
}

TEST(RestoreCost, WholeArchivesTimesTheTierPricePlusRequests) {
  PriceTable t;
  t.standard_gb_month = 0.03;
  t.restore["DEEP_ARCHIVE"]["Bulk"] = {0.0025, 0.025};
  const auto c = estimate_restore(t, ArchiveAccess::kDeepArchive, RestoreTier::Bulk, 4, 10 * kGiB, 30);
  ASSERT_TRUE(c.price);
  EXPECT_DOUBLE_EQ(c.retrieval, 0.025);
  EXPECT_DOUBLE_EQ(c.requests, 4 * 0.025 / 1000);
  EXPECT_DOUBLE_EQ(c.total(), 0.025 + 0.0001);
  EXPECT_DOUBLE_EQ(c.copy_storage, 10 * 0.03);
}

TEST(RestoreCost, UnknownPriceIsSaidNotGuessed) {
  const auto c =
      estimate_restore(default_prices(), ArchiveAccess::kDeepArchive, RestoreTier::Expedited, 1, kGiB, 1);
  EXPECT_FALSE(c.price);
  const std::string text =
      describe(c, default_prices(), ArchiveAccess::kDeepArchive, RestoreTier::Expedited, 1);
  EXPECT_NE(text.find("estimated cost unknown"), std::string::npos) << text;
}

TEST(RestoreCost, IntelligentTieringStandardAndBulkAreFree) {
  for (auto tier : {RestoreTier::Standard, RestoreTier::Bulk}) {
    const auto c = estimate_restore(default_prices(), ArchiveAccess::kTieringArchive, tier, 3, kGiB, 7);
    ASSERT_TRUE(c.price);
    EXPECT_EQ(c.total(), 0);
    EXPECT_EQ(c.copy_storage, 0);
  }
  EXPECT_FALSE(
      estimate_restore(default_prices(), ArchiveAccess::kTieringArchive, RestoreTier::Expedited, 1, kGiB, 7)
          .price);
}

TEST(RestoreCost, DescriptionNamesTheAmountsTheDateAndTheSource) {
  const auto& p = default_prices();
  const auto c = estimate_restore(p, ArchiveAccess::kGlacier, RestoreTier::Expedited, 2, 3 * kGiB, 7);
  const std::string text = describe(c, p, ArchiveAccess::kGlacier, RestoreTier::Expedited, 7);
  EXPECT_NE(text.find("Restore 2 archives (3.000 GB) from GLACIER, tier Expedited"), std::string::npos)
      << text;
  EXPECT_NE(text.find("estimated $0.11 = $0.09 retrieval"), std::string::npos) << text;
  EXPECT_NE(text.find("$0.02 requests (2 x $10/1,000)"), std::string::npos) << text;
  EXPECT_NE(text.find("as of " + p.as_of), std::string::npos) << text;
  EXPECT_NE(text.find(p.source), std::string::npos) << text;
}

TEST(RestorePrices, BadTablesAreUsageErrorsNamingTheField) {
  const std::string ok_head = R"({"as_of": "2026-01-01", "source": "me", )";
  auto message = [](const std::string& text) -> std::string {
    try {
      parse_prices(text, "prices.json");
    } catch (const UsageError& e) {
      return e.what();
    }
    return "no error";
  };
  EXPECT_NE(message("{").find("prices.json: not JSON"), std::string::npos);
  EXPECT_NE(message("[1]").find("prices.json: must be a JSON object"), std::string::npos);
  EXPECT_NE(message(R"({"source": "me"})").find("as_of and source are required"), std::string::npos);
  EXPECT_NE(message(ok_head + R"("colour": 1})").find("prices.json: colour: unknown field"),
            std::string::npos);
  EXPECT_NE(
      message(ok_head + R"("restore": {"GLACIER_IR": {}}})").find("restore.GLACIER_IR: unknown storage"),
      std::string::npos);
  EXPECT_NE(message(ok_head + R"("restore": {"GLACIER": {"bulk": {}}}})")
                .find("restore.GLACIER.bulk: unknown tier"),
            std::string::npos);
  EXPECT_NE(message(ok_head + R"("restore": {"GLACIER": {"Bulk": {"per_gb": -1, "per_1000_requests": 0}}}})")
                .find("restore.GLACIER.Bulk.per_gb: must be a number of at least 0"),
            std::string::npos);
  EXPECT_EQ(message(ok_head + R"("restore": {"GLACIER": {"Bulk": {"per_gb": 0, "per_1000_requests": 0}}}})"),
            "no error");
}

}  // namespace
}  // namespace s3tar::catalog
