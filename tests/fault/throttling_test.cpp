// S3 throttling above a request rate (503 SlowDown), which no local server shows: the number of
// requests in flight backs off and settles under what the server accepts, instead of every
// request being retried at the full configured concurrency until the retry budget runs out.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <future>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "s3tar/log/log.h"
#include "s3tar/s3/client.h"
#include "tests/fault/peer_client.h"

namespace s3tar::s3 {
namespace {

using nlohmann::json;
using testing::ScriptedPeer;

// The server accepts 200 requests per second and answers each after 50 ms: about 10 requests in
// flight is what it takes; the client may have 64.
constexpr double kRate = 200;
constexpr double kDelaySeconds = 0.05;
constexpr std::size_t kSustainable = 10;  // kRate * kDelaySeconds
constexpr int kRequests = 1500;
constexpr std::size_t kClientMax = 64;

json throttling_script() {
  return {{"throttle", {{"rate", kRate}, {"burst", 5}}},
          {"rules",
           {{{"method", "GET"},
             {"responses",
              {{{"status", 200},
                {"delay", kDelaySeconds},
                {"headers", {{"ETag", "\"e1\""}}},
                {"body", "log line"}}}}}}}};
}

std::unique_ptr<S3Client> throttled_client(const ScriptedPeer& peer) {
  ClientConfig c;
  c.endpoint_url = peer.base_url();
  c.path_style = true;
  c.http.max_in_flight = kClientMax;
  c.retry.max_attempts = 10;  // the CLI's default; the throttling back-off is the SDKs' (1 s base)
  return std::make_unique<S3Client>(c, std::make_shared<testing::StaticKeys>());
}

struct Observed {
  std::size_t max_in_flight = 0;  // at the peer, over the second half of the requests
  double mean_in_flight = 0;
  std::size_t throttled = 0;  // answers 503 in that half
  std::size_t requests = 0;   // in that half
};

Observed second_half(const std::vector<json>& log) {
  Observed o;
  double sum = 0;
  for (std::size_t i = log.size() / 2; i < log.size(); ++i) {
    const auto& r = log[i];
    const std::size_t in_flight = r.at("in_flight").get<std::size_t>();
    o.max_in_flight = std::max(o.max_in_flight, in_flight);
    sum += static_cast<double>(in_flight);
    if (r.at("throttled").get<bool>()) ++o.throttled;
    ++o.requests;
  }
  o.mean_in_flight = o.requests ? sum / static_cast<double>(o.requests) : 0;
  return o;
}

TEST(Throttling, RequestsInFlightSettleUnderTheServersRate) {
  ScriptedPeer peer(throttling_script());
  log::init({.json = true, .terminal = false, .level = log::Level::Debug});
  ::testing::internal::CaptureStderr();
  int failed = 0;
  uint64_t retries = 0;
  {
    auto client = throttled_client(peer);
    std::vector<std::future<GetResult>> gets;
    for (int i = 0; i < kRequests; ++i) {
      GetRequest req;
      req.object = {"logs", "day/obj-" + std::to_string(i) + ".log", ""};
      gets.push_back(client->get_object(std::move(req)));
    }
    for (auto& g : gets) {
      try {
        g.get();
      } catch (const std::exception&) {
        ++failed;
      }
    }
    retries = client->counters().retries.load();
  }
  const std::string logged = ::testing::internal::GetCapturedStderr();
  log::init({});

  // The run finishes: every request succeeds in the end.
  EXPECT_EQ(failed, 0);
  // The retry count stays small: the first round trip at 64 in flight is throttled, little after.
  EXPECT_LT(retries, kRequests * 15 / 100) << "retries: " << retries;
  // The requests in flight settle under the server's rate: once the first burst is over,
  // about kSustainable in flight and few throttled answers.
  const auto log = peer.log();
  const Observed o = second_half(log);
  EXPECT_LE(o.max_in_flight, 2 * kSustainable) << "mean in flight " << o.mean_in_flight;
  EXPECT_LE(o.mean_in_flight, 1.5 * kSustainable);
  EXPECT_LT(o.throttled, o.requests / 10) << o.throttled << " of " << o.requests << " throttled";
  // Each back-off is logged (at -v).
  EXPECT_NE(logged.find("\"event\":\"http.throttled\""), std::string::npos);
}

}  // namespace
}  // namespace s3tar::s3
