// RestoreObject's three answers (202 started, 200 already restored, 409 RestoreAlreadyInProgress)
// and what is sent: no server here shows a restore that takes hours (moto finishes at once, RGW
// does not implement it), so the scripted peer plays them.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "s3tar/s3/client.h"
#include "tests/fault/peer_client.h"

namespace s3tar {
namespace {

using nlohmann::json;
using s3::ArchiveAccess;
using s3::RestoreAnswer;
using s3::RestoreTier;
using testing::client_for;

const char* kInProgress =
    "<Error><Code>RestoreAlreadyInProgress</Code><Message>Object restore is already in progress</Message>"
    "<RequestId>R9</RequestId></Error>";

json restore_rule(json responses) {
  return {
      {"method", "POST"}, {"path", "/bkt/day\\.tar"}, {"query", "(^|&)restore"}, {"responses", responses}};
}

RestoreAnswer restore(const testing::ScriptedPeer& peer, ArchiveAccess access = ArchiveAccess::kDeepArchive) {
  auto client = client_for(peer);
  return client->restore_object({"bkt", "day.tar", ""}, access, 3, RestoreTier::Bulk).get();
}

TEST(RestoreObject, Accepted202IsStartedAndSendsTheBody) {
  testing::ScriptedPeer peer(json::array({restore_rule({{{"status", 202}}})}));
  EXPECT_EQ(restore(peer), RestoreAnswer::kStarted);
  const auto log = peer.log();
  ASSERT_EQ(log.size(), 1u);
  EXPECT_EQ(log[0]["method"], "POST");
  EXPECT_EQ(log[0]["query"], "restore=");
  EXPECT_EQ(log[0]["body"], s3::restore_request_body(ArchiveAccess::kDeepArchive, 3, RestoreTier::Bulk));
  EXPECT_TRUE(log[0]["headers"].contains("content-md5"));
  EXPECT_TRUE(log[0]["headers"].contains("authorization"));
}

TEST(RestoreObject, Ok200IsAlreadyRestored) {
  testing::ScriptedPeer peer(json::array({restore_rule({{{"status", 200}}})}));
  EXPECT_EQ(restore(peer), RestoreAnswer::kAlreadyRestored);
}

TEST(RestoreObject, Conflict409RestoreAlreadyInProgressIsAnAnswerNotAnError) {
  testing::ScriptedPeer peer(json::array({restore_rule({{{"status", 409}, {"body", kInProgress}}})}));
  EXPECT_EQ(restore(peer), RestoreAnswer::kInProgress);
  EXPECT_EQ(peer.log().size(), 1u);  // not retried
}

TEST(RestoreObject, ARetryAfterALostAnswerThatFindsTheRestoreRunningIsInProgress) {
  testing::ScriptedPeer peer(
      json::array({restore_rule({{{"status", 500}, {"body", "<Error><Code>InternalError</Code></Error>"}},
                                 {{"status", 409}, {"body", kInProgress}}})}));
  EXPECT_EQ(restore(peer), RestoreAnswer::kInProgress);
  EXPECT_EQ(peer.log().size(), 2u);
}

TEST(RestoreObject, AnotherConflictIsStillAnError) {
  testing::ScriptedPeer peer(json::array(
      {restore_rule({{{"status", 409}, {"body", "<Error><Code>OperationAborted</Code></Error>"}}})}));
  try {
    restore(peer);
    FAIL() << "a 409 OperationAborted was taken for a running restore";
  } catch (const s3::S3Error& e) {
    EXPECT_EQ(e.status(), 409);
    EXPECT_FALSE(e.is_restore_in_progress());
  }
}

TEST(RestoreObject, ARefusalKeepsItsCategory) {
  testing::ScriptedPeer peer(
      json::array({restore_rule({{{"status", 403}, {"body", "<Error><Code>AccessDenied</Code></Error>"}}})}));
  try {
    restore(peer);
    FAIL() << "AccessDenied was swallowed";
  } catch (const s3::S3Error& e) {
    EXPECT_EQ(e.category(), ErrorCategory::Usage);
    EXPECT_NE(std::string(e.what()).find("RestoreObject s3://bkt/day.tar"), std::string::npos) << e.what();
  }
}

TEST(RestoreObject, IntelligentTieringArchiveTiersAreAskedWithoutDays) {
  testing::ScriptedPeer peer(json::array({restore_rule({{{"status", 202}}})}));
  EXPECT_EQ(restore(peer, ArchiveAccess::kTieringArchive), RestoreAnswer::kStarted);
  const std::string body = peer.log().at(0)["body"];
  EXPECT_EQ(body.find("<Days>"), std::string::npos) << body;
}

}  // namespace
}  // namespace s3tar
