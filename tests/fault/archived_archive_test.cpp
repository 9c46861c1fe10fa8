// An archive in GLACIER/DEEP_ARCHIVE answers 403 InvalidObjectState to GET until restored; no
// server here has that behaviour, so a scripted peer plays it. Listing must then come from the
// index sidecar, which stays in STANDARD.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "s3tar/exec/archive_reader.h"
#include "s3tar/s3/client.h"
#include "tests/unit/http/scripted_peer.h"

namespace s3tar {
namespace {

using nlohmann::json;

class StaticKeys : public s3::CredentialsProvider {
 public:
  std::optional<s3::Credentials> load() override {
    s3::Credentials c;
    c.access_key_id = "AKIDEXAMPLE";
    c.secret_access_key = "not-a-real-secret";
    return c;
  }
  std::string name() const override { return "static"; }
};

std::unique_ptr<s3::S3Client> client_for(const testing::ScriptedPeer& peer) {
  s3::ClientConfig c;
  c.endpoint_url = "http://127.0.0.1:" + std::to_string(peer.port());
  c.path_style = true;
  c.retry.max_attempts = 2;
  c.retry.base = std::chrono::milliseconds(1);
  return std::make_unique<s3::S3Client>(c, std::make_shared<StaticKeys>());
}

const char* kInvalidObjectState =
    "<Error><Code>InvalidObjectState</Code><Message>The operation is not valid for the object's storage "
    "class</Message><RequestId>R1</RequestId></Error>";

TEST(ArchivedArchive, ListingFallsBackToTheIndexSidecar) {
  const json sidecar = {
      {"archive", "s3://bkt/day.tar"},
      {"members",
       {{{"bucket", "src"}, {"key", "a/one.log"}, {"offset", 1536}, {"size", 10}, {"etag", "e1"}},
        {{"bucket", "src"}, {"key", "b/two words.log"}, {"offset", 2560}, {"size", 0}, {"etag", "e2"}}}}};
  const json script = json::array({{{"method", "GET"},
                                    {"path", "/bkt/day\\.tar"},
                                    {"responses",
                                     {{{"status", 403},
                                       {"headers", {{"Content-Type", "application/xml"}}},
                                       {"body", kInvalidObjectState}}}}},
                                   {{"method", "GET"},
                                    {"path", "/bkt/day\\.tar\\.index\\.json"},
                                    {"responses", {{{"status", 200}, {"body", sidecar.dump()}}}}}});
  testing::ScriptedPeer peer(script);
  auto client = client_for(peer);
  const exec::ArchiveIndex index = exec::load_index(*client, {"bkt", "day.tar", ""}, "");
  EXPECT_EQ(index.source, "index sidecar");
  ASSERT_EQ(index.entries.size(), 2u);
  EXPECT_EQ(index.entries[0], (tar::TocEntry{"a/one.log", 1536, 10, "e1"}));
  EXPECT_EQ(index.entries[1], (tar::TocEntry{"b/two words.log", 2560, 0, "e2"}));
}

TEST(ArchivedArchive, WithoutASidecarTheArchivedStateIsReported) {
  const json script =
      json::array({{{"method", "GET"},
                    {"path", "/bkt/day\\.tar"},
                    {"responses", {{{"status", 403}, {"body", kInvalidObjectState}}}}},
                   {{"method", "GET"},
                    {"path", "/bkt/day\\.tar\\.index\\.json"},
                    {"responses", {{{"status", 404}, {"body", "<Error><Code>NoSuchKey</Code></Error>"}}}}}});
  testing::ScriptedPeer peer(script);
  auto client = client_for(peer);
  try {
    exec::load_index(*client, {"bkt", "day.tar", ""}, "");
    FAIL() << "expected InvalidObjectState";
  } catch (const s3::S3Error& e) {
    EXPECT_EQ(e.code(), "InvalidObjectState");
  }
}

}  // namespace
}  // namespace s3tar
