// Known answers for the shared digest library: hex both ways, MD5, base64.
#include "s3tar/s3/digest.h"

#include <gtest/gtest.h>

#include <string>

namespace s3tar::s3 {
namespace {

TEST(Hex, EncodesLowercase) {
  EXPECT_EQ(hex_encode(""), "");
  EXPECT_EQ(hex_encode(std::string("\x00\x01\x7f\x80\xab\xff", 6)), "00017f80abff");
}

TEST(Hex, DigitValuesInEitherCase) {
  EXPECT_EQ(hex_digit_value('0'), 0);
  EXPECT_EQ(hex_digit_value('9'), 9);
  EXPECT_EQ(hex_digit_value('a'), 10);
  EXPECT_EQ(hex_digit_value('F'), 15);
  for (char c : std::string("gG/:@`\x00 %", 9)) EXPECT_EQ(hex_digit_value(c), -1) << int(c);
}

TEST(Md5, KnownAnswers) {
  EXPECT_EQ(md5_hex(""), "d41d8cd98f00b204e9800998ecf8427e");
  EXPECT_EQ(md5_hex("The quick brown fox jumps over the lazy dog"), "9e107d9d372bb6826bd81d3542a419d6");
  EXPECT_EQ(md5_raw("").size(), 16u);
}

TEST(Md5, StreamedInPiecesIsTheMd5OfTheWhole) {
  const std::string text = "The quick brown fox jumps over the lazy dog";
  for (std::size_t cut : {std::size_t(0), std::size_t(1), std::size_t(20), text.size()}) {
    Md5Stream md5;
    md5.update(text.data(), cut);
    md5.update(text.data() + cut, text.size() - cut);
    EXPECT_EQ(md5.bytes(), text.size());
    EXPECT_EQ(md5.hex(), md5_hex(text)) << cut;
  }
  EXPECT_EQ(Md5Stream().hex(), "d41d8cd98f00b204e9800998ecf8427e");
}

TEST(Base64, KnownAnswers) {
  EXPECT_EQ(base64(""), "");
  EXPECT_EQ(base64("f"), "Zg==");
  EXPECT_EQ(base64("fo"), "Zm8=");
  EXPECT_EQ(base64("foobar"), "Zm9vYmFy");
}

TEST(Md5Etag, OnlyThirtyTwoLowercaseHexDigitsAreAnMd5) {
  EXPECT_TRUE(is_md5_etag("9e107d9d372bb6826bd81d3542a419d6"));
  EXPECT_FALSE(is_md5_etag("9E107D9D372BB6826BD81D3542A419D6"));    // S3 writes lowercase
  EXPECT_FALSE(is_md5_etag("9e107d9d372bb6826bd81d3542a419d6-3"));  // multipart
  EXPECT_FALSE(is_md5_etag("9e107d9d372bb6826bd81d3542a419d"));
  EXPECT_FALSE(is_md5_etag("9e107d9d372bb6826bd81d3542a419zz"));
  EXPECT_FALSE(is_md5_etag(""));
}

}  // namespace
}  // namespace s3tar::s3
