// The -m manifest reader on input people really produce: spreadsheets (byte order marks,
// spaces), hand edits (duplicates, typos in bucket names) and hostile fields.
#include "inventory/manifest_csv.h"

#include <gtest/gtest.h>

#include <sstream>

#include "inventory/encoding.h"
#include "inventory/errors.h"

namespace s3tar::inventory {
namespace {

std::vector<ManifestCsvEntry> read(const std::string& text) {
  std::istringstream in(text);
  return read_manifest_csv(in, "m.csv");
}

std::vector<BatchManifestEntry> read_batch(const std::string& text) {
  std::istringstream in(text);
  return read_batch_manifest_csv(in, "b.csv");
}

// The BadRowError of reading `text`, or a test failure when it reads fine.
BadRowError error_of(const std::string& text, bool batch = false) {
  try {
    batch ? (void)read_batch(text) : (void)read(text);
  } catch (const BadRowError& e) {
    return e;
  }
  ADD_FAILURE() << "no error for: " << text.substr(0, 200);
  return BadRowError("none", 0, "none");
}

TEST(ManifestCsvRfc4180, UnquotedFieldsKeepTheirSpaces) {
  const auto e = read("src, lead.txt,5\nsrc,trail.txt ,6\nsrc,\tin tab,7\n");
  ASSERT_EQ(e.size(), 3u);
  EXPECT_EQ(e[0].key, " lead.txt");
  EXPECT_EQ(e[1].key, "trail.txt ");
  EXPECT_EQ(e[2].key, "\tin tab");
}

TEST(ManifestCsvRfc4180, ALeadingByteOrderMarkIsNotPartOfTheBucket) {
  const auto e = read("\xEF\xBB\xBFsrc,a.txt,5\n");
  ASSERT_EQ(e.size(), 1u);
  EXPECT_EQ(e[0].bucket, "src");
  const auto b = read_batch("\xEF\xBB\xBFsrc,a.txt\n");
  ASSERT_EQ(b.size(), 1u);
  EXPECT_EQ(b[0].bucket, "src");
}

TEST(ManifestCsvColumns, AFifthColumnGivesTheLastModifiedTime) {
  const auto e = read(
      "src,a.txt,5,0123456789abcdef0123456789abcdef,2025-11-20T13:45:07.000Z\n"
      "src,b.txt,6,0123456789abcdef0123456789abcdef,\n"
      "src,c.txt,7,0123456789abcdef0123456789abcdef\n");
  ASSERT_EQ(e.size(), 3u);
  ASSERT_TRUE(e[0].last_modified.has_value());
  EXPECT_EQ(*e[0].last_modified, 1763646307);
  EXPECT_EQ(e[0].etag, "0123456789abcdef0123456789abcdef");
  EXPECT_FALSE(e[1].last_modified.has_value());  // empty: as if absent
  EXPECT_FALSE(e[2].last_modified.has_value());
}

TEST(ManifestCsvColumns, ABadLastModifiedOrASixthColumnNamesTheLine) {
  const BadRowError bad = error_of("src,ok.txt,1\nsrc,a.txt,5,abc,yesterday\n");
  EXPECT_EQ(bad.line(), 2u);
  EXPECT_NE(std::string(bad.what()).find("last_modified is not a time"), std::string::npos) << bad.what();
  const BadRowError six = error_of("src,a.txt,5,abc,2025-11-20T13:45:07Z,x\n");
  EXPECT_NE(std::string(six.what()).find("got 6 columns"), std::string::npos) << six.what();
}

TEST(ManifestCsvChecks, InvalidBucketNamesNameTheLine) {
  for (const std::string& bucket : std::vector<std::string>{"my bucket", "s3://src", "src/logs",
                                                            "b\xC3\xBC"
                                                            "cket",
                                                            std::string(256, 'b')}) {
    const BadRowError e = error_of("src,ok.txt,1\n" + bucket + ",a.txt,5\n");
    EXPECT_EQ(e.line(), 2u) << bucket;
    EXPECT_NE(std::string(e.what()).find("m.csv:2: invalid bucket name"), std::string::npos) << e.what();
  }
  // Legacy us-east-1 names (capitals, underscores) are S3 bucket names.
  EXPECT_EQ(read("Legacy_Bucket.1,a.txt,5\n").size(), 1u);
  EXPECT_EQ(error_of("my bucket,a.txt\n", true).line(), 1u);
}

TEST(ManifestCsvChecks, KeysOverS3sLimitAreRejectedWithoutQuotingThemWhole) {
  EXPECT_EQ(read("src," + std::string(1024, 'k') + ",5\n").size(), 1u);
  const BadRowError e = error_of("src," + std::string(1025, 'k') + ",5\n");
  EXPECT_EQ(e.line(), 1u);
  EXPECT_NE(std::string(e.what()).find("1025 bytes"), std::string::npos) << e.what();
  EXPECT_LT(std::string(e.what()).size(), 300u);
  EXPECT_EQ(error_of("src," + std::string(2000, 'k') + "\n", true).line(), 1u);
}

TEST(ManifestCsvChecks, AHugeFieldNeverMakesAHugeMessage) {
  const std::string huge(10 << 20, '7');
  for (const std::string& row :
       std::vector<std::string>{"src,a.txt," + huge + "x\n", "src,a.txt,5," + huge + "\n",
                                "src," + huge + ",5\n", huge + ",a.txt,5\n"}) {
    const BadRowError e = error_of(row);
    EXPECT_LT(std::string(e.what()).size(), 300u) << std::string(e.what()).substr(0, 300);
  }
  EXPECT_LT(std::string(error_of("src,a.txt," + huge + "\n", true).what()).size(), 300u);
}

TEST(ManifestCsvChecks, DuplicateRowsAreAnErrorNamingBothLines) {
  const BadRowError e = error_of("src,a.txt,5\nsrc,b.txt,6\nsrc,a.txt,5\n");
  EXPECT_EQ(e.line(), 3u);
  EXPECT_NE(std::string(e.what()).find("first on line 1"), std::string::npos) << e.what();
  // The same key in another bucket, or another version of it, is another object.
  EXPECT_EQ(read("src,a.txt,5\nsrc2,a.txt,5\n").size(), 2u);
  EXPECT_EQ(read_batch("src,a.txt,v1\nsrc,a.txt,v2\n").size(), 2u);
  EXPECT_EQ(error_of("src,a.txt,v1\nsrc,a.txt,v1\n", true).line(), 2u);
}

TEST(ManifestCsvChecks, AbbreviateCutsAtACharacterBoundary) {
  EXPECT_EQ(abbreviate("short", 80), "short");
  // "é" is two bytes: a cut inside it backs up to its start.
  EXPECT_EQ(abbreviate("ab\xC3\xA9xyz", 3), "ab... (7 bytes)");
}

}  // namespace
}  // namespace s3tar::inventory
