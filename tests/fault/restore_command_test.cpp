// `s3tar restore` against answers only real S3 gives, over hours: a restore still running (exit
// 4, naming the archive and since when, nothing requested again) and a restored copy that expired
// (requested again). moto finishes a restore at once and RGW does not implement one, so the
// scripted peer plays S3 and the command runs as the binary runs it (run_app: the exit code).
#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>

#include "cli/app.h"
#include "s3tar/exit_codes.h"
#include "tests/unit/http/scripted_peer.h"

namespace s3tar {
namespace {

using nlohmann::json;

constexpr const char* kEtag = "0123456789abcdef0123456789abcdef-3";
const char* kInvalidObjectState =
    "<Error><Code>InvalidObjectState</Code><Message>The operation is not valid for the object's storage "
    "class</Message></Error>";

// The archive (HEAD with `restore_header`, GET refused until restored unless `readable`), its
// sidecar, the restore record (404 when `record` is empty), RestoreObject (202) and the record's
// PUT.
json archive_script(const std::string& restore_header, const std::string& record, bool readable = false,
                    int member_offset = 1536) {
  const json sidecar = {{"archive", "s3://bkt/day.tar"},
                        {"etag", kEtag},
                        {"members",
                         {{{"bucket", "src"},
                           {"key", "logs/a.log"},
                           {"offset", member_offset},
                           {"size", 10},
                           {"etag", "e1"}}}}};
  json head_headers = {{"ETag", std::string("\"") + kEtag + "\""},
                       {"x-amz-storage-class", "DEEP_ARCHIVE"},
                       {"Content-Length", "4096"}};
  if (!restore_header.empty()) head_headers["x-amz-restore"] = restore_header;
  const json missing = {{"status", 404}, {"body", "<Error><Code>NoSuchKey</Code></Error>"}};
  json get_archive = readable ? json{{"status", 206},
                                     {"headers", {{"Content-Range", "bytes 1536-1545/4096"}}},
                                     {"body", "0123456789"}}
                              : json{{"status", 403}, {"body", kInvalidObjectState}};
  return json::array({{{"method", "HEAD"},
                       {"path", "/bkt/day\\.tar"},
                       {"responses", {{{"status", 200}, {"headers", head_headers}}}}},
                      {{"method", "GET"},
                       {"path", "/bkt/day\\.tar"},
                       {"headers", {{"range", "bytes=1536-1545"}}},
                       {"responses", {get_archive}}},
                      {{"method", "GET"},
                       {"path", "/bkt/day\\.tar"},
                       {"responses", {{{"status", 403}, {"body", kInvalidObjectState}}}}},
                      {{"method", "GET"},
                       {"path", "/bkt/day\\.tar\\.index\\.json"},
                       {"responses", {{{"status", 200}, {"body", sidecar.dump()}}}}},
                      {{"method", "GET"},
                       {"path", "/bkt/day\\.tar\\.restore\\.json"},
                       {"responses", {record.empty() ? missing : json{{"status", 200}, {"body", record}}}}},
                      {{"method", "POST"},
                       {"path", "/bkt/day\\.tar"},
                       {"query", "restore"},
                       {"responses", {{{"status", 202}}}}},
                      {{"method", "PUT"},
                       {"path", "/bkt/day\\.tar\\.restore\\.json"},
                       {"responses", {{{"status", 200}, {"headers", {{"ETag", "\"r1\""}}}}}}}});
}

struct Outcome {
  int rc = -1;
  std::string out;
};

class RestoreCommand : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("s3tar-restore-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_);
    set("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE");
    set("AWS_SECRET_ACCESS_KEY", "not-a-real-secret");
    set("AWS_REGION", "us-east-1");
    set("AWS_CONFIG_FILE", (dir_ / "no-such-config").string());
    set("AWS_SHARED_CREDENTIALS_FILE", (dir_ / "no-such-credentials").string());
    set("AWS_MAX_ATTEMPTS", "2");
    unset("AWS_PROFILE");
    unset("AWS_ENDPOINT_URL_S3");
    unset("AWS_ENDPOINT_URL");
  }
  void TearDown() override {
    for (auto it = saved_.rbegin(); it != saved_.rend(); ++it)
      it->second ? setenv(it->first.c_str(), it->second->c_str(), 1) : unsetenv(it->first.c_str());
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  void set(const char* name, const std::string& value) {
    remember(name);
    setenv(name, value.c_str(), 1);
  }
  void unset(const char* name) {
    remember(name);
    unsetenv(name);
  }
  void remember(const char* name) {
    const char* old = std::getenv(name);
    saved_.emplace_back(name, old ? std::optional<std::string>(old) : std::nullopt);
  }

  // `s3tar restore -f s3://bkt/day.tar logs/a.log -C DIR ...extra` against the peer.
  Outcome restore(const testing::ScriptedPeer& peer, std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {
        "s3tar",          "restore",      "-f", "s3://bkt/day.tar", "logs/a.log", "-C", out_dir().string(),
        "--endpoint-url", peer.base_url()};
    args.insert(args.end(), extra.begin(), extra.end());
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    ::testing::internal::CaptureStdout();
    Outcome r;
    r.rc = cli::run_app(static_cast<int>(argv.size()), argv.data());
    r.out = ::testing::internal::GetCapturedStdout();
    return r;
  }
  std::filesystem::path out_dir() const { return dir_ / "out"; }

  static std::vector<json> requests(const testing::ScriptedPeer& peer, const std::string& method) {
    std::vector<json> out;
    for (const auto& r : peer.log())
      if (r["method"] == method) out.push_back(r);
    return out;
  }

  std::filesystem::path dir_;
  std::vector<std::pair<std::string, std::optional<std::string>>> saved_;
};

TEST_F(RestoreCommand, ARestoreInProgressExits4NamingTheArchiveAndSinceWhen) {
  const std::string record = R"({"requested_at":"2026-11-29T10:00:00Z","tier":"Bulk","days":3})";
  testing::ScriptedPeer peer(archive_script("ongoing-request=\"true\"", record));
  const Outcome r = restore(peer);
  EXPECT_EQ(r.rc, kNotDelivered) << r.out;
  EXPECT_NE(r.out.find(
                "s3://bkt/day.tar: DEEP_ARCHIVE, restore in progress (requested 2026-11-29T10:00:00Z, Bulk)"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("No restore to request"), std::string::npos) << r.out;
  EXPECT_TRUE(requests(peer, "POST").empty()) << "a running restore was requested again";
  EXPECT_TRUE(requests(peer, "PUT").empty());
  EXPECT_FALSE(std::filesystem::exists(out_dir() / "logs/a.log"));
}

TEST_F(RestoreCommand, InProgressWithJsonSaysWhichArchiveIsPending) {
  testing::ScriptedPeer peer(archive_script("ongoing-request=\"true\"", ""));
  const Outcome r = restore(peer, {"--json"});
  EXPECT_EQ(r.rc, kNotDelivered) << r.out;
  const json j = json::parse(r.out);
  EXPECT_EQ(j["state"], "not-yet");
  ASSERT_EQ(j["archives"].size(), 1u);
  EXPECT_EQ(j["archives"][0]["archive"], "s3://bkt/day.tar");
  EXPECT_EQ(j["archives"][0]["ready"], false);
  EXPECT_NE(j["archives"][0]["state"].get<std::string>().find("requested outside s3tar"), std::string::npos);
}

TEST_F(RestoreCommand, AnExpiredRestoredCopyIsRequestedAgain) {
  const std::string old_record = R"({"requested_at":"2012-12-10T08:00:00Z","tier":"Standard","days":7})";
  testing::ScriptedPeer peer(
      archive_script("ongoing-request=\"false\", expiry-date=\"Fri, 21 Dec 2012 00:00:00 GMT\"", old_record));
  const Outcome r = restore(peer, {"--tier", "Bulk", "--days", "2"});
  EXPECT_EQ(r.rc, kNotDelivered) << r.out;
  const auto posts = requests(peer, "POST");
  ASSERT_EQ(posts.size(), 1u) << "the expired copy was not requested again";
  EXPECT_EQ(posts[0]["query"], "restore=");
  EXPECT_NE(posts[0]["body"].get<std::string>().find("<Days>2</Days>"), std::string::npos);
  EXPECT_NE(posts[0]["body"].get<std::string>().find("<Tier>Bulk</Tier>"), std::string::npos);
  // The cost was printed before, and the new request recorded with its time.
  EXPECT_NE(r.out.find("Restore 1 archive"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("s3://bkt/day.tar: DEEP_ARCHIVE, restore in progress (requested "), std::string::npos)
      << r.out;
  const auto puts = requests(peer, "PUT");
  ASSERT_EQ(puts.size(), 1u);
  const json written = json::parse(puts[0]["body"].get<std::string>());
  EXPECT_EQ(written["tier"], "Bulk");
  EXPECT_NE(written["requested_at"], "2012-12-10T08:00:00Z");
}

TEST_F(RestoreCommand, DryRunPrintsTheCostAndRequestsNothing) {
  testing::ScriptedPeer peer(
      archive_script("ongoing-request=\"false\", expiry-date=\"Fri, 21 Dec 2012 00:00:00 GMT\"", ""));
  const Outcome r = restore(peer, {"--dry-run", "--tier", "Bulk"});
  EXPECT_EQ(r.rc, kSuccess) << r.out;
  EXPECT_NE(r.out.find("tier Bulk: estimated $"), std::string::npos) << r.out;
  EXPECT_TRUE(requests(peer, "POST").empty());
  EXPECT_TRUE(requests(peer, "PUT").empty());
}

TEST_F(RestoreCommand, ExpeditedOnDeepArchiveIsAUsageErrorAndRequestsNothing) {
  testing::ScriptedPeer peer(archive_script("", ""));
  const Outcome r = restore(peer, {"--tier", "Expedited"});
  EXPECT_EQ(r.rc, kUsage) << r.out;
  EXPECT_TRUE(requests(peer, "POST").empty());
}

TEST_F(RestoreCommand, AnIndexPointingOutsideTheArchiveIsRefusedBeforeARestoreIsRequested) {
  testing::ScriptedPeer peer(archive_script("", "", false, 4090));
  const Outcome r = restore(peer);
  EXPECT_EQ(r.rc, kBadInput) << r.out;
  EXPECT_TRUE(requests(peer, "POST").empty());
}

TEST_F(RestoreCommand, ARestoredArchiveIsReadPinnedToItsEtag) {
  testing::ScriptedPeer peer(
      archive_script("ongoing-request=\"false\", expiry-date=\"Fri, 21 Dec 2100 00:00:00 GMT\"", "", true));
  const Outcome r = restore(peer);
  ASSERT_EQ(r.rc, kSuccess) << r.out;
  std::ifstream in(out_dir() / "logs/a.log");
  std::stringstream got;
  got << in.rdbuf();
  EXPECT_EQ(got.str(), "0123456789");
  EXPECT_TRUE(requests(peer, "POST").empty());
  bool pinned = false;
  for (const auto& g : requests(peer, "GET"))
    if (g["headers"].value("range", "") == "bytes=1536-1545")
      pinned = g["headers"].value("if-match", "") == std::string("\"") + kEtag + "\"";
  EXPECT_TRUE(pinned) << "the member's GET did not carry If-Match with the archive's ETag";
}

}  // namespace
}  // namespace s3tar
