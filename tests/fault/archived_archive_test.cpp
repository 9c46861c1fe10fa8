// An archive in GLACIER/DEEP_ARCHIVE answers 403 InvalidObjectState to GET until restored; no
// server here has that behaviour, so a scripted peer plays it. Listing must then come from the
// index sidecar, which stays in STANDARD.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "s3tar/archive/exec/archive_reader.h"
#include "tests/fault/peer_client.h"

namespace s3tar {
namespace {

using nlohmann::json;

using testing::client_for;

const char* kInvalidObjectState =
    "<Error><Code>InvalidObjectState</Code><Message>The operation is not valid for the object's storage "
    "class</Message><RequestId>R1</RequestId></Error>";

constexpr const char* kArchiveEtag = "0123456789abcdef0123456789abcdef-3";

// The archive answers HEAD (allowed on archived objects) and 403 InvalidObjectState to GET; its
// sidecar is readable and records `sidecar_etag`.
json archived_archive_script(const std::string& sidecar_etag) {
  const json sidecar = {
      {"archive", "s3://bkt/day.tar"},
      {"etag", sidecar_etag},
      {"members",
       {{{"bucket", "src"}, {"key", "a/one.log"}, {"offset", 1536}, {"size", 10}, {"etag", "e1"}},
        {{"bucket", "src"}, {"key", "b/two words.log"}, {"offset", 2560}, {"size", 0}, {"etag", "e2"}}}}};
  return json::array(
      {{{"method", "GET"},
        {"path", "/bkt/day\\.tar"},
        {"responses", {{{"status", 403}, {"body", kInvalidObjectState}}}}},
       {{"method", "HEAD"},
        {"path", "/bkt/day\\.tar"},
        {"responses",
         {{{"status", 200},
           {"headers",
            {{"ETag", std::string("\"") + kArchiveEtag + "\""}, {"x-amz-storage-class", "DEEP_ARCHIVE"}}}}}}},
       {{"method", "GET"},
        {"path", "/bkt/day\\.tar\\.index\\.json"},
        {"responses", {{{"status", 200}, {"body", sidecar.dump()}}}}}});
}

TEST(ArchivedArchive, ListingFallsBackToTheIndexSidecar) {
  testing::ScriptedPeer peer(archived_archive_script(kArchiveEtag));
  auto client = client_for(peer);
  const exec::ArchiveIndex index = exec::load_index(*client, {"bkt", "day.tar", ""}, "");
  EXPECT_EQ(index.source, "index sidecar");
  ASSERT_EQ(index.entries.size(), 2u);
  EXPECT_EQ(index.entries[0], (tar::TocEntry{"a/one.log", 1536, 10, "e1"}));
  EXPECT_EQ(index.entries[1], (tar::TocEntry{"b/two words.log", 2560, 0, "e2"}));
}

TEST(ArchivedArchive, ASidecarOfAnotherVersionOfTheArchiveIsRefused) {
  testing::ScriptedPeer peer(archived_archive_script("ffffffffffffffffffffffffffffffff-2"));
  auto client = client_for(peer);
  try {
    exec::load_index(*client, {"bkt", "day.tar", ""}, "");
    FAIL() << "a stale sidecar was used";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("another version"), std::string::npos) << e.what();
  }
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
