// A multipart upload's outcomes that no real server shows on demand: a Create or Complete whose
// answer is lost, an abort refused under throttling or for good, an archive that is not what
// was sent. The executor must leave no upload open (or say which one it left), never count an
// archive it could not verify as written, and say which failures are worth a re-run.
#include <gtest/gtest.h>

#include <atomic>
#include <nlohmann/json.hpp>

#include "s3tar/archive/exec/executor.h"
#include "s3tar/archive/plan/plan.h"
#include "s3tar/s3/digest.h"
#include "tests/fault/peer_client.h"

namespace s3tar {
namespace {

using nlohmann::json;

// md5("a"): the pinned ETag of the one-byte source "a".
constexpr const char* kEtagOfA = "0cc175b9c0f1b6a831c399e269772661";

json error_body(int status, const std::string& code) {
  return {{"status", status}, {"body", "<Error><Code>" + code + "</Code><Message>m</Message></Error>"}};
}

// One member "a" (1 byte) in an archive above the (lowered) minimum part size: a multipart
// upload with one upload part.
plan::Volume one_part_volume() {
  plan::Options o;
  o.archive_key = "out.tar";
  o.limits.min_part = 1024;
  o.limits.max_part = 1 << 20;
  plan::Plan p = plan::make_plan({plan::Member{"src", "a.log", "", kEtagOfA, 1, 0}}, o);
  EXPECT_FALSE(p.volumes.at(0).single_put);
  return p.volumes.at(0);
}

// The same under the minimum part size: one PutObject.
plan::Volume single_put_volume() {
  plan::Options o;
  o.archive_key = "out.tar";
  plan::Plan p = plan::make_plan({plan::Member{"src", "a.log", "", kEtagOfA, 1, 0}}, o);
  EXPECT_TRUE(p.volumes.at(0).single_put);
  return p.volumes.at(0);
}

json rule(const std::string& method, const std::string& path, const std::string& query, json responses) {
  json r = {{"method", method}, {"path", path}, {"responses", std::move(responses)}};
  if (!query.empty()) r["query"] = query;
  return r;
}

json ok_head(uint64_t size) {
  return {{"status", 200},
          {"headers", {{"Content-Length", std::to_string(size)}, {"ETag", "\"not-md5-1\""}}}};
}

// The happy path of one_part_volume; `first` rules are tried before it.
json upload_script(const plan::Volume& v, json first = json::array()) {
  json rules = std::move(first);
  const json happy = json::array(
      {rule("POST", "/dst/out\\.tar", "(^|&)uploads(=|&|$)",
            {{{"body",
               "<InitiateMultipartUploadResult><UploadId>u2</UploadId></InitiateMultipartUploadResult>"}}}),
       rule("GET", "/src/a\\.log", "",
            {{{"body", "a"}, {"headers", {{"ETag", std::string("\"") + kEtagOfA + "\""}}}}}),
       rule("PUT", "/dst/out\\.tar", "partNumber=", {{{"headers", {{"ETag", "\"part-etag-1\""}}}}}),
       rule(
           "POST", "/dst/out\\.tar", "uploadId=",
           {{{"body",
              "<CompleteMultipartUploadResult><ETag>\"not-md5-1\"</ETag></CompleteMultipartUploadResult>"}}}),
       rule("DELETE", "/dst/out\\.tar", "uploadId=", {{{"status", 204}}}),
       rule("HEAD", "/dst/out\\.tar", "", {ok_head(v.total_size)}),
       rule("PUT", "/dst/out\\.tar", "", {{{"headers", {{"ETag", "\"e\""}}}}}),
       rule("PUT", "/dst/out\\.tar\\.index\\.json", "", {{{"headers", {{"ETag", "\"i\""}}}}})});
  for (const auto& r : happy) rules.push_back(r);
  return rules;
}

size_t count(const std::vector<json>& log, const std::string& method, const std::string& path,
             const std::string& query_part = "") {
  size_t n = 0;
  for (const auto& r : log)
    if (r["method"] == method && r["path"] == path &&
        r["query"].get<std::string>().find(query_part) != std::string::npos)
      ++n;
  return n;
}

struct Outcome {
  std::exception_ptr error;
  std::vector<json> log;
};

Outcome write(const json& script, const plan::Volume& volume, int max_attempts = 2) {
  testing::ScriptedPeer peer(script);
  auto client = testing::client_for(peer, max_attempts);
  std::atomic<bool> stop{false};
  exec::ExecOptions options;
  exec::Executor executor(*client, options, stop);
  Outcome run;
  try {
    executor.write_volume("dst", volume);
  } catch (...) {
    run.error = std::current_exception();
  }
  run.log = peer.log();
  return run;
}

std::string message(const std::exception_ptr& e) {
  try {
    std::rethrow_exception(e);
  } catch (const std::exception& x) {
    return x.what();
  }
}

// The category of a thrown s3tar::Error; Internal for anything else (what the CLI maps to 1).
ErrorCategory category(const std::exception_ptr& e) {
  try {
    std::rethrow_exception(e);
  } catch (const Error& x) {
    return x.category();
  } catch (...) {
    return ErrorCategory::Internal;
  }
}

TEST(UploadOutcomes, ALostCreateAnswerLeavesNoOrphanUpload) {
  const plan::Volume v = one_part_volume();
  // The first Create is reset after the server "created" u1; the retry creates u2. The key also
  // has an hour-old upload of another run, which is not this run's to abort.
  const std::string uploads =
      "<ListMultipartUploadsResult>"
      "<Upload><Key>out.tar</Key><UploadId>u-old</UploadId><Initiated>2026-01-01T09:00:00.000Z</Initiated></"
      "Upload>"
      "<Upload><Key>out.tar</Key><UploadId>u1</UploadId><Initiated>2026-01-01T10:00:00.000Z</Initiated></"
      "Upload>"
      "<Upload><Key>out.tar</Key><UploadId>u2</UploadId><Initiated>2026-01-01T10:00:01.000Z</Initiated></"
      "Upload>"
      "<IsTruncated>false</IsTruncated></ListMultipartUploadsResult>";
  const json first = json::array(
      {rule("POST", "/dst/out\\.tar", "(^|&)uploads(=|&|$)",
            {{{"action", "reset"}},
             {{"body",
               "<InitiateMultipartUploadResult><UploadId>u2</UploadId></InitiateMultipartUploadResult>"}}}),
       rule("GET", "/dst", "(^|&)uploads(=|&|$)", {{{"body", uploads}}})});
  const Outcome run = write(upload_script(v, first), v);
  ASSERT_FALSE(run.error) << message(run.error);
  EXPECT_EQ(count(run.log, "DELETE", "/dst/out.tar", "uploadId=u1"), 1u) << "the orphan of the lost answer";
  EXPECT_EQ(count(run.log, "DELETE", "/dst/out.tar", "uploadId=u-old"), 0u) << "another run's upload";
  EXPECT_EQ(count(run.log, "DELETE", "/dst/out.tar", "uploadId=u2"), 0u) << "the upload that completed";
  EXPECT_EQ(count(run.log, "POST", "/dst/out.tar", "uploadId=u2"), 1u);
}

TEST(UploadOutcomes, AnAbortRefusedUnderThrottlingIsRetriedWithItsOwnBudget) {
  const plan::Volume v = one_part_volume();
  json slow = error_body(503, "SlowDown");
  slow["times"] = 4;
  const json first =
      json::array({rule("PUT", "/dst/out\\.tar", "partNumber=", {error_body(403, "AccessDenied")}),
                   rule("DELETE", "/dst/out\\.tar", "uploadId=", {slow, {{"status", 204}}})});
  const Outcome run = write(upload_script(v, first), v);
  ASSERT_TRUE(run.error);
  EXPECT_EQ(category(run.error), ErrorCategory::Usage) << message(run.error);
  EXPECT_EQ(message(run.error).find("could not be aborted"), std::string::npos) << message(run.error);
  EXPECT_EQ(count(run.log, "DELETE", "/dst/out.tar", "uploadId=u2"), 5u)
      << "4 throttled aborts, then the one that worked";
}

TEST(UploadOutcomes, AnAbortThatFailsIsPartOfTheErrorThrown) {
  const plan::Volume v = one_part_volume();
  const json first =
      json::array({rule("PUT", "/dst/out\\.tar", "partNumber=", {error_body(403, "AccessDenied")}),
                   rule("DELETE", "/dst/out\\.tar", "uploadId=", {error_body(403, "AccessDenied")})});
  const Outcome run = write(upload_script(v, first), v);
  ASSERT_TRUE(run.error);
  const std::string what = message(run.error);
  EXPECT_NE(what.find("UploadPart"), std::string::npos) << what;
  EXPECT_NE(what.find("could not be aborted"), std::string::npos) << what;
  EXPECT_NE(what.find("u2"), std::string::npos) << "names the upload left open: " << what;
  EXPECT_EQ(category(run.error), ErrorCategory::Usage) << "the first failure decides what to fix";
}

TEST(UploadOutcomes, ACompleteWhoseAnswerWasLostIsConfirmedByTheObject) {
  const plan::Volume v = one_part_volume();
  // Every Complete attempt is reset; the first one had completed: the upload is gone and the
  // object is there as planned.
  const json first =
      json::array({rule("POST", "/dst/out\\.tar", "uploadId=", {{{"action", "reset"}}}),
                   rule("DELETE", "/dst/out\\.tar", "uploadId=", {error_body(404, "NoSuchUpload")})});
  const Outcome run = write(upload_script(v, first), v);
  ASSERT_FALSE(run.error) << message(run.error);
  EXPECT_EQ(count(run.log, "PUT", "/dst/out.tar.index.json"), 1u);
}

TEST(UploadOutcomes, ACompleteWhoseAnswerWasLostWithTheUploadStillOpenIsTransient) {
  const plan::Volume v = one_part_volume();
  const json first = json::array({rule("POST", "/dst/out\\.tar", "uploadId=", {{{"action", "reset"}}})});
  const Outcome run = write(upload_script(v, first), v);
  ASSERT_TRUE(run.error);
  EXPECT_EQ(category(run.error), ErrorCategory::Transient) << message(run.error);
  EXPECT_EQ(count(run.log, "DELETE", "/dst/out.tar", "uploadId=u2"), 1u);
  EXPECT_EQ(count(run.log, "PUT", "/dst/out.tar.index.json"), 0u);
}

TEST(UploadOutcomes, AnArchiveThatIsNotWhatWasSentGetsNoSidecar) {
  for (const bool single_put : {false, true}) {
    SCOPED_TRACE(single_put ? "PutObject" : "multipart");
    const plan::Volume v = single_put ? single_put_volume() : one_part_volume();
    const json first = json::array({rule("HEAD", "/dst/out\\.tar", "", {ok_head(v.total_size + 512)})});
    const Outcome run = write(upload_script(v, first), v);
    ASSERT_TRUE(run.error);
    EXPECT_EQ(category(run.error), ErrorCategory::Transient) << message(run.error);
    EXPECT_NE(message(run.error).find("not written"), std::string::npos) << message(run.error);
    EXPECT_EQ(count(run.log, "PUT", "/dst/out.tar.index.json"), 0u);
  }
}

TEST(UploadOutcomes, ASourceBodyThatFailsItsMd5IsReadAgain) {
  const plan::Volume v = single_put_volume();
  // The archive as it must be sent: with the good byte (the body is logged whole: it is small).
  const std::string expected = plan::render_volume_reference(
      v, [](const plan::Member&, uint64_t, uint64_t) { return std::string("a"); });
  ASSERT_LE(expected.size(), 4096u);
  const json tag = {{"ETag", std::string("\"") + kEtagOfA + "\""}};
  const json first =
      json::array({rule("GET", "/src/a\\.log", "",
                        {{{"body", "b"}, {"headers", tag}}, {{"body", "a"}, {"headers", tag}}}),
                   rule("HEAD", "/dst/out\\.tar", "",
                        {{{"headers",
                           {{"Content-Length", std::to_string(v.total_size)},
                            {"ETag", "\"" + s3::md5_hex(expected) + "\""}}}}})});
  const Outcome run = write(upload_script(v, first), v);
  ASSERT_FALSE(run.error) << message(run.error);
  EXPECT_EQ(count(run.log, "GET", "/src/a.log"), 2u);
  EXPECT_EQ(count(run.log, "PUT", "/dst/out.tar"), 1u);
  for (const auto& r : run.log)
    if (r["method"] == "PUT" && r["path"] == "/dst/out.tar") {
      EXPECT_TRUE(r["body"] == expected) << "the damaged byte was archived";
    }
}

TEST(UploadOutcomes, ASourceBodyThatTwiceFailsItsMd5IsNotArchived) {
  const plan::Volume v = single_put_volume();
  const json first =
      json::array({rule("GET", "/src/a\\.log", "",
                        {{{"body", "b"}, {"headers", {{"ETag", std::string("\"") + kEtagOfA + "\""}}}}})});
  const Outcome run = write(upload_script(v, first), v);
  ASSERT_TRUE(run.error);
  EXPECT_EQ(category(run.error), ErrorCategory::Transient) << message(run.error);
  EXPECT_EQ(count(run.log, "PUT", "/dst/out.tar"), 0u);
}

}  // namespace
}  // namespace s3tar
