#include "catalog/find.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "s3tar/errors.h"

namespace s3tar::catalog {
namespace {

namespace fs = std::filesystem;

Row row(std::string key, std::string day, std::uint64_t offset, std::string version = "") {
  const std::string archive = "tar/src/" + day.substr(0, 4) + "/" + day.substr(5, 2) + "/" +
                              day.substr(8, 2) + "/src-" + day + "-0001.tar";
  return Row{"src",
             std::move(key),
             std::move(version),
             100 + offset,
             *parse_utc(day + "T08:00:00Z"),
             "e",
             "arch",
             archive,
             "ae-1",
             offset};
}

std::string sidecar(const std::vector<Row>& rows) {
  std::string members;
  for (const auto& r : rows) {
    if (!members.empty()) members += ",";
    members += "{\"bucket\":\"" + r.bucket + "\",\"key\":\"" + r.key +
               "\",\"offset\":" + std::to_string(r.offset) + ",\"size\":" + std::to_string(r.size) +
               ",\"etag\":\"" + r.etag + "\",\"mtime\":" + std::to_string(r.last_modified) + "}";
  }
  return "{\"archive\":\"s3://" + rows[0].archive_bucket + "/" + rows[0].archive_key + "\",\"etag\":\"" +
         rows[0].archive_etag + "\",\"members\":[" + members + "]}";
}

class FindTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() / ("s3tar-find-" + std::to_string(::getpid()));
    fs::remove_all(root_);
    // Two catalogued days; the same key archived on both (re-uploaded).
    put("tar/_reports/catalog/dt=2025-11-19/part-0000.csv.gz",
        render_part(
            {row("logs/app/web-1.log", "2025-11-19", 1536), row("logs/app/web-2.log", "2025-11-19", 3584)}));
    put("tar/_reports/catalog/dt=2025-11-20/part-0000.csv.gz",
        render_part({row("logs/app/web-1.log", "2025-11-20", 1536),
                     row("logs/app/web-1.log.1", "2025-11-20", 3584)}));
    // Shard 1 of the 20th, and a stale copy of a row (a re-run with another shard count).
    put("tar/_reports/catalog/dt=2025-11-20/part-0001.csv.gz",
        render_part({row("logs/db/slow.log", "2025-11-20", 9000, "v7"),
                     row("logs/app/web-1.log", "2025-11-20", 1536)}));
    put("tar/_reports/2025/11/20/state.json", "{}");
    // A day archived before the job wrote catalogs: its report and its sidecars only.
    put("tar/_reports/2025/11/18/state.json", "{}");
    put("tar/src/2025/11/18/src-2025-11-18-0001.tar.index.json",
        sidecar({row("logs/app/web-1.log", "2025-11-18", 512)}));
    put("tar/src/2025/11/18/src-2025-11-18-0001.tar", "tar bytes");
    // A day with archives but neither report nor catalog (made with s3tar -c under the naming).
    put("tar/src/2025/11/17/src-2025-11-17-0001.tar.index.json",
        sidecar({row("logs/app/web-1.log", "2025-11-17", 512)}));
    layout_.report_bucket = "arch";
    layout_.report_prefix = "tar/_reports";
    layout_.archive_bucket = "arch";
    layout_.day_archive_prefix = [](const std::string& d) {
      return "tar/src/" + d.substr(0, 4) + "/" + d.substr(5, 2) + "/" + d.substr(8, 2) + "/";
    };
  }
  void TearDown() override { fs::remove_all(root_); }

  void put(const std::string& key, const std::string& bytes) {
    const fs::path p = root_ / "arch" / key;
    fs::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary) << bytes;
  }

  FindResult run(std::vector<std::string> args, DayRange range = {}, std::string version = "") {
    FindOptions o;
    for (const auto& a : args) o.queries.push_back(parse_query(a));
    o.range = std::move(range);
    o.version_id = std::move(version);
    inventory::LocalObjectStore store(root_);
    return find(store, layout_, o);
  }

  static std::vector<std::string> days_keys(const FindResult& r) {
    std::vector<std::string> out;
    for (const auto& m : r.matches)
      out.push_back(m.day + " " + m.row.key + (m.from_sidecar ? " (sidecar)" : ""));
    return out;
  }

  fs::path root_;
  Layout layout_;
};

TEST_F(FindTest, ExactKeyAcrossDaysNewestFirstIncludingDaysWithoutCatalog) {
  const auto r = run({"logs/app/web-1.log"});
  EXPECT_EQ(days_keys(r),
            (std::vector<std::string>{"2025-11-20 logs/app/web-1.log", "2025-11-19 logs/app/web-1.log",
                                      "2025-11-18 logs/app/web-1.log (sidecar)"}));
  EXPECT_EQ(r.days, (std::vector<std::string>{"2025-11-18", "2025-11-19", "2025-11-20"}));
  EXPECT_EQ(r.sidecar_days, (std::vector<std::string>{"2025-11-18"}));
  EXPECT_EQ(r.matches[0].row.archive_key, "tar/src/2025/11/20/src-2025-11-20-0001.tar");
  EXPECT_EQ(r.matches[0].row.offset, 1536u);
  EXPECT_EQ(r.matches[2].row.offset, 512u);
}

TEST_F(FindTest, PrefixFindsEveryKeyUnderIt) {
  const auto r = run({"logs/app/"});
  EXPECT_EQ(days_keys(r),
            (std::vector<std::string>{"2025-11-20 logs/app/web-1.log", "2025-11-20 logs/app/web-1.log.1",
                                      "2025-11-19 logs/app/web-1.log", "2025-11-19 logs/app/web-2.log",
                                      "2025-11-18 logs/app/web-1.log (sidecar)"}));
  EXPECT_EQ(run({"logs/app/web-1*"}).matches.size(), 4u);
  EXPECT_EQ(run({"logs/db/slow.log", "logs/app/web-2.log"}).matches.size(), 2u);
  EXPECT_TRUE(run({"logs/app"}).matches.empty()) << "an exact key is not a prefix";
}

TEST_F(FindTest, VersionFilter) {
  EXPECT_EQ(run({"logs/db/slow.log"}, {}, "v7").matches.size(), 1u);
  EXPECT_TRUE(run({"logs/db/slow.log"}, {}, "v8").matches.empty());
}

TEST_F(FindTest, DateRange) {
  EXPECT_EQ(days_keys(run({"logs/app/web-1.log"}, parse_range("2025-11-19", std::nullopt))),
            (std::vector<std::string>{"2025-11-20 logs/app/web-1.log", "2025-11-19 logs/app/web-1.log"}));
  EXPECT_EQ(days_keys(run({"logs/app/web-1.log"}, parse_range(std::nullopt, "2025-11-18"))),
            (std::vector<std::string>{"2025-11-18 logs/app/web-1.log (sidecar)"}));
  // Both ends given: every day in between is read, also one with neither catalog nor report.
  const auto r = run({"logs/app/web-1.log"}, parse_range("2025-11-16", "2025-11-19"));
  EXPECT_EQ(days_keys(r), (std::vector<std::string>{"2025-11-19 logs/app/web-1.log",
                                                    "2025-11-18 logs/app/web-1.log (sidecar)",
                                                    "2025-11-17 logs/app/web-1.log (sidecar)"}));
  EXPECT_EQ(r.days.size(), 4u);
}

TEST_F(FindTest, DuplicateRowsOfAReRunAreListedOnce) {
  const auto r = run({"logs/app/web-1.log"}, parse_range("2025-11-20", "2025-11-20"));
  EXPECT_EQ(r.matches.size(), 1u);
}

TEST_F(FindTest, ACorruptCatalogFileIsBadInputNamingIt) {
  put("tar/_reports/catalog/dt=2025-11-20/part-0002.csv.gz", "not gzip");
  try {
    run({"logs/"});
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.category(), ErrorCategory::BadInput);
    EXPECT_NE(std::string(e.what()).find("s3://arch/tar/_reports/catalog/dt=2025-11-20/part-0002.csv.gz"),
              std::string::npos)
        << e.what();
  }
}

TEST(FindArguments, QueriesAndRanges) {
  EXPECT_FALSE(parse_query("a/b.log").prefix);
  EXPECT_TRUE(parse_query("a/").prefix);
  const auto star = parse_query("a/b*");
  EXPECT_TRUE(star.prefix);
  EXPECT_EQ(star.text, "a/b");
  EXPECT_TRUE(star.matches("a/b"));
  EXPECT_TRUE(star.matches("a/bc"));
  EXPECT_FALSE(star.matches("a/"));
  EXPECT_THROW(parse_query(""), UsageError);
  EXPECT_THROW(parse_query("*"), UsageError);
  EXPECT_THROW(parse_range("2025-13-01", std::nullopt), UsageError);
  EXPECT_THROW(parse_range(std::nullopt, "yesterday"), UsageError);
  EXPECT_THROW(parse_range("2025-11-20", "2025-11-19"), UsageError);
  EXPECT_EQ(days_between("2024-02-28", "2024-03-01"),
            (std::vector<std::string>{"2024-02-28", "2024-02-29", "2024-03-01"}));
}

}  // namespace
}  // namespace s3tar::catalog
