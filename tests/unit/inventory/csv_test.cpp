// The CSV parser under the inventory reader and the manifest readers: records must come out the
// same however the bytes are cut into chunks (a row, a quoted field or a doubled quote split
// between two downloads), and malformed input must fail on the right line.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "inventory/csv_gz.h"
#include "inventory/errors.h"
#include "inventory_test_util.h"

namespace s3tar::inventory {
namespace {

using Records = std::vector<std::vector<std::string>>;

struct Parsed {
  Records records;
  std::vector<std::uint64_t> lines;
};

// Parses `text` fed in chunks of `chunk` bytes.
Parsed parse(const std::string& text, std::size_t chunk) {
  Parsed out;
  CsvStream csv(
      [&](std::span<const std::string_view> fields, std::uint64_t line) {
        out.records.emplace_back(fields.begin(), fields.end());
        out.lines.push_back(line);
      },
      "test.csv");
  for (std::size_t i = 0; i < text.size(); i += chunk)
    csv.feed(text.data() + i, std::min(chunk, text.size() - i));
  csv.finish();
  return out;
}

// Every chunk size from 1 byte to the whole text gives the same records.
Records parse_every_way(const std::string& text) {
  const Parsed whole = parse(text, text.size() + 1);
  for (std::size_t chunk = 1; chunk <= text.size(); ++chunk) {
    const Parsed p = parse(text, chunk);
    EXPECT_EQ(p.records, whole.records) << "chunks of " << chunk;
    EXPECT_EQ(p.lines, whole.lines) << "chunks of " << chunk;
  }
  return whole.records;
}

TEST(CsvStream, QuotedFieldsAsS3WritesThem) {
  EXPECT_EQ(parse_every_way("\"acme\",\"logs/a+b%2B.gz\",\"12\"\n\"acme\",\"k2\",\"0\"\n"),
            (Records{{"acme", "logs/a+b%2B.gz", "12"}, {"acme", "k2", "0"}}));
}

TEST(CsvStream, DoubledQuotesCommasAndLineEndsInsideQuotes) {
  EXPECT_EQ(parse_every_way("\"a \"\"quoted\"\" word\",\"x,y\",\"two\nlines\",\"\"\"\"\n"),
            (Records{{"a \"quoted\" word", "x,y", "two\nlines", "\""}}));
}

TEST(CsvStream, UnquotedFieldsKeepTheirSpacesEmptyFields) {
  EXPECT_EQ(parse_every_way("b,key with spaces , 7 ,,\n"),
            (Records{{"b", "key with spaces ", " 7 ", "", ""}}));
}

TEST(CsvStream, LineEndsBlankLinesAndALastRowWithoutNewline) {
  EXPECT_EQ(parse_every_way("a,1\r\nb,2\rc,3\n\n\r\nd,4"),
            (Records{{"a", "1"}, {"b", "2"}, {"c", "3"}, {"d", "4"}}));
  const Parsed p = parse("a\n\nb\n", 100);
  EXPECT_EQ(p.lines, (std::vector<std::uint64_t>{1, 2}));  // blank lines are not records
  EXPECT_TRUE(parse("", 10).records.empty());
  EXPECT_TRUE(parse("\n\n", 1).records.empty());
}

TEST(CsvStream, MalformedInputFailsOnItsLine) {
  struct Case {
    std::string text;
    std::uint64_t line;
  };
  const std::vector<Case> cases = {
      {"\"a\",\"b\"\n\"a\",\"k\"x,\"1\"\n", 2},  // text after a closing quote
      {"a,b\nc,d\"e\n", 2},                      // a quote inside an unquoted field
      {"a\n\"unterminated,b\n", 2},              // no closing quote before the end
  };
  for (const auto& c : cases) {
    for (std::size_t chunk : {std::size_t{1}, std::size_t{3}, c.text.size()}) {
      try {
        parse(c.text, chunk);
        ADD_FAILURE() << "no error for " << c.text;
      } catch (const BadRowError& e) {
        EXPECT_EQ(e.line(), c.line) << c.text;
        EXPECT_EQ(e.file_key(), "test.csv");
        EXPECT_NE(e.problem().find("malformed CSV"), std::string::npos) << e.problem();
      }
    }
  }
}

TEST(CsvStream, ARecordLongerThanAMegabyteIsMalformed) {
  const std::string huge = "\"" + std::string(2 << 20, 'x') + "\"\n";
  EXPECT_THROW(parse(huge, 64 << 10), BadRowError);
}

TEST(GzipCsvStream, RowsSpanningInflateBuffers) {
  std::string text;
  Records expected;
  for (int i = 0; i < 20000; ++i) {
    const std::string key = "logs/" + std::to_string(i) + "/\"q\"," + std::string(i % 50, 'k');
    text += testing::row({"bucket", key, std::to_string(i)});
    expected.push_back({"bucket", key, std::to_string(i)});
  }
  const std::string gz = testing::gzip(text);
  Records got;
  GzipCsvStream stream(
      [&](std::span<const std::string_view> f, std::uint64_t) { got.emplace_back(f.begin(), f.end()); },
      "t.gz");
  for (std::size_t i = 0; i < gz.size(); i += 1000)
    stream.feed(gz.data() + i, std::min<std::size_t>(1000, gz.size() - i));
  stream.finish();
  EXPECT_EQ(got, expected);
  EXPECT_EQ(stream.uncompressed_bytes(), text.size());
}

TEST(GzipCsvStream, ConcatenatedMembersInAnyChunking) {
  const std::string a = testing::row({"b", std::string(70000, 'k'), "1"});
  const std::string b = testing::row({"b", "second", "2"});
  const std::string c = testing::row({"b", "third", "3"});
  const std::string gz = testing::gzip(a) + testing::gzip(b) + testing::gzip(c, 1);
  for (std::size_t chunk : {1, 2, 3, 7, 10, 64, 1000, 1 << 20}) {
    std::vector<std::string> third_fields;
    std::size_t rows = 0;
    GzipCsvStream stream(
        [&](std::span<const std::string_view> f, std::uint64_t) {
          ++rows;
          third_fields.emplace_back(f[2]);
        },
        "m.gz");
    for (std::size_t i = 0; i < gz.size(); i += chunk)
      stream.feed(gz.data() + i, std::min(chunk, gz.size() - i));
    stream.finish();
    EXPECT_EQ(rows, 3u) << chunk;
    EXPECT_EQ(third_fields, (std::vector<std::string>{"1", "2", "3"})) << chunk;
    EXPECT_EQ(stream.uncompressed_bytes(), a.size() + b.size() + c.size()) << chunk;
  }
}

TEST(GzipCsvStream, ACorruptTrailerIsBadInput) {
  std::string gz = testing::gzip(testing::row({"b", "k", "1"}));
  gz[gz.size() - 6] ^= 0x55;  // the CRC-32 in the trailer
  GzipCsvStream stream([](std::span<const std::string_view>, std::uint64_t) {}, "c.gz");
  try {
    stream.feed(gz.data(), gz.size());
    stream.finish();
    ADD_FAILURE() << "no error for a bad CRC";
  } catch (const BadInputError& e) {
    EXPECT_NE(std::string(e.what()).find("corrupt gzip data in c.gz"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace s3tar::inventory
