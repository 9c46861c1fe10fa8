#include "catalog/catalog.h"

#include <gtest/gtest.h>
#include <zlib.h>

#include <fstream>
#include <regex>
#include <sstream>

#include "inventory/errors.h"
#include "s3tar/archive/exec/executor.h"

namespace s3tar::catalog {
namespace {

std::string gunzip(const std::string& gz) {
  z_stream z{};
  EXPECT_EQ(inflateInit2(&z, 15 + 16), Z_OK);
  std::string out(1 << 20, '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(gz.data()));
  z.avail_in = static_cast<uInt>(gz.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  EXPECT_EQ(inflate(&z, Z_FINISH), Z_STREAM_END);
  out.resize(z.total_out);
  inflateEnd(&z);
  return out;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in) << path;
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

plan::Plan two_member_plan() {
  std::vector<plan::Member> members = {
      {"src", "logs/a.log", "", "etag-a", 1000, 1763646307},
      {"src", "logs/b \"quoted\", with comma.log", "v2", "etag-b", 2000, 1763646308},
  };
  plan::Options options;
  options.archive_key = "arch/day-0001.tar";
  options.order = plan::Order::Sorted;
  return plan::make_plan(std::move(members), options);
}

Row row(std::string key, std::string archive_key, std::uint64_t offset) {
  return Row{"src", std::move(key), "", 10, 1763646307, "e", "dst", std::move(archive_key), "ae-1", offset};
}

TEST(CatalogTime, FormatsAndParsesUtc) {
  EXPECT_EQ(format_utc(0), "1970-01-01T00:00:00Z");
  EXPECT_EQ(format_utc(1763646307), "2025-11-20T13:45:07Z");
  EXPECT_EQ(format_utc(951782400), "2000-02-29T00:00:00Z");
  EXPECT_EQ(parse_utc("2025-11-20T13:45:07Z"), 1763646307);
  EXPECT_EQ(parse_utc("2000-02-29T00:00:00Z"), 951782400);
  for (const char* bad : {"", "2025-11-20", "2025-11-20T13:45:07", "2025-02-30T00:00:00Z",
                          "2025-11-20T24:00:00Z", "2025-11-20 13:45:07Z", "2025-1a-20T13:45:07Z"})
    EXPECT_EQ(parse_utc(bad), std::nullopt) << bad;
}

TEST(CatalogCsv, QuotesEveryFieldAndDoublesInnerQuotes) {
  Row r{"src", "a \"b\", c\nd", "", 5, 1763646307, "e1", "dst", "arch/x.tar", "ae-2", 1536};
  EXPECT_EQ(render_csv({r}),
            "\"src\",\"a \"\"b\"\", c\nd\",\"\",\"5\",\"2025-11-20T13:45:07Z\",\"e1\",\"dst\",\"arch/x.tar\","
            "\"ae-2\",\"1536\"\n");
}

TEST(CatalogPart, RoundTripsThroughGzipAndSortsByArchiveAndOffset) {
  std::vector<Row> rows = {row("k3", "b.tar", 512), row("k2", "a.tar", 4096), row("k1", "a.tar", 1024)};
  rows[0].key = "with \"quote\", comma\nand newline";
  rows[1].version_id = "3HL4kqtJlcpXroDTDmJ+rmSpXd3dIbrHY";
  const std::string part = render_part(rows);
  const auto back = parse_part(part, "part-0000.csv.gz");
  ASSERT_EQ(back.size(), 3u);
  EXPECT_EQ(back[0], rows[2]);
  EXPECT_EQ(back[1], rows[1]);
  EXPECT_EQ(back[2], rows[0]);
}

TEST(CatalogPart, SameRowsInAnyOrderGiveTheSameBytes) {
  std::vector<Row> rows = {row("k1", "a.tar", 1024), row("k2", "a.tar", 4096), row("k3", "b.tar", 512)};
  std::vector<Row> shuffled = {rows[2], rows[0], rows[1]};
  const std::string a = render_part(rows);
  EXPECT_EQ(a, render_part(shuffled));
  // gzip header: magic, deflate, no flags (no file name), time stamp 0.
  ASSERT_GE(a.size(), 10u);
  EXPECT_EQ(static_cast<unsigned char>(a[0]), 0x1f);
  EXPECT_EQ(static_cast<unsigned char>(a[1]), 0x8b);
  EXPECT_EQ(a[2], 8);
  EXPECT_EQ(a[3], 0);
  EXPECT_EQ(a.substr(4, 4), std::string(4, '\0'));
}

TEST(CatalogPart, EmptyShardIsAValidEmptyFile) {
  const std::string part = render_part({});
  EXPECT_EQ(gunzip(part), "");
  EXPECT_TRUE(parse_part(part, "p").empty());
}

TEST(CatalogPart, MalformedFilesNameTheFileAndLine) {
  const std::string nine = gzip("\"a\",\"b\",\"\",\"1\",\"2025-11-20T13:45:07Z\",\"e\",\"d\",\"k\",\"x\"\n");
  try {
    parse_part(nine, "dt=2025-11-20/part-0000.csv.gz");
    FAIL() << "no error";
  } catch (const inventory::BadRowError& e) {
    EXPECT_EQ(e.line(), 1u);
    EXPECT_NE(std::string(e.what()).find("dt=2025-11-20/part-0000.csv.gz:1"), std::string::npos) << e.what();
  }
  const std::string bad_size =
      gzip("\"a\",\"b\",\"\",\"-1\",\"2025-11-20T13:45:07Z\",\"e\",\"d\",\"k\",\"x\",\"0\"\n");
  EXPECT_THROW(parse_part(bad_size, "p"), inventory::BadRowError);
  const std::string bad_time = gzip("\"a\",\"b\",\"\",\"1\",\"yesterday\",\"e\",\"d\",\"k\",\"x\",\"0\"\n");
  EXPECT_THROW(parse_part(bad_time, "p"), inventory::BadRowError);
  EXPECT_THROW(parse_part("not gzip at all", "p"), inventory::BadInputError);
  const std::string whole = render_part({row("k", "a.tar", 1)});
  EXPECT_THROW(parse_part(whole.substr(0, whole.size() - 4), "p"), inventory::BadInputError);
}

TEST(CatalogRows, FromTheVolumeAndFromItsSidecarAreTheSame) {
  const plan::Plan p = two_member_plan();
  ASSERT_EQ(p.volumes.size(), 1u);
  const auto& v = p.volumes[0];
  const auto from_plan = rows_for_volume("dst", v, "abc-1");
  const auto from_sidecar = rows_from_sidecar(exec::render_index("dst", v, "abc-1"), "x.index.json");
  ASSERT_EQ(from_plan.size(), 2u);
  EXPECT_EQ(from_plan, from_sidecar);
  EXPECT_EQ(from_plan[1].version_id, "v2");
  EXPECT_EQ(from_plan[0].archive_key, "arch/day-0001.tar");
  EXPECT_EQ(from_plan[0].offset, v.data_offsets[0]);
  EXPECT_EQ(from_plan[1].last_modified, 1763646308);
}

TEST(CatalogRows, SidecarThatIsNotOneIsBadInput) {
  EXPECT_THROW(rows_from_sidecar("{", "k.index.json"), inventory::BadInputError);
  EXPECT_THROW(rows_from_sidecar("{\"archive\":\"s3://b/k\"}", "k.index.json"), inventory::BadInputError);
  EXPECT_THROW(rows_from_sidecar("{\"archive\":\"b/k\",\"etag\":\"e\",\"members\":[]}", "k.index.json"),
               inventory::BadInputError);
}

TEST(CatalogNames, PartitionsAndParts) {
  EXPECT_EQ(catalog_prefix("arch/_reports"), "arch/_reports/catalog/");
  EXPECT_EQ(catalog_prefix("arch/_reports/"), "arch/_reports/catalog/");
  EXPECT_EQ(catalog_prefix(""), "catalog/");
  EXPECT_EQ(partition_prefix("_reports", "2025-11-20"), "_reports/catalog/dt=2025-11-20/");
  EXPECT_EQ(part_key("_reports", "2025-11-20", 0), "_reports/catalog/dt=2025-11-20/part-0000.csv.gz");
  EXPECT_EQ(part_key("_reports", "2025-11-20", 12), "_reports/catalog/dt=2025-11-20/part-0012.csv.gz");
  EXPECT_EQ(partition_day("_reports/catalog/dt=2025-11-20/"), "2025-11-20");
  EXPECT_EQ(partition_day("dt=2024-02-29"), "2024-02-29");
  EXPECT_EQ(partition_day("_reports/catalog/dt=2025-02-30/"), std::nullopt);
  EXPECT_EQ(partition_day("_reports/catalog/2025-11-20/"), std::nullopt);
  EXPECT_EQ(partition_day("_reports/catalog/dt=latest/"), std::nullopt);
}

// The Athena table (config/athena/) declares exactly the columns the writer writes, in order.
TEST(CatalogAthena, DdlColumnsAreTheWrittenColumns) {
  const std::string ddl = read_file(std::string(S3TAR_SOURCE_DIR) + "/config/athena/catalog.sql");
  const auto open = ddl.find('(', ddl.find("CREATE EXTERNAL TABLE"));
  const auto close = ddl.find(")\nPARTITIONED BY");
  ASSERT_NE(open, std::string::npos);
  ASSERT_NE(close, std::string::npos);
  const std::string body = ddl.substr(open + 1, close - open - 1);
  std::vector<std::string> names;
  const std::regex column(R"(^\s*`?([a-z_]+)`?\s+(string|bigint)\s*,?\s*$)");
  std::istringstream lines(body);
  for (std::string line; std::getline(lines, line);) {
    if (line.find_first_not_of(" \t") == std::string::npos) continue;
    std::smatch m;
    ASSERT_TRUE(std::regex_match(line, m, column)) << line;
    names.push_back(m[1]);
  }
  ASSERT_EQ(names.size(), kColumns.size());
  for (std::size_t i = 0; i < names.size(); ++i) EXPECT_EQ(names[i], kColumns[i]);
}

// The fixture the Athena/SQLite check reads (tests/deploy/catalog/) is what this writer writes.
TEST(CatalogAthena, FixtureFilesAreWhatTheWriterWrites) {
  const std::string dir = std::string(S3TAR_SOURCE_DIR) + "/tests/deploy/";
  for (const char* day : {"2025-11-19", "2025-11-20"}) {
    const std::string path = dir + part_key("", day, 0);
    const std::string bytes = read_file(path);
    const auto rows = parse_part(bytes, path);
    ASSERT_FALSE(rows.empty()) << path;
    EXPECT_EQ(gunzip(render_part(rows)), gunzip(bytes)) << path;
  }
}

}  // namespace
}  // namespace s3tar::catalog
