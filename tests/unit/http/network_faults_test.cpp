// The engine against network faults: names that do not resolve, refused connections, and a stop
// request while transfers are stalled or waiting for their back-off.
#include <curl/curl.h>
#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <thread>

#include "s3tar/s3/http/http_engine.h"
#include "tests/unit/http/scripted_peer.h"

namespace s3tar::s3 {
namespace {

using nlohmann::json;
using s3tar::testing::ScriptedPeer;
using namespace std::chrono_literals;

HttpRequest request_to(const std::string& base_url, const std::string& host, std::string path) {
  HttpRequest r;
  r.base_url = base_url;
  r.host = host;
  r.encoded_path = std::move(path);
  return r;
}

HttpRequest request_to(const ScriptedPeer& peer, std::string path) {
  return request_to(peer.base_url(), peer.host(), std::move(path));
}

// A name that never resolves (RFC 2606 reserves .invalid).
HttpRequest unresolvable(std::string path = "/x") {
  return request_to("http://nonexistent.invalid:9", "nonexistent.invalid:9", std::move(path));
}

std::future<HttpResponse> submit(HttpEngine& engine, HttpRequest req) {
  auto p = std::make_shared<std::promise<HttpResponse>>();
  auto f = p->get_future();
  engine.submit(std::move(req), [p](HttpResponse&& r) { p->set_value(std::move(r)); });
  return f;
}

HttpResponse run(HttpEngine& engine, HttpRequest req) {
  auto f = submit(engine, std::move(req));
  if (f.wait_for(30s) != std::future_status::ready) throw std::runtime_error("request did not complete");
  return f.get();
}

HttpEngineOptions one_handle() {
  HttpEngineOptions o;
  o.max_in_flight = 1;  // every transfer reuses the same easy handle
  return o;
}

TEST(NetworkFaults, AFailedNameLookupDoesNotPoisonTheReusedHandle) {
  ScriptedPeer peer(json::parse(R"([{"path": "/ok", "responses": [{"status": 200, "body": "fine"}]}])"));
  HttpEngine engine(one_handle());
  for (int round = 0; round < 3; ++round) {
    const auto bad = run(engine, unresolvable());
    EXPECT_EQ(bad.status, 0);
    EXPECT_EQ(bad.transport_error, CURLE_COULDNT_RESOLVE_HOST) << bad.transport_message;
    EXPECT_NE(bad.transport_message.find("resolve"), std::string::npos) << bad.transport_message;
    EXPECT_NE(bad.transport_message.find("nonexistent.invalid"), std::string::npos) << bad.transport_message;
    // The same handle then talks to a host that resolves.
    const auto good = run(engine, request_to(peer, "/ok"));
    EXPECT_EQ(good.status, 200) << good.transport_message;
    EXPECT_EQ(good.body, "fine");
  }
}

TEST(NetworkFaults, BadAndGoodHostsMixedInOneEngineEachGetTheirOwnAnswer) {
  ScriptedPeer peer(json::parse(R"([{"path": "/ok", "responses": [{"status": 200, "body": "fine"}]}])"));
  HttpEngineOptions o;
  o.max_in_flight = 2;
  HttpEngine engine(o);
  std::vector<std::future<HttpResponse>> bad, good;
  for (int i = 0; i < 10; ++i) {
    bad.push_back(submit(engine, unresolvable()));
    good.push_back(submit(engine, request_to(peer, "/ok")));
  }
  for (auto& f : bad) {
    ASSERT_EQ(f.wait_for(30s), std::future_status::ready);
    EXPECT_EQ(f.get().transport_error, CURLE_COULDNT_RESOLVE_HOST);
  }
  for (auto& f : good) {
    ASSERT_EQ(f.wait_for(30s), std::future_status::ready);
    EXPECT_EQ(f.get().status, 200);
  }
}

TEST(NetworkFaults, ARefusedConnectionNamesTheEndpointAndLeavesTheHandleUsable) {
  ScriptedPeer gone(json::parse("[]"));
  const std::string dead_url = gone.base_url(), dead_host = gone.host();
  gone.stop();
  ScriptedPeer peer(json::parse(R"([{"path": "/ok", "responses": [{"status": 200, "body": "fine"}]}])"));
  HttpEngine engine(one_handle());
  for (int round = 0; round < 2; ++round) {
    const auto refused = run(engine, request_to(dead_url, dead_host, "/x"));
    EXPECT_EQ(refused.transport_error, CURLE_COULDNT_CONNECT) << refused.transport_message;
    EXPECT_NE(refused.transport_message.find(dead_url), std::string::npos) << refused.transport_message;
    EXPECT_EQ(run(engine, request_to(peer, "/ok")).status, 200);
  }
}

using Clock = std::chrono::steady_clock;

TEST(NetworkFaults, CancelEndsStalledTransfersButNotCleanupOnes) {
  ScriptedPeer peer(json::parse(R"([
    {"path": "/stall", "responses": [{"action": "delay", "seconds": 30, "status": 200}]},
    {"path": "/cleanup", "responses": [{"action": "delay", "seconds": 1, "status": 204}]}
  ])"));
  HttpEngine engine;
  std::vector<std::future<HttpResponse>> stalled;
  for (int i = 0; i < 3; ++i) stalled.push_back(submit(engine, request_to(peer, "/stall")));
  auto cleanup_req = request_to(peer, "/cleanup");
  cleanup_req.cancellable = false;
  auto cleanup = submit(engine, cleanup_req);
  std::this_thread::sleep_for(300ms);  // all in flight
  const auto start = Clock::now();
  engine.cancel();
  for (auto& f : stalled) {
    ASSERT_EQ(f.wait_for(5s), std::future_status::ready);
    const auto r = f.get();
    EXPECT_TRUE(HttpEngine::is_cancelled(r)) << r.transport_message;
    EXPECT_FALSE(HttpEngine::is_shutdown(r));
  }
  EXPECT_LT(Clock::now() - start, 1s);
  ASSERT_EQ(cleanup.wait_for(10s), std::future_status::ready);
  EXPECT_EQ(cleanup.get().status, 204);
  // Later cancellable requests end at once; a cleanup one is still sent.
  const auto late = run(engine, request_to(peer, "/stall"));
  EXPECT_TRUE(HttpEngine::is_cancelled(late));
  EXPECT_EQ(run(engine, cleanup_req).status, 204);
}

TEST(NetworkFaults, CancelRunsBackOffTimersAtOnceAndKeepsCleanupTimers) {
  HttpEngine engine;
  std::promise<Clock::time_point> backoff, cleanup;
  engine.schedule(
      30s, [&] { backoff.set_value(Clock::now()); }, /*cancellable=*/true);
  engine.schedule(
      300ms, [&] { cleanup.set_value(Clock::now()); }, /*cancellable=*/false);
  const auto start = Clock::now();
  engine.cancel();
  auto b = backoff.get_future();
  ASSERT_EQ(b.wait_for(5s), std::future_status::ready);
  EXPECT_LT(b.get() - start, 1s);
  auto c = cleanup.get_future();
  ASSERT_EQ(c.wait_for(5s), std::future_status::ready);
  EXPECT_GE(c.get() - start, 250ms);  // ran at its time, not early
  // A back-off scheduled after the stop does not wait either.
  std::promise<Clock::time_point> late;
  const auto late_start = Clock::now();
  engine.schedule(
      30s, [&] { late.set_value(Clock::now()); }, /*cancellable=*/true);
  auto l = late.get_future();
  ASSERT_EQ(l.wait_for(5s), std::future_status::ready);
  EXPECT_LT(l.get() - late_start, 1s);
}

TEST(NetworkFaults, TheStopFlagEndsAStalledTransfer) {
  ScriptedPeer peer(json::parse(
      R"([{"path": "/stall", "responses": [{"action": "delay", "seconds": 30, "status": 200}]}])"));
  std::atomic<bool> stop{false};
  HttpEngineOptions o;
  o.stop_flag = &stop;
  HttpEngine engine(o);
  auto f = submit(engine, request_to(peer, "/stall"));
  std::this_thread::sleep_for(300ms);
  const auto start = Clock::now();
  stop = true;  // as a signal handler does: no wakeup
  ASSERT_EQ(f.wait_for(5s), std::future_status::ready);
  EXPECT_TRUE(HttpEngine::is_cancelled(f.get()));
  EXPECT_LT(Clock::now() - start, 1s);
}

}  // namespace
}  // namespace s3tar::s3
