// The S3 client against network faults and stops: names that do not resolve, a server that
// stalls or throttles when a stop request comes, 200 answers carrying an <Error>, and the logs of
// retries and requests (which never show a credential).
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <future>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <string>
#include <thread>

#include "s3tar/exit_codes.h"
#include "s3tar/log/log.h"
#include "s3tar/s3/client.h"
#include "s3tar/s3/credentials/refreshing_provider.h"
#include "tests/unit/http/scripted_peer.h"

namespace s3tar::s3 {
namespace {

using nlohmann::json;
using s3tar::testing::ScriptedPeer;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

constexpr const char* kSecret = "NETFAULTSECRETKEYNETFAULTSECRET";

class Keys : public CredentialsProvider {
 public:
  std::optional<Credentials> load() override {
    Credentials c;
    c.access_key_id = "AKIDNETFAULTS";
    c.secret_access_key = kSecret;
    return c;
  }
  std::string name() const override { return "keys"; }
};

ClientConfig config_for(const std::string& endpoint, int max_attempts = 3) {
  ClientConfig c;
  c.endpoint_url = endpoint;
  c.path_style = true;
  c.retry.max_attempts = max_attempts;
  c.retry.base = 1ms;
  c.retry.throttle_base = 2ms;
  c.http.connect_timeout_ms = 2000;
  return c;
}

std::unique_ptr<S3Client> client_for(ClientConfig c) {
  return std::make_unique<S3Client>(std::move(c), std::make_shared<Keys>());
}

GetRequest get(const std::string& key) {
  GetRequest r;
  r.object = {"bkt", key, ""};
  return r;
}

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

std::string error_xml(const std::string& code) {
  return "<Error><Code>" + code + "</Code><Message>scripted</Message><RequestId>RID7</RequestId></Error>";
}

// Log lines written while it lives, at the given level, as JSON.
class CapturedLog {
 public:
  explicit CapturedLog(log::Level level) {
    log::init({.json = true, .terminal = false, .level = level});
    ::testing::internal::CaptureStderr();
  }
  ~CapturedLog() {
    if (!taken_) ::testing::internal::GetCapturedStderr();
    log::init({});
  }
  std::string text() {
    taken_ = true;
    return ::testing::internal::GetCapturedStderr();
  }
  static std::vector<json> lines(const std::string& text, const std::string& event) {
    std::vector<json> out;
    std::istringstream in(text);
    std::string line;
    while (std::getline(in, line)) {
      const auto j = json::parse(line, nullptr, false);
      if (!j.is_discarded() && j.value("event", "") == event) out.push_back(j);
    }
    return out;
  }

 private:
  bool taken_ = false;
};

// ---- name lookups --------------------------------------------------------------------------

TEST(ClientNetworkFaults, AnUnresolvableEndpointIsRetriedAndNamesTheRealCause) {
  auto client = client_for(config_for("http://nonexistent.invalid:9", 3));
  auto e = error_of(client->head_object({"bkt", "key", ""}));
  ASSERT_TRUE(e);
  EXPECT_EQ(e->info().attempts, 3);
  EXPECT_EQ(e->reason(), S3ErrorReason::NoResponse);
  EXPECT_NE(std::string(e->what()).find("Could not resolve host"), std::string::npos) << e->what();
  EXPECT_NE(std::string(e->what()).find("nonexistent.invalid"), std::string::npos) << e->what();
  EXPECT_EQ(std::string(e->what()).find("bad argument"), std::string::npos) << e->what();
  EXPECT_EQ(exit_code_for(e->category()), kTransient);
}

// ---- a server that accepts and never answers ----------------------------------------------

TEST(ClientNetworkFaults, ASilentServerIsCutByTheLowSpeedLimitAndRetried) {
  ScriptedPeer peer(json::parse(R"([{"method": "GET", "responses": [
    {"action": "delay", "seconds": 30, "status": 200, "body": "too late"},
    {"status": 200, "body": "answered"}]}])"));
  auto cfg = config_for(peer.base_url());
  cfg.http.low_speed_time_s = 1;  // 60 s by default
  CapturedLog captured(log::Level::Debug);
  auto client = client_for(cfg);
  const auto start = Clock::now();
  EXPECT_EQ(client->get_object(get("obj")).get().body, "answered");
  EXPECT_LT(Clock::now() - start, 10s);
  const auto retries = CapturedLog::lines(captured.text(), "s3.retry");
  ASSERT_EQ(retries.size(), 1u);
  EXPECT_NE(retries[0]["cause"].get<std::string>().find("too slow"), std::string::npos) << retries[0];
}

TEST(ClientNetworkFaults, TheDefaultLowSpeedLimitIsAMinute) {
  EXPECT_GT(HttpEngineOptions{}.low_speed_time_s, 0);
  EXPECT_LE(HttpEngineOptions{}.low_speed_time_s, 60);
}

// ---- stops ---------------------------------------------------------------------------------

TEST(ClientNetworkFaults, AStopEndsAStalledRequestAtOnceAndAbortsStillGoThrough) {
  ScriptedPeer peer(json::parse(R"([
    {"method": "DELETE", "responses": [{"status": 204}]},
    {"method": "PUT", "responses": [{"action": "delay", "seconds": 60, "status": 200}]}
  ])"));
  std::atomic<bool> stop{false};
  auto cfg = config_for(peer.base_url());
  cfg.stop_flag = &stop;
  auto client = client_for(cfg);
  auto part = client->upload_part("bkt", "obj", "UP1", 1, std::make_shared<const std::string>("data"));
  std::this_thread::sleep_for(300ms);
  const auto start = Clock::now();
  stop = true;  // as the SIGTERM handler does
  ASSERT_EQ(part.wait_for(5s), std::future_status::ready);
  EXPECT_LT(Clock::now() - start, 2s);
  auto e = error_of(std::move(part));
  ASSERT_TRUE(e);
  EXPECT_TRUE(e->cancelled());
  EXPECT_EQ(exit_code_for(e->category()), kTransient);
  // The abort after the stop is a cleanup call: it is sent and succeeds.
  EXPECT_NO_THROW(client->abort_multipart_upload("bkt", "obj", "UP1").get());
  int deletes = 0;
  for (const auto& r : peer.log()) deletes += r["method"] == "DELETE";
  EXPECT_EQ(deletes, 1);
}

TEST(ClientNetworkFaults, AStopEndsTheBackOffOfAThrottledRequest) {
  ScriptedPeer peer(json::array(
      {{{"method", "PUT"}, {"responses", {{{"status", 503}, {"body", error_xml("SlowDown")}}}}}}));
  std::atomic<bool> stop{false};
  auto cfg = config_for(peer.base_url(), 20);
  cfg.retry.throttle_base = 20s;  // every back-off is long
  cfg.retry.max_backoff = 20s;
  cfg.stop_flag = &stop;
  auto client = client_for(cfg);
  auto part = client->upload_part("bkt", "obj", "UP1", 1, std::make_shared<const std::string>("data"));
  // Wait for the first answer, so the call is in its back-off (or, rarely, a short one).
  const auto wait_until = Clock::now() + 5s;
  while (peer.log().empty() && Clock::now() < wait_until) std::this_thread::sleep_for(20ms);
  ASSERT_FALSE(peer.log().empty());
  std::this_thread::sleep_for(100ms);
  const auto start = Clock::now();
  stop = true;
  ASSERT_EQ(part.wait_for(5s), std::future_status::ready);
  EXPECT_LT(Clock::now() - start, 2s);
  auto e = error_of(std::move(part));
  ASSERT_TRUE(e);
  EXPECT_TRUE(e->cancelled()) << e->what();
  EXPECT_EQ(exit_code_for(e->category()), kTransient);
  EXPECT_LE(peer.log().size(), 3u);
}

TEST(ClientNetworkFaults, CancelEndsRequestsAndLaterCallsFailAsCancelled) {
  ScriptedPeer peer(json::parse(R"([{"responses": [{"action": "delay", "seconds": 60, "status": 200}]}])"));
  auto client = client_for(config_for(peer.base_url()));
  auto head = client->head_object({"bkt", "key", ""});
  std::this_thread::sleep_for(200ms);
  client->cancel();
  ASSERT_EQ(head.wait_for(5s), std::future_status::ready);
  auto e = error_of(std::move(head));
  ASSERT_TRUE(e);
  EXPECT_TRUE(e->cancelled());
  auto later = error_of(client->head_object({"bkt", "key", ""}));
  ASSERT_TRUE(later);
  EXPECT_TRUE(later->cancelled());
}

// ---- 200 answers carrying an <Error> -------------------------------------------------------

TEST(ClientNetworkFaults, UploadPartAnswered200WithAnErrorIsRetried) {
  ScriptedPeer peer(json::array(
      {{{"method", "PUT"},
        {"responses",
         {{{"status", 200}, {"body", error_xml("InternalError")}},
          {{"status", 200}, {"headers", {{"ETag", "\"0123456789abcdef0123456789abcdef\""}}}}}}}}));
  auto client = client_for(config_for(peer.base_url()));
  EXPECT_EQ(client->upload_part("bkt", "obj", "UP1", 1, std::make_shared<const std::string>("data")).get(),
            "0123456789abcdef0123456789abcdef");
  EXPECT_EQ(peer.log().size(), 2u);
}

TEST(ClientNetworkFaults, RetriesExhaustedOnA200WithAnErrorAreTransient) {
  ScriptedPeer peer(
      json::array({{{"responses", {{{"status", 200}, {"body", error_xml("InternalError")}}}}}}));
  auto client = client_for(config_for(peer.base_url(), 2));
  std::vector<std::optional<S3Error>> errors;
  errors.push_back(
      error_of(client->upload_part("bkt", "obj", "UP1", 1, std::make_shared<const std::string>("data"))));
  CopyPartRequest copy;
  copy.bucket = "bkt";
  copy.key = "obj";
  copy.upload_id = "UP1";
  copy.part_number = 1;
  copy.source = {"src", "k", ""};
  errors.push_back(error_of(client->upload_part_copy(copy)));
  CompleteRequest complete;
  complete.bucket = "bkt";
  complete.key = "obj";
  complete.upload_id = "UP1";
  complete.parts = {{1, "0123456789abcdef0123456789abcdef"}};
  errors.push_back(error_of(client->complete_multipart_upload(complete)));
  for (const auto& e : errors) {
    ASSERT_TRUE(e);
    EXPECT_EQ(e->code(), "InternalError") << e->what();
    EXPECT_EQ(e->info().attempts, 2) << e->what();
    EXPECT_EQ(exit_code_for(e->category()), kTransient) << e->what();
  }
  EXPECT_EQ(peer.log().size(), 6u);
}

// ---- credentials ---------------------------------------------------------------------------

// Temporary keys whose reloads (all but the first) take `slow`, like a credential_process
// that asks an SSO portal.
class SlowReloads : public CredentialsProvider {
 public:
  explicit SlowReloads(std::chrono::milliseconds slow) : slow_(slow) {}
  std::optional<Credentials> load() override {
    if (loads_++ > 0) std::this_thread::sleep_for(slow_);
    Credentials c;
    c.access_key_id = "ASIASLOW";
    c.secret_access_key = kSecret;
    c.session_token = "token";
    c.expiration = std::chrono::system_clock::now() + std::chrono::hours(1);
    return c;
  }
  std::string name() const override { return "slow"; }
  std::atomic<int> loads_{0};

 private:
  std::chrono::milliseconds slow_;
};

TEST(ClientNetworkFaults, ASlowCredentialsReloadDoesNotStallTransfersInFlight) {
  ScriptedPeer peer(json::parse(R"([
    {"path": "/bkt/expired", "responses": [
      {"status": 400, "body": "<Error><Code>ExpiredToken</Code><Message>expired</Message></Error>"},
      {"status": 200, "body": "renewed"}]},
    {"path": "/bkt/slow", "responses": [{"action": "delay", "seconds": 1, "status": 200, "body": "ok"}]}
  ])"));
  auto inner = std::make_shared<SlowReloads>(3s);
  auto client =
      std::make_unique<S3Client>(config_for(peer.base_url()), std::make_shared<RefreshingProvider>(inner));
  const auto start = Clock::now();
  auto in_flight = client->get_object(get("slow"));
  std::this_thread::sleep_for(100ms);
  // Its retry needs new credentials, and the reload takes 3 s.
  auto expired = client->get_object(get("expired"));
  ASSERT_EQ(in_flight.wait_for(10s), std::future_status::ready);
  const auto in_flight_done = Clock::now() - start;
  EXPECT_EQ(in_flight.get().body, "ok");
  EXPECT_LT(in_flight_done, 2500ms) << "the transfer in flight waited for the credentials reload";
  ASSERT_EQ(expired.wait_for(10s), std::future_status::ready);
  EXPECT_EQ(expired.get().body, "renewed");
  EXPECT_GE(Clock::now() - start, 3s);  // the reload did take its time
  EXPECT_EQ(inner->loads_, 2);
}

// ---- logs ----------------------------------------------------------------------------------

TEST(ClientNetworkFaults, VerboseLogsEachRetryWithItsCauseAndWait) {
  ScriptedPeer peer(json::array(
      {{{"method", "GET"},
        {"responses",
         {{{"status", 503}, {"body", error_xml("SlowDown")}}, {{"status", 200}, {"body", "hello"}}}}}}));
  CapturedLog captured(log::Level::Debug);  // -v
  auto client = client_for(config_for(peer.base_url()));
  EXPECT_EQ(client->get_object(get("dir/key.txt")).get().body, "hello");
  const std::string text = captured.text();
  const auto retries = CapturedLog::lines(text, "s3.retry");
  ASSERT_EQ(retries.size(), 1u) << text;
  EXPECT_EQ(retries[0]["operation"], "GetObject");
  EXPECT_EQ(retries[0]["resource"], "s3://bkt/dir/key.txt");
  EXPECT_EQ(retries[0]["attempt"], 1);
  EXPECT_NE(retries[0]["cause"].get<std::string>().find("SlowDown"), std::string::npos);
  EXPECT_TRUE(retries[0]["wait_ms"].is_number());
  EXPECT_TRUE(CapturedLog::lines(text, "s3.request").empty()) << "requests are logged by --debug only";
}

TEST(ClientNetworkFaults, DebugLogsEachRequestWithoutSecrets) {
  ScriptedPeer peer(json::array(
      {{{"method", "PUT"},
        {"responses",
         {{{"status", 500}, {"body", error_xml("InternalError")}},
          {{"status", 200},
           {"headers",
            {{"ETag", "\"0123456789abcdef0123456789abcdef\""}, {"x-amz-request-id", "RIDOK"}}}}}}}}));
  CapturedLog captured(log::Level::Trace);  // --debug
  auto client = client_for(config_for(peer.base_url()));
  client->upload_part("bkt", "obj", "UP1", 3, std::make_shared<const std::string>("data")).get();
  const std::string text = captured.text();
  const auto requests = CapturedLog::lines(text, "s3.request");
  ASSERT_EQ(requests.size(), 2u) << text;
  EXPECT_EQ(requests[0]["method"], "PUT");
  EXPECT_EQ(requests[0]["status"], 500);
  EXPECT_EQ(requests[0]["request_id"], "RID7");
  EXPECT_EQ(requests[1]["status"], 200);
  EXPECT_EQ(requests[1]["request_id"], "RIDOK");
  EXPECT_NE(requests[1]["path"].get<std::string>().find("/bkt/obj?partNumber=3&uploadId=UP1"),
            std::string::npos)
      << requests[1];
  EXPECT_TRUE(requests[1]["ms"].is_number());
  // Neither the secret nor any signature the requests carried appears in the log.
  EXPECT_EQ(text.find(kSecret), std::string::npos);
  const auto sent = peer.log();
  ASSERT_EQ(sent.size(), 2u);
  for (const auto& r : sent) {
    const std::string auth = r["headers"].value("Authorization", r["headers"].value("authorization", ""));
    const auto sig = auth.find("Signature=");
    ASSERT_NE(sig, std::string::npos) << auth;
    EXPECT_EQ(text.find(auth.substr(sig + 10)), std::string::npos);
    EXPECT_EQ(text.find("Authorization"), std::string::npos);
  }
}

}  // namespace
}  // namespace s3tar::s3
