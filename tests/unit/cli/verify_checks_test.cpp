// The decisions of `s3tar verify` on what was read: structure, toc.csv, index sidecar, sources.
#include "cli/tar/verify_checks.h"

#include <gtest/gtest.h>

#include "s3tar/errors.h"

namespace s3tar::cli {
namespace {

// toc.csv (one block of data) then two members of 100 and 512 bytes, headers before each.
std::vector<tar::ArchiveMember> three_members() {
  return {{"toc.csv", 0, 512, 40, true}, {"a.txt", 1024, 1536, 100, true}, {"b.txt", 2048, 2560, 512, true}};
}
constexpr std::uint64_t kWhole = 2560 + 512 + 1024;  // data, then the two end-of-archive blocks

TEST(VerifyChecks, AWholeArchiveHasNoStructureProblem) {
  EXPECT_EQ(end_of_members(three_members()), 3072u);
  EXPECT_TRUE(structure_ok(three_members(), kWhole));
  EXPECT_TRUE(structure_problems(three_members(), kWhole).empty());
}

TEST(VerifyChecks, AnArchiveWithoutItsEndBlocksIsReported) {
  EXPECT_FALSE(structure_ok(three_members(), kWhole - 1));
  const auto problems = structure_problems(three_members(), kWhole - 1);
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_NE(problems[0].find("ends at 3072 without its two end-of-archive blocks (size 4095)"),
            std::string::npos)
      << problems[0];
}

TEST(VerifyChecks, ATocThatMatchesTheHeadersHasNoProblem) {
  const std::vector<tar::TocEntry> toc{{"a.txt", 1536, 100, ""}, {"b.txt", 2560, 512, ""}};
  EXPECT_TRUE(toc_problems(toc, three_members(), kWhole).empty());
}

TEST(VerifyChecks, TocRowsThatDisagreeWithTheHeadersAreNamed) {
  const std::vector<tar::TocEntry> toc{{"a.txt", 1536, 100, ""}, {"b.txt", 2560, 511, ""}};
  const auto problems = toc_problems(toc, three_members(), kWhole);
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_NE(problems[0].find("toc.csv row 2 (b.txt at 2560, 511 bytes) does not match header 3"),
            std::string::npos)
      << problems[0];
}

TEST(VerifyChecks, ATocWithAMemberTooManyOrPastTheEndIsReported) {
  const std::vector<tar::TocEntry> toc{
      {"a.txt", 1536, 100, ""}, {"b.txt", 2560, 512, ""}, {"c.txt", kWhole - 10, 11, ""}};
  const auto problems = toc_problems(toc, three_members(), kWhole);
  ASSERT_EQ(problems.size(), 2u);
  EXPECT_NE(problems[0].find("toc.csv row 3 (c.txt) puts 11 bytes at offset 4086, past the end"),
            std::string::npos)
      << problems[0];
  EXPECT_EQ(problems[1], "toc.csv lists 3 members, the archive holds 2");
}

TEST(VerifyChecks, IndexSourcesAreRead) {
  const auto sources = parse_index_sources(
      R"({"members":[{"bucket":"b","key":"k1","size":3,"etag":"e1","version_id":"v1"},{"bucket":"b","key":"k2","size":0}]})",
      "s3://d/a.tar.index.json");
  ASSERT_EQ(sources.size(), 2u);
  EXPECT_EQ(sources[0].key, "k1");
  EXPECT_EQ(sources[0].version_id, "v1");
  EXPECT_EQ(sources[0].etag, "e1");
  EXPECT_EQ(sources[0].size, 3u);
  EXPECT_EQ(sources[1].etag, "");
}

TEST(VerifyChecks, AnIndexThatIsNotOneIsBadInputNamingTheSidecar) {
  for (const char* body : {"not json", R"({"members":[{"bucket":"b"}]})", "[]"}) {
    try {
      parse_index_sources(body, "s3://d/a.tar.index.json");
      ADD_FAILURE() << "accepted " << body;
    } catch (const BadInputError& e) {
      EXPECT_NE(std::string(e.what()).find("s3://d/a.tar.index.json is not an s3tar index sidecar"),
                std::string::npos)
          << e.what();
    }
  }
}

TEST(VerifyChecks, ASourceThatChangedSizeOrEtagIsReported) {
  const VerifySource recorded{"b", "k", "", "e1", 10};
  s3::ObjectInfo now;
  now.size = 10;
  now.etag = "e1";
  EXPECT_TRUE(source_problems(recorded, now).empty());
  now.size = 11;
  now.etag = "e2";
  const auto problems = source_problems(recorded, now);
  ASSERT_EQ(problems.size(), 2u);
  EXPECT_EQ(problems[0], "s3://b/k: source has 11 bytes, the archive 10");
  EXPECT_EQ(problems[1], "s3://b/k: source ETag is e2, the archive recorded e1");
}

TEST(VerifyChecks, AnEtagNotRecordedIsNotCompared) {
  const VerifySource recorded{"b", "k", "", "", 10};
  s3::ObjectInfo now;
  now.size = 10;
  now.etag = "anything";
  EXPECT_TRUE(source_problems(recorded, now).empty());
}

}  // namespace
}  // namespace s3tar::cli
