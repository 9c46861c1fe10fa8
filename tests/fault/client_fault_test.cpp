// The S3 client against a scripted HTTP peer: the faults no real test server shows (throttling,
// 5xx, dropped connections, 200-with-<Error> bodies, a lost Complete answer, clock skew) and the
// promise that credentials never leak into errors or onto the wire.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <optional>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "s3tar/s3/client.h"
#include "s3tar/s3/client_config.h"
#include "s3tar/s3/credentials/credentials.h"
#include "s3tar/s3/retry.h"
#include "tests/unit/http/scripted_peer.h"

namespace s3tar::s3 {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

constexpr const char* kAccessKey = "AKIDFAULTTEST";
constexpr const char* kSecret = "SECRETSECRETSECRET";
constexpr const char* kToken = "TOKENTOKEN";

// Fixed keys; counts how often the client asked for them.
class FixedProvider : public CredentialsProvider {
 public:
  explicit FixedProvider(std::string token = {}) : token_(std::move(token)) {}
  std::optional<Credentials> load() override {
    ++loads;
    Credentials c;
    c.access_key_id = kAccessKey;
    c.secret_access_key = kSecret;
    c.session_token = token_;
    c.provider = "fixed";
    return c;
  }
  std::string name() const override { return "fixed"; }
  std::atomic<int> loads{0};

 private:
  std::string token_;
};

std::string error_xml(const std::string& code, const std::string& message = "scripted",
                      const std::string& request_id = "REQ123") {
  return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>" + code + "</Code><Message>" + message +
         "</Message><RequestId>" + request_id + "</RequestId></Error>";
}

json error_response(int status, const std::string& code, const std::string& request_id = "REQ123") {
  return {{"status", status},
          {"headers", {{"Content-Type", "application/xml"}, {"x-amz-request-id", request_id}}},
          {"body", error_xml(code, "scripted " + code, request_id)}};
}

json etag_response(const std::string& etag) {
  return {{"status", 200}, {"headers", {{"ETag", "\"" + etag + "\""}}}};
}

const std::string kPartEtag = "0123456789abcdef0123456789abcdef";

std::string complete_result(const std::string& etag) {
  return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<CompleteMultipartUploadResult><Location>x</Location>"
         "<Bucket>bkt</Bucket><Key>obj</Key><ETag>\"" +
         etag + "\"</ETag></CompleteMultipartUploadResult>";
}

std::string copy_part_result(const std::string& etag) {
  return "<CopyPartResult><LastModified>2025-11-20T13:45:07.000Z</LastModified><ETag>\"" + etag +
         "\"</ETag></CopyPartResult>";
}

std::string rfc1123(std::chrono::system_clock::time_point t) {
  const std::time_t tt = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S GMT", &tm);
  return buf;
}

// One scripted peer per test (tests/unit/http/scripted_peer.h), stopped by PID in TearDown.
class FaultTest : public ::testing::Test {
 protected:
  void TearDown() override {
    client_.reset();
    peer_.reset();
  }

  void start_peer(const json& script) {
    ASSERT_FALSE(peer_) << "one peer per test";
    peer_ = std::make_unique<testing::ScriptedPeer>(script);
  }

  std::string endpoint() const { return peer_->base_url(); }

  // Fast back-off so retries don't slow the suite; tests about back-off set their own bases.
  ClientConfig config(int max_attempts = 3) const {
    ClientConfig c;
    c.region = "us-east-1";
    c.endpoint_url = endpoint();
    c.path_style = true;
    c.retry.max_attempts = max_attempts;
    c.retry.base = 1ms;
    c.retry.throttle_base = 2ms;
    c.http.connect_timeout_ms = 2000;
    c.http.max_in_flight = 8;
    return c;
  }

  S3Client& client(ClientConfig c, std::string token = {}) {
    provider_ = std::make_shared<FixedProvider>(std::move(token));
    client_ = std::make_unique<S3Client>(std::move(c), provider_);
    return *client_;
  }
  S3Client& client() { return client(config()); }

  std::vector<json> log() const { return peer_->log(); }
  std::string raw_log() const { return peer_->raw_log(); }

  uint64_t count(Op op) const { return client_->counters().by_op[static_cast<int>(op)].load(); }

  std::unique_ptr<testing::ScriptedPeer> peer_;
  std::shared_ptr<FixedProvider> provider_;
  std::unique_ptr<S3Client> client_;
};

// Runs fut.get() and returns the S3Error it throws (fails the test when it throws nothing else).
template <class F>
std::optional<S3Error> error_of(F&& fut) {
  try {
    fut.get();
  } catch (const S3Error& e) {
    return e;
  } catch (const std::exception& e) {
    ADD_FAILURE() << "expected S3Error, got: " << e.what();
    return std::nullopt;
  }
  ADD_FAILURE() << "expected S3Error, the call succeeded";
  return std::nullopt;
}

std::shared_ptr<const std::string> body(std::string s) {
  return std::make_shared<const std::string>(std::move(s));
}

CompleteRequest complete_request() {
  CompleteRequest r;
  r.bucket = "bkt";
  r.key = "obj";
  r.upload_id = "UP1";
  r.parts = {{1, kPartEtag}};
  return r;
}

CopyPartRequest copy_part_request() {
  CopyPartRequest r;
  r.bucket = "bkt";
  r.key = "obj";
  r.upload_id = "UP1";
  r.part_number = 1;
  r.source = {"src", "source key", ""};
  r.range = ByteRange{0, 5 * 1024 * 1024 - 1};
  return r;
}

// ---- retried faults ------------------------------------------------------------------------

TEST_F(FaultTest, SlowDownThenSuccessTakesTwoAttempts) {
  start_peer(json::array({{{"method", "PUT"},
                           {"path", "/bkt/obj"},
                           {"responses", {error_response(503, "SlowDown"), etag_response(kPartEtag)}}}}));
  auto& c = client();
  EXPECT_EQ(c.put_object("bkt", "obj", body("hello")).get(), kPartEtag);
  EXPECT_EQ(count(Op::PutObject), 2u);
  EXPECT_EQ(c.counters().retries.load(), 1u);
  const auto l = log();
  ASSERT_EQ(l.size(), 2u);
  EXPECT_EQ(l[0]["status"], 503);
  EXPECT_EQ(l[1]["status"], 200);
  EXPECT_EQ(l[0]["body_sha256"], l[1]["body_sha256"]) << "the retry resends the same body";
}

TEST(Backoff, ThrottlingUsesTheLongerBaseAndFullJitter) {
  RetryConfig cfg;  // base 50 ms, throttling 1 s, cap 20 s
  std::mt19937_64 rng(42);
  const ErrorKind throttled = classify_error(503, 0, "SlowDown");
  const ErrorKind transient = classify_error(500, 0, "InternalError");
  ASSERT_EQ(throttled, ErrorKind::Throttling);
  ASSERT_EQ(transient, ErrorKind::Transient);
  for (int attempt = 1; attempt <= 8; ++attempt) {
    const double t_cap = std::min(1000.0 * (1 << (attempt - 1)), 20'000.0);
    const double b_cap = std::min(50.0 * (1 << (attempt - 1)), 20'000.0);
    int64_t t_max = 0, b_max = 0;
    double t_sum = 0;
    constexpr int kSamples = 2000;
    for (int i = 0; i < kSamples; ++i) {
      const int64_t t = backoff_delay(cfg, throttled, attempt, rng).count();
      const int64_t b = backoff_delay(cfg, transient, attempt, rng).count();
      EXPECT_GE(t, 0);
      EXPECT_LE(t, t_cap);
      EXPECT_LE(b, b_cap);
      t_max = std::max(t_max, t);
      b_max = std::max(b_max, b);
      t_sum += static_cast<double>(t);
    }
    // Full jitter: uniform over [0, cap], so the largest sample is near the cap and the mean near half.
    EXPECT_GT(t_max, 0.9 * t_cap) << "attempt " << attempt;
    EXPECT_GT(b_max, 0.9 * b_cap - 1) << "attempt " << attempt;
    EXPECT_NEAR(t_sum / kSamples, t_cap / 2, t_cap * 0.05) << "attempt " << attempt;
  }
  EXPECT_EQ(classify_error(429, 0, ""), ErrorKind::Throttling);
  EXPECT_EQ(classify_error(400, 0, "RequestTimeTooSkewed"), ErrorKind::ClockSkew);
}

// End to end: the gaps between attempts follow the throttling base for SlowDown and the short
// base for a 500 (same client settings, 4 retries each).
TEST_F(FaultTest, ThrottlingBacksOffLongerThanA500) {
  json slow = error_response(503, "SlowDown");
  slow["times"] = 4;
  json internal = error_response(500, "InternalError");
  internal["times"] = 4;
  start_peer(json::array({{{"path", "/bkt/throttled"}, {"responses", {slow, etag_response(kPartEtag)}}},
                          {{"path", "/bkt/failing"}, {"responses", {internal, etag_response(kPartEtag)}}}}));
  ClientConfig cfg = config(5);
  cfg.retry.base = 1ms;             // 500: at most 1 + 2 + 4 + 8 ms of back-off
  cfg.retry.throttle_base = 100ms;  // SlowDown: up to 100 + 200 + 400 + 800 ms, 750 ms on average
  auto& c = client(cfg);
  ASSERT_EQ(c.put_object("bkt", "failing", body("x")).get(), kPartEtag);
  ASSERT_EQ(c.put_object("bkt", "throttled", body("x")).get(), kPartEtag);
  double failing_first = 0, failing_last = 0, throttled_first = 0, throttled_last = 0;
  int failing = 0, throttled = 0;
  for (const auto& r : log()) {
    const double t = r["time"].get<double>();
    if (r["path"] == "/bkt/failing") {
      if (failing++ == 0) failing_first = t;
      failing_last = t;
    } else {
      if (throttled++ == 0) throttled_first = t;
      throttled_last = t;
    }
  }
  ASSERT_EQ(failing, 5);
  ASSERT_EQ(throttled, 5);
  // Chance of 4 throttled delays summing under 40 ms is about 1e-7.
  EXPECT_GT(throttled_last - throttled_first, 0.040);
  EXPECT_LT(failing_last - failing_first, 0.040 + 0.5) << "500s use the short base";
}

TEST_F(FaultTest, InternalErrorThenSuccess) {
  start_peer(json::array({{{"method", "GET"},
                           {"path", "/bkt/obj"},
                           {"responses", {error_response(500, "InternalError"), {{"body", "payload"}}}}}}));
  auto& c = client();
  GetRequest req;
  req.object = {"bkt", "obj", ""};
  EXPECT_EQ(c.get_object(req).get().body, "payload");
  EXPECT_EQ(count(Op::GetObject), 2u);
  EXPECT_EQ(log().size(), 2u);
}

TEST_F(FaultTest, ResetConnectionThenSuccess) {
  start_peer(json::array({{{"method", "GET"},
                           {"path", "/bkt/obj"},
                           {"responses", {{{"action", "reset"}}, {{"body", "payload"}}}}}}));
  auto& c = client();
  GetRequest req;
  req.object = {"bkt", "obj", ""};
  EXPECT_EQ(c.get_object(req).get().body, "payload");
  EXPECT_EQ(count(Op::GetObject), 2u);
  const auto l = log();
  ASSERT_EQ(l.size(), 2u);
  EXPECT_EQ(l[0]["action"], "reset");
}

TEST_F(FaultTest, TruncatedBodyThenSuccess) {
  start_peer(json::array(
      {{{"method", "GET"},
        {"path", "/bkt/obj"},
        {"responses", {{{"action", "truncate"}, {"body_size", 100000}}, {{"body_size", 100000}}}}}}));
  auto& c = client();
  GetRequest req;
  req.object = {"bkt", "obj", ""};
  EXPECT_EQ(c.get_object(req).get().body.size(), 100000u);
  EXPECT_EQ(log().size(), 2u);
}

// ---- 200 with an <Error> body ----------------------------------------------------------------

TEST_F(FaultTest, CompleteWith200ErrorBodyIsRetried) {
  json err200 = {{"status", 200}, {"body", error_xml("InternalError")}};
  start_peer(json::array({{{"method", "POST"},
                           {"path", "/bkt/obj"},
                           {"query", "uploadId=UP1"},
                           {"responses", {err200, {{"body", complete_result("abc-1")}}}}}}));
  auto& c = client();
  EXPECT_EQ(c.complete_multipart_upload(complete_request()).get(), "abc-1");
  EXPECT_EQ(count(Op::CompleteMultipartUpload), 2u);
  EXPECT_EQ(log().size(), 2u);
}

TEST_F(FaultTest, CompleteStreamingWhitespaceThenErrorIsRetried) {
  // S3 sends the 200 status at once, whitespace while it works, then the result or an <Error>.
  json err200 = {{"status", 200}, {"chunks_delay", 0.02}, {"body", error_xml("InternalError")}};
  json ok200 = {{"status", 200}, {"chunks_delay", 0.02}, {"body", complete_result("abc-1")}};
  start_peer(json::array({{{"method", "POST"},
                           {"path", "/bkt/obj"},
                           {"query", "uploadId=UP1"},
                           {"responses", {err200, ok200}}}}));
  auto& c = client();
  EXPECT_EQ(c.complete_multipart_upload(complete_request()).get(), "abc-1");
  EXPECT_EQ(log().size(), 2u);
}

TEST_F(FaultTest, CompleteWithPersistent200ErrorFailsWithThatCode) {
  json err200 = {{"status", 200},
                 {"body", error_xml("InternalError", "We encountered an internal error", "RID9")}};
  start_peer(json::array({{{"method", "POST"}, {"path", "/bkt/obj"}, {"responses", {err200}}}}));
  auto& c = client();
  auto e = error_of(c.complete_multipart_upload(complete_request()));
  ASSERT_TRUE(e);
  EXPECT_EQ(e->code(), "InternalError");
  EXPECT_EQ(e->info().request_id, "RID9");
  EXPECT_EQ(e->info().attempts, 3);
  EXPECT_EQ(e->info().operation, "CompleteMultipartUpload");
  EXPECT_EQ(log().size(), 3u);
}

TEST_F(FaultTest, UploadPartCopyWith200ErrorBodyIsRetried) {
  json err200 = {{"status", 200}, {"body", error_xml("InternalError")}};
  start_peer(json::array({{{"method", "PUT"},
                           {"path", "/bkt/obj"},
                           {"headers", {{"x-amz-copy-source", "^src/source%20key$"}}},
                           {"responses", {err200, {{"body", copy_part_result(kPartEtag)}}}}}}));
  auto& c = client();
  EXPECT_EQ(c.upload_part_copy(copy_part_request()).get(), kPartEtag);
  EXPECT_EQ(count(Op::UploadPartCopy), 2u);
  const auto l = log();
  ASSERT_EQ(l.size(), 2u);
  EXPECT_EQ(l[1]["headers"]["x-amz-copy-source-range"], "bytes=0-5242879");
}

TEST_F(FaultTest, UploadPartCopyWithPersistent200ErrorFailsWithThatCode) {
  json err200 = {{"status", 200}, {"body", error_xml("SlowDown", "Please reduce your request rate.")}};
  start_peer(json::array({{{"method", "PUT"}, {"path", "/bkt/obj"}, {"responses", {err200}}}}));
  ClientConfig cfg = config(2);
  auto& c = client(cfg);
  auto e = error_of(c.upload_part_copy(copy_part_request()));
  ASSERT_TRUE(e);
  EXPECT_EQ(e->code(), "SlowDown");
  EXPECT_EQ(e->info().attempts, 2);
  EXPECT_EQ(log().size(), 2u);
}

TEST_F(FaultTest, CopyObjectWith200ErrorBodyIsRetried) {
  json err200 = {{"status", 200}, {"body", error_xml("InternalError")}};
  std::string ok = "<CopyObjectResult><ETag>\"" + kPartEtag + "\"</ETag></CopyObjectResult>";
  start_peer(
      json::array({{{"method", "PUT"}, {"path", "/bkt/dst"}, {"responses", {err200, {{"body", ok}}}}}}));
  auto& c = client();
  EXPECT_EQ(c.copy_object({"bkt", "src", ""}, "bkt", "dst").get(), kPartEtag);
  EXPECT_EQ(log().size(), 2u);
}

// ---- errors that are not retried ---------------------------------------------------------------

TEST_F(FaultTest, AccessDeniedIsNotRetried) {
  start_peer(json::array({{{"responses", {error_response(403, "AccessDenied", "RID-403")}}}}));
  auto& c = client(config(5));
  auto e = error_of(c.put_object("bkt", "obj", body("x")));
  ASSERT_TRUE(e);
  EXPECT_EQ(e->status(), 403);
  EXPECT_EQ(e->code(), "AccessDenied");
  EXPECT_EQ(e->info().request_id, "RID-403");
  EXPECT_EQ(e->info().attempts, 1);
  EXPECT_EQ(log().size(), 1u);
  EXPECT_EQ(count(Op::PutObject), 1u);
}

TEST_F(FaultTest, NoSuchKeyIsNotRetried) {
  start_peer(json::array({{{"responses", {error_response(404, "NoSuchKey", "RID-404")}}}}));
  auto& c = client(config(5));
  GetRequest req;
  req.object = {"bkt", "missing", ""};
  auto e = error_of(c.get_object(req));
  ASSERT_TRUE(e);
  EXPECT_EQ(e->status(), 404);
  EXPECT_EQ(e->code(), "NoSuchKey");
  EXPECT_EQ(e->info().request_id, "RID-404");
  EXPECT_NE(std::string(e->what()).find("NoSuchKey"), std::string::npos);
  EXPECT_EQ(log().size(), 1u);
}

TEST_F(FaultTest, HeadNotFoundWithoutBodyIsTypedAndNotRetried) {
  start_peer(
      json::array({{{"method", "HEAD"},
                    {"responses", {{{"status", 404}, {"headers", {{"x-amz-request-id", "RID-HEAD"}}}}}}}}));
  auto& c = client(config(5));
  auto e = error_of(c.head_object({"bkt", "missing", ""}));
  ASSERT_TRUE(e);
  EXPECT_EQ(e->status(), 404);
  EXPECT_FALSE(e->code().empty());
  EXPECT_EQ(e->info().request_id, "RID-HEAD");
  EXPECT_EQ(log().size(), 1u);
}

TEST_F(FaultTest, PreconditionFailedIsNotRetried) {
  start_peer(json::array({{{"responses", {error_response(412, "PreconditionFailed")}}}}));
  auto& c = client(config(5));
  GetRequest req;
  req.object = {"bkt", "obj", ""};
  req.if_match = kPartEtag;
  auto e = error_of(c.get_object(req));
  ASSERT_TRUE(e);
  EXPECT_EQ(e->code(), "PreconditionFailed");
  const auto l = log();
  ASSERT_EQ(l.size(), 1u);
  EXPECT_EQ(l[0]["headers"]["if-match"], "\"" + kPartEtag + "\"");
}

// ---- attempt limits and the retry quota --------------------------------------------------------

TEST_F(FaultTest, MaxAttemptsIsHonoured) {
  start_peer(json::array({{{"responses", {error_response(500, "InternalError")}}}}));
  auto& c = client(config(3));
  auto e = error_of(c.put_object("bkt", "obj", body("x")));
  ASSERT_TRUE(e);
  EXPECT_EQ(e->status(), 500);
  EXPECT_EQ(e->code(), "InternalError");
  EXPECT_EQ(e->info().attempts, 3);
  EXPECT_NE(std::string(e->what()).find("after 3 attempts"), std::string::npos) << e->what();
  EXPECT_EQ(log().size(), 3u);
  EXPECT_EQ(count(Op::PutObject), 3u);
  EXPECT_EQ(c.counters().retries.load(), 2u);
}

TEST_F(FaultTest, MaxAttemptsOneMeansNoRetry) {
  start_peer(json::array({{{"responses", {{{"action", "reset"}}}}}}));
  auto& c = client(config(1));
  auto e = error_of(c.head_object({"bkt", "obj", ""}));
  ASSERT_TRUE(e);
  EXPECT_EQ(e->status(), 0);
  EXPECT_EQ(e->code(), "TransportError");
  EXPECT_EQ(log().size(), 1u);
}

// Sets environment variables for one scope and restores them.
class ScopedEnv {
 public:
  void set(const char* name, const std::string& value) {
    const char* old = std::getenv(name);
    saved_.emplace_back(name, old ? std::optional<std::string>(old) : std::nullopt);
    setenv(name, value.c_str(), 1);
  }
  void unset(const char* name) {
    const char* old = std::getenv(name);
    saved_.emplace_back(name, old ? std::optional<std::string>(old) : std::nullopt);
    unsetenv(name);
  }
  ~ScopedEnv() {
    for (auto it = saved_.rbegin(); it != saved_.rend(); ++it) {
      if (it->second) {
        setenv(it->first.c_str(), it->second->c_str(), 1);
      } else {
        unsetenv(it->first.c_str());
      }
    }
  }

 private:
  std::vector<std::pair<std::string, std::optional<std::string>>> saved_;
};

TEST_F(FaultTest, AwsMaxAttemptsFromTheEnvironment) {
  start_peer(json::array({{{"responses", {error_response(503, "ServiceUnavailable")}}}}));
  ScopedEnv env;
  env.set("AWS_MAX_ATTEMPTS", "4");
  env.unset("AWS_RETRY_MODE");
  env.unset("AWS_PROFILE");
  env.set("AWS_CONFIG_FILE", (peer_->dir() / "no-such-config").string());
  env.set("AWS_SHARED_CREDENTIALS_FILE", (peer_->dir() / "no-such-credentials").string());
  ConnectionOptions o;
  o.endpoint_url = endpoint();
  o.region = "us-east-1";
  ClientConfig cfg = resolve_client_config(o);
  ASSERT_EQ(cfg.retry.max_attempts, 4);
  EXPECT_TRUE(cfg.path_style);
  cfg.retry.base = 1ms;
  cfg.retry.throttle_base = 2ms;
  auto& c = client(cfg);
  auto e = error_of(c.put_object("bkt", "obj", body("x")));
  ASSERT_TRUE(e);
  EXPECT_EQ(e->info().attempts, 4);
  EXPECT_EQ(log().size(), 4u);

  env.set("AWS_MAX_ATTEMPTS", "zero");
  EXPECT_THROW(resolve_client_config(o), UsageError);
  env.set("AWS_MAX_ATTEMPTS", "2");
  o.max_attempts = 6;  // the command-line flag wins over the environment
  EXPECT_EQ(resolve_client_config(o).retry.max_attempts, 6);
}

TEST_F(FaultTest, RetryQuotaStopsARetryStorm) {
  start_peer(json::array({{{"responses", {error_response(500, "InternalError")}}}}));
  ClientConfig cfg = config(10);
  cfg.retry.quota_capacity = 10;  // two retries at cost 5
  cfg.retry.retry_cost = 5;
  auto& c = client(cfg);
  auto e1 = error_of(c.put_object("bkt", "a", body("x")));
  ASSERT_TRUE(e1);
  EXPECT_EQ(e1->info().attempts, 3) << "two retries empty the quota";
  // The budget is spent: the next failing request is not retried at all.
  auto e2 = error_of(c.put_object("bkt", "b", body("x")));
  ASSERT_TRUE(e2);
  EXPECT_EQ(e2->info().attempts, 1);
  EXPECT_EQ(log().size(), 4u) << "without a quota this would be 20 requests";
}

TEST_F(FaultTest, RetryQuotaRefillsOnSuccess) {
  json internal = error_response(500, "InternalError");
  start_peer(json::array({{{"responses", {internal, {{"status", 200}}, internal, {{"status", 200}}}}}}));
  ClientConfig cfg = config(10);
  cfg.retry.quota_capacity = 5;  // exactly one retry's worth
  cfg.retry.retry_cost = 5;
  auto& c = client(cfg);
  // The first request's retry takes the whole budget; its success gives it back, so the second
  // request can retry too.
  c.put_object("bkt", "a", body("x")).get();
  c.put_object("bkt", "b", body("x")).get();
  EXPECT_EQ(log().size(), 4u);
}

// ---- Complete whose success answer was lost ----------------------------------------------------

json lost_complete_script(const std::string& head_etag, const std::string& head_size) {
  return json::array(
      {{{"method", "POST"},
        {"path", "/bkt/obj"},
        {"query", "uploadId=UP1"},
        {"responses", {{{"action", "reset"}}, error_response(404, "NoSuchUpload")}}},
       {{"method", "HEAD"},
        {"path", "/bkt/obj"},
        {"responses",
         {{{"status", 200},
           {"headers", {{"ETag", "\"" + head_etag + "\""}, {"Content-Length", head_size}}}}}}}});
}

TEST_F(FaultTest, CompleteRetriedAfterLostSuccessIsConfirmedByHead) {
  const std::string final_etag = multipart_etag({kPartEtag});
  start_peer(lost_complete_script(final_etag, "5242880"));
  auto& c = client();
  CompleteRequest req = complete_request();
  req.expected_size = 5242880;
  req.expected_etag = final_etag;
  EXPECT_EQ(c.complete_multipart_upload(req).get(), final_etag);
  EXPECT_EQ(count(Op::CompleteMultipartUpload), 2u);
  EXPECT_EQ(count(Op::HeadObject), 1u);
  const auto l = log();
  ASSERT_EQ(l.size(), 3u);
  EXPECT_EQ(l[0]["method"], "POST");
  EXPECT_EQ(l[1]["method"], "POST");
  EXPECT_EQ(l[2]["method"], "HEAD");
}

TEST_F(FaultTest, CompleteNoSuchUploadWithAMismatchingObjectFails) {
  start_peer(lost_complete_script("ffffffffffffffffffffffffffffffff-1", "5242880"));
  auto& c = client();
  CompleteRequest req = complete_request();
  req.expected_size = 5242880;
  req.expected_etag = multipart_etag({kPartEtag});
  auto e = error_of(c.complete_multipart_upload(req));
  ASSERT_TRUE(e);
  EXPECT_EQ(e->code(), "NoSuchUpload");
  EXPECT_EQ(log().size(), 3u);
}

TEST_F(FaultTest, FirstCompleteAnsweringNoSuchUploadIsAnError) {
  // Nothing was lost: the upload really is gone. No HEAD can make that a success.
  start_peer(
      json::array({{{"method", "POST"}, {"responses", {error_response(404, "NoSuchUpload")}}},
                   {{"method", "HEAD"},
                    {"responses", {{{"status", 200}, {"headers", {{"Content-Length", "5242880"}}}}}}}}));
  auto& c = client();
  auto e = error_of(c.complete_multipart_upload(complete_request()));
  ASSERT_TRUE(e);
  EXPECT_EQ(e->code(), "NoSuchUpload");
  EXPECT_EQ(log().size(), 1u);
}

// ---- clock skew and expired tokens ---------------------------------------------------------

TEST_F(FaultTest, RequestTimeTooSkewedIsRetriedWithTheServersClock) {
  const auto server_now = std::chrono::system_clock::now() + 3h;
  json skew = error_response(403, "RequestTimeTooSkewed");
  skew["headers"]["Date"] = rfc1123(server_now);
  start_peer(json::array({{{"method", "GET"}, {"responses", {skew, {{"body", "payload"}}}}}}));
  auto& c = client();
  GetRequest req;
  req.object = {"bkt", "obj", ""};
  EXPECT_EQ(c.get_object(req).get().body, "payload");
  const auto l = log();
  ASSERT_EQ(l.size(), 2u);
  // The retry is signed with the server's time, not ours.
  const std::string first = l[0]["headers"]["x-amz-date"], second = l[1]["headers"]["x-amz-date"];
  const int64_t t2 =
      parse_http_time(second.substr(0, 4) + "-" + second.substr(4, 2) + "-" + second.substr(6, 2) + "T" +
                      second.substr(9, 2) + ":" + second.substr(11, 2) + ":" + second.substr(13, 2));
  const int64_t expected =
      std::chrono::duration_cast<std::chrono::seconds>(server_now.time_since_epoch()).count();
  EXPECT_NEAR(static_cast<double>(t2), static_cast<double>(expected), 60.0) << first << " -> " << second;
}

TEST_F(FaultTest, ExpiredTokenReloadsCredentialsAndRetriesOnce) {
  start_peer(json::array({{{"responses", {error_response(400, "ExpiredToken")}}}}));
  auto& c = client(config(5), kToken);
  GetRequest req;  // not HEAD: a HEAD answer has no body to carry the code
  req.object = {"bkt", "obj", ""};
  auto e = error_of(c.get_object(req));
  ASSERT_TRUE(e);
  EXPECT_EQ(e->code(), "ExpiredToken");
  EXPECT_EQ(log().size(), 2u) << "one retry with reloaded credentials, then give up";
  EXPECT_GE(provider_->loads.load(), 2);
}

// ---- secrets ----------------------------------------------------------------------------

TEST_F(FaultTest, SecretsNeverLeakIntoErrorsOrOntoTheWire) {
  json bad_xml = {{"status", 200}, {"body", "<ListBucketResult><Contents><Key>unterminated"}};
  start_peer(json::array(
      {{{"path", "/bkt/denied"}, {"responses", {error_response(403, "AccessDenied")}}},
       {{"path", "/bkt/broken"}, {"responses", {error_response(500, "InternalError")}}},
       {{"path", "/bkt/reset"}, {"responses", {{{"action", "reset"}}}}},
       {{"path", "/bkt/signature"}, {"responses", {error_response(403, "SignatureDoesNotMatch")}}},
       {{"path", "/bkt/complete"}, {"responses", {{{"status", 200}, {"body", error_xml("InternalError")}}}}},
       {{"path", "/bkt"}, {"query", "list-type=2"}, {"responses", {bad_xml}}},
       {{"path", "/bkt/garbage"}, {"responses", {{{"status", 500}, {"body", "not xml at all <<<"}}}}}}));
  auto& c = client(config(2), kToken);

  std::vector<std::string> messages;
  auto collect = [&](auto&& fut) {
    try {
      fut.get();
      ADD_FAILURE() << "expected a failure";
    } catch (const S3Error& e) {
      messages.emplace_back(e.what());
      messages.push_back(e.info().message);
      messages.push_back(e.info().resource);
    } catch (const std::exception& e) {
      messages.emplace_back(e.what());
    }
  };
  collect(c.put_object("bkt", "denied", body("x")));
  collect(c.put_object("bkt", "broken", body("x")));
  GetRequest get;
  get.object = {"bkt", "reset", ""};
  collect(c.get_object(get));
  collect(c.head_object({"bkt", "signature", ""}));
  CompleteRequest complete = complete_request();
  complete.key = "complete";
  collect(c.complete_multipart_upload(complete));
  collect(c.list_objects_v2("bkt", ""));
  collect(c.delete_object({"bkt", "garbage", ""}));
  ASSERT_GE(messages.size(), 7u);
  for (const auto& m : messages) {
    EXPECT_EQ(m.find(kSecret), std::string::npos) << m;
    EXPECT_EQ(m.find(kToken), std::string::npos) << m;
  }

  const std::string raw = raw_log();
  ASSERT_FALSE(raw.empty());
  EXPECT_EQ(raw.find(kSecret), std::string::npos) << "the secret key went over the wire";
  for (const auto& r : log()) {
    // The token is sent, as it must be, in x-amz-security-token only.
    EXPECT_EQ(r["headers"]["x-amz-security-token"], kToken);
    json rest = r;
    rest["headers"].erase("x-amz-security-token");
    EXPECT_EQ(rest.dump().find(kToken), std::string::npos) << rest.dump();
    const std::string auth = r["headers"]["authorization"];
    EXPECT_EQ(auth.rfind(std::string("AWS4-HMAC-SHA256 Credential=") + kAccessKey + "/", 0), 0u) << auth;
  }
}

}  // namespace
}  // namespace s3tar::s3
