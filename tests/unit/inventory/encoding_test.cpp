#include "inventory/encoding.h"

#include <gtest/gtest.h>

#include <sstream>

#include "inventory/errors.h"
#include "inventory/manifest_csv.h"

namespace s3tar::inventory {
namespace {

TEST(FormDecode, PlusIsSpaceAndPercentIsByte) {
  EXPECT_EQ(form_decode("web/2025/11/20/access+log+%2B+errors.gz"), "web/2025/11/20/access log + errors.gz");
  EXPECT_EQ(form_decode("caf%C3%A9/r%C3%A9sum%C3%A9.txt"), "caf\xC3\xA9/r\xC3\xA9sum\xC3\xA9.txt");
  EXPECT_EQ(form_decode("a%2fb%2Fc"), "a/b/c");
  EXPECT_EQ(form_decode("100%25"), "100%");
  EXPECT_EQ(form_decode("%2B%2b"), "++");
  EXPECT_EQ(form_decode("%20"), " ");
  EXPECT_EQ(form_decode(""), "");
}

TEST(FormDecode, KeepsMalformedEscapesLikeUnquotePlus) {
  EXPECT_EQ(form_decode("50%"), "50%");
  EXPECT_EQ(form_decode("50%2"), "50%2");
  EXPECT_EQ(form_decode("%zz+%4"), "%zz %4");
  EXPECT_EQ(form_decode("%%41"), "%A");
}

TEST(FormDecode, DecodesControlAndHighBytes) {
  EXPECT_EQ(form_decode("a%0Ab%00c"), std::string("a\nb\0c", 5));
  EXPECT_EQ(form_decode("%FF"), "\xFF");
}

TEST(PercentDecode, PlusStaysPlus) { EXPECT_EQ(percent_decode("a+b%20c"), "a+b c"); }

TEST(ParseBool, CaseInsensitive) {
  bool ok = false;
  EXPECT_TRUE(parse_bool("true", ok));
  EXPECT_TRUE(ok);
  EXPECT_TRUE(parse_bool("TRUE", ok));
  EXPECT_FALSE(parse_bool("False", ok));
  EXPECT_TRUE(ok);
  parse_bool("", ok);
  EXPECT_FALSE(ok);
  parse_bool("yes", ok);
  EXPECT_FALSE(ok);
}

TEST(ManifestCsv, QuotesOnlyWhenNeeded) {
  EXPECT_EQ(csv_field("plain/key.txt"), "plain/key.txt");
  EXPECT_EQ(csv_field("a,b"), "\"a,b\"");
  EXPECT_EQ(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
  EXPECT_EQ(csv_field("line\nbreak"), "\"line\nbreak\"");
  EXPECT_EQ(csv_field(" lead"), "\" lead\"");
  EXPECT_EQ(csv_field(""), "");
}

TEST(ManifestCsv, WriterAndReaderRoundTrip) {
  std::ostringstream out;
  ManifestCsvWriter w(out);
  w.write("b1", "logs/access log + errors.gz", 48213, "9b2cf535f27731c974343645a3985328");
  w.write("b1", "odd,\"key\"\nwith newline", 1, "abc-2");
  w.write("b2", "caf\xC3\xA9", 7, "");
  EXPECT_EQ(out.str(),
            "b1,logs/access log + errors.gz,48213,9b2cf535f27731c974343645a3985328\n"
            "b1,\"odd,\"\"key\"\"\nwith newline\",1,abc-2\n"
            "b2,caf\xC3\xA9,7,\n");
  std::istringstream in(out.str());
  const auto entries = read_manifest_csv(in, "m.csv");
  ASSERT_EQ(entries.size(), 3u);
  EXPECT_EQ(entries[0], (ManifestCsvEntry{"b1", "logs/access log + errors.gz", 48213,
                                          "9b2cf535f27731c974343645a3985328", std::nullopt}));
  EXPECT_EQ(entries[1], (ManifestCsvEntry{"b1", "odd,\"key\"\nwith newline", 1, "abc-2", std::nullopt}));
  EXPECT_EQ(entries[2], (ManifestCsvEntry{"b2", "caf\xC3\xA9", 7, "", std::nullopt}));
}

TEST(ManifestCsv, ReaderOptionsAndErrors) {
  std::istringstream in("bucket,key,size\nb,a+b%2Bc,5\nb,k,6,etag\n");
  const auto entries = read_manifest_csv(in, "m.csv", {.skip_header = true, .url_decode = true});
  ASSERT_EQ(entries.size(), 2u);
  EXPECT_EQ(entries[0].key, "a b+c");
  EXPECT_EQ(entries[1].etag, "etag");

  std::istringstream bad("b,k,5\nb,k,five\n");
  try {
    read_manifest_csv(bad, "m.csv");
    FAIL() << "expected BadRowError";
  } catch (const BadRowError& e) {
    EXPECT_EQ(e.file_key(), "m.csv");
    EXPECT_EQ(e.line(), 2u);
    EXPECT_NE(std::string(e.what()).find("five"), std::string::npos);
  }
  std::istringstream short_row("b,k\n");
  EXPECT_THROW(read_manifest_csv(short_row, "m.csv"), BadRowError);
  std::istringstream unterminated("b,\"k,5\n");
  EXPECT_THROW(read_manifest_csv(unterminated, "m.csv"), BadRowError);
}

TEST(BatchManifestCsv, DecodesKeysAndOptionalVersion) {
  std::istringstream in(
      "src,photos/caf%C3%A9+1.jpg\nsrc,a%2Bb,3HL4kqtJlcpXroDTDmjVBH40Nrjfkd\r\n\"src\",\"x,y\"\n");
  const auto entries = read_batch_manifest_csv(in, "batch.csv");
  ASSERT_EQ(entries.size(), 3u);
  EXPECT_EQ(entries[0], (BatchManifestEntry{"src", "photos/caf\xC3\xA9 1.jpg", ""}));
  EXPECT_EQ(entries[1], (BatchManifestEntry{"src", "a+b", "3HL4kqtJlcpXroDTDmjVBH40Nrjfkd"}));
  EXPECT_EQ(entries[2], (BatchManifestEntry{"src", "x,y", ""}));

  std::istringstream bad("src,k\nsrc,k,v,extra\n");
  try {
    read_batch_manifest_csv(bad, "batch.csv");
    FAIL() << "expected BadRowError";
  } catch (const BadRowError& e) {
    EXPECT_EQ(e.line(), 2u);
  }
}

}  // namespace
}  // namespace s3tar::inventory
