// Which source-read failures make an object "unreadable" (left out with --skip-unreadable) and
// which must propagate: a network or server failure is not the object's fault, and dropping
// the object for it would lose it silently (the re-run then sees the day complete).
#include <gtest/gtest.h>

#include <atomic>
#include <nlohmann/json.hpp>

#include "s3tar/archive/exec/executor.h"
#include "s3tar/archive/plan/plan.h"
#include "tests/fault/peer_client.h"

namespace s3tar {
namespace {

using nlohmann::json;

// A one-object volume under the minimum part size: one GET, then one PutObject.
plan::Volume small_volume() {
  plan::Options o;
  o.archive_key = "out.tar";
  plan::Plan p =
      plan::make_plan({plan::Member{"src", "a.log", "", "0cc175b9c0f1b6a831c399e269772661", 1, 0}}, o);
  return p.volumes.at(0);
}

// Runs the volume against a peer whose GET of the source answers `get_response`.
std::exception_ptr write_with_source_answer(const json& get_response, int* put_count = nullptr) {
  const json script =
      json::array({{{"method", "GET"}, {"path", "/src/a\\.log"}, {"responses", {get_response}}},
                   {{"method", "PUT"},
                    {"path", "/dst/.*"},
                    {"responses", {{{"status", 200}, {"headers", {{"ETag", "\"x\""}}}}}}}});
  testing::ScriptedPeer peer(script);
  auto client_ptr = testing::client_for(peer);
  s3::S3Client& client = *client_ptr;
  std::atomic<bool> stop{false};
  exec::Executor executor(client, {}, stop);
  std::exception_ptr error;
  try {
    executor.write_volume("dst", small_volume());
  } catch (...) {
    error = std::current_exception();
  }
  if (put_count)
    *put_count = static_cast<int>(client.counters().by_op[static_cast<int>(s3::Op::PutObject)].load());
  return error;
}

TEST(SourceErrors, AResetConnectionIsNotTheObjectsFault) {
  int puts = -1;
  const auto error = write_with_source_answer({{"action", "reset"}}, &puts);
  ASSERT_TRUE(error);
  try {
    std::rethrow_exception(error);
  } catch (const exec::SourceError& e) {
    FAIL() << "a network failure made the source unreadable: " << e.what();
  } catch (const s3::S3Error& e) {
    EXPECT_EQ(e.status(), 0);  // transport error: the CLI maps it to the transient exit code
  }
  EXPECT_EQ(puts, 0) << "nothing may be written";
}

TEST(SourceErrors, AServerErrorPropagates) {
  const auto error = write_with_source_answer(
      {{"status", 503}, {"body", "<Error><Code>SlowDown</Code><Message>m</Message></Error>"}});
  ASSERT_TRUE(error);
  EXPECT_THROW(std::rethrow_exception(error), s3::S3Error);
}

TEST(SourceErrors, AccessDeniedIsAConfigurationProblemNotAMissingObject) {
  const auto error = write_with_source_answer(
      {{"status", 403}, {"body", "<Error><Code>AccessDenied</Code><Message>m</Message></Error>"}});
  ASSERT_TRUE(error);
  EXPECT_THROW(std::rethrow_exception(error), s3::S3Error);
}

TEST(SourceErrors, PreconditionFailedMeansTheSourceChanged) {
  const auto error = write_with_source_answer(
      {{"status", 412}, {"body", "<Error><Code>PreconditionFailed</Code><Message>m</Message></Error>"}});
  ASSERT_TRUE(error);
  try {
    std::rethrow_exception(error);
  } catch (const exec::SourceError& e) {
    ASSERT_EQ(e.problems().size(), 1u);
    EXPECT_EQ(e.problems()[0].reason, "changed");
    EXPECT_EQ(e.problems()[0].key, "a.log");
  }
}

TEST(SourceErrors, NoSuchKeyMeansTheSourceIsMissing) {
  const auto error = write_with_source_answer(
      {{"status", 404}, {"body", "<Error><Code>NoSuchKey</Code><Message>m</Message></Error>"}});
  ASSERT_TRUE(error);
  try {
    std::rethrow_exception(error);
  } catch (const exec::SourceError& e) {
    EXPECT_EQ(e.problems().at(0).reason, "missing");
  }
}

}  // namespace
}  // namespace s3tar
