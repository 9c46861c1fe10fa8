// The engine against network faults: names that do not resolve, refused connections.
#include <curl/curl.h>
#include <gtest/gtest.h>

#include <future>

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

}  // namespace
}  // namespace s3tar::s3
