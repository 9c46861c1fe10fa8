#include "s3tar/archive/tar/toc.h"

#include <gtest/gtest.h>

#include "s3tar/errors.h"

namespace s3tar::tar {
namespace {

TEST(Toc, PlainRows) {
  std::vector<TocEntry> e = {{"a/b.txt", 1536, 10, "9b2cf535f27731c974343645a3985328"},
                             {"c", 2560, 0, "d41d8cd98f00b204e9800998ecf8427e-2"}};
  const std::string csv = render_toc_csv(e);
  EXPECT_EQ(csv,
            "a/b.txt,1536,10,9b2cf535f27731c974343645a3985328\n"
            "c,2560,0,d41d8cd98f00b204e9800998ecf8427e-2\n");
  EXPECT_EQ(parse_toc(csv), e);
  EXPECT_EQ(toc_row_size(e[0].name, e[0].offset, e[0].size, e[0].etag), csv.find('\n') + 1);
}

TEST(Toc, QuotesOnlyWhenNeeded) {
  std::vector<TocEntry> e = {{"with,comma", 1, 2, "\"etag\""},
                             {"line\nbreak", 3, 4, ""},
                             {" leading space", 5, 6, "x"},
                             {"plain space + plus", 7, 8, "y"},
                             {"cr\rx", 9, 10, "z"}};
  const std::string csv = render_toc_csv(e);
  EXPECT_EQ(csv,
            "\"with,comma\",1,2,\"\"\"etag\"\"\"\n"
            "\"line\nbreak\",3,4,\n"
            "\" leading space\",5,6,x\n"
            "plain space + plus,7,8,y\n"
            "\"cr\rx\",9,10,z\n");
  EXPECT_EQ(parse_toc(csv), e);
  std::uint64_t total = 0, in_two_terms = 0;
  for (const auto& x : e) {
    total += toc_row_size(x.name, x.offset, x.size, x.etag);
    in_two_terms +=
        toc_row_size_but_offset(x.name, x.size, csv_field_size(x.etag)) + toc_offset_size(x.offset);
  }
  EXPECT_EQ(total, csv.size());
  EXPECT_EQ(in_two_terms, csv.size());
}

TEST(Toc, ParsesCrLfBlankLinesAndNoFinalNewline) {
  auto e = parse_toc("a,1,2,e\r\n\nb,3,4,f");
  ASSERT_EQ(e.size(), 2u);
  EXPECT_EQ(e[1], (TocEntry{"b", 3, 4, "f"}));
  EXPECT_TRUE(parse_toc("").empty());
}

TEST(Toc, RejectsMalformed) {
  EXPECT_THROW(parse_toc("a,1,2\n"), BadInputError);
  EXPECT_THROW(parse_toc("a,x,2,e\n"), BadInputError);
  EXPECT_THROW(parse_toc("a,1,-2,e\n"), BadInputError);
  EXPECT_THROW(parse_toc("\"a,1,2,e\n"), BadInputError);
  EXPECT_THROW(parse_toc("\"a\"b,1,2,e\n"), BadInputError);
  EXPECT_THROW(parse_toc("a,1,2,e,f\n"), BadInputError);
}

TEST(Toc, ErrorsQuoteOnlyTheStartOfAHugeField) {
  try {
    parse_toc("a," + std::string(10 << 20, '9') + "x,1,e\n");
    FAIL() << "no error";
  } catch (const BadInputError& e) {
    EXPECT_LT(std::string(e.what()).size(), 200u);
  }
}

}  // namespace
}  // namespace s3tar::tar
