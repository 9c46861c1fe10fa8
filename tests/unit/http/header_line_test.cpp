#include "s3tar/s3/http/header_line.h"

#include <gtest/gtest.h>

namespace s3tar::s3 {
namespace {

using Kind = HeaderLine::Kind;

TEST(HeaderLine, StatusLinesStartANewResponse) {
  EXPECT_EQ(read_header_line("HTTP/1.1 100 Continue\r\n").kind, Kind::Status);
  EXPECT_EQ(read_header_line("HTTP/2 200\r\n").kind, Kind::Status);
}

TEST(HeaderLine, FieldsHaveALowercaseNameAndATrimmedValue) {
  const HeaderLine h = read_header_line("ETag:  \"abc\" \t\r\n");
  EXPECT_EQ(h.kind, Kind::Field);
  EXPECT_EQ(h.name, "etag");
  EXPECT_EQ(h.value, "\"abc\"");
  EXPECT_EQ(read_header_line("X-Amz-Meta-A: b: c\r\n").value, "b: c");
}

TEST(HeaderLine, FoldedValuesAndBlankLines) {
  const HeaderLine h = read_header_line("\t more text\r\n");
  EXPECT_EQ(h.kind, Kind::Continuation);
  EXPECT_EQ(h.value, "more text");
  EXPECT_EQ(read_header_line("\r\n").kind, Kind::Other);
  EXPECT_EQ(read_header_line("no colon here\r\n").kind, Kind::Other);
}

TEST(HeaderLine, OriginsDropThePortAndIpv6Brackets) {
  EXPECT_EQ(parse_origin("https://bucket.s3.example:8443").host, "bucket.s3.example");
  EXPECT_EQ(parse_origin("https://bucket.s3.example:8443").scheme, "https");
  EXPECT_EQ(parse_origin("http://[::1]:9000/x").host, "::1");
  EXPECT_EQ(parse_origin("http://127.0.0.1").host, "127.0.0.1");
  EXPECT_EQ(parse_origin("no-scheme").host, "");
}

}  // namespace
}  // namespace s3tar::s3
