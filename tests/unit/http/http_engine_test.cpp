#include "s3tar/s3/http/http_engine.h"

#include <curl/curl.h>
#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <future>
#include <mutex>
#include <set>
#include <thread>

#include "tests/unit/http/scripted_peer.h"

namespace s3tar::s3 {
namespace {

using nlohmann::json;
using s3tar::testing::ScriptedPeer;
using namespace std::chrono_literals;

HttpRequest make_request(const ScriptedPeer& peer, std::string method, std::string path) {
  HttpRequest r;
  r.method = std::move(method);
  r.base_url = peer.base_url();
  r.host = peer.host();
  r.encoded_path = std::move(path);
  return r;
}

HttpEngineOptions options(size_t max_in_flight) {
  HttpEngineOptions o;
  o.max_in_flight = max_in_flight;
  return o;
}

HttpResponse run(HttpEngine& engine, HttpRequest req, BodySink sink = nullptr) {
  std::promise<HttpResponse> p;
  auto f = p.get_future();
  engine.submit(
      std::move(req), [&p](HttpResponse&& r) { p.set_value(std::move(r)); }, std::move(sink));
  if (f.wait_for(30s) != std::future_status::ready) throw std::runtime_error("request did not complete");
  return f.get();
}

// Counts completions; wait() blocks until the expected number arrived.
class Latch {
 public:
  explicit Latch(size_t n) : left_(n) {}
  void count_down() {
    std::lock_guard lock(m_);
    if (--left_ == 0) cv_.notify_all();
  }
  bool wait(std::chrono::seconds timeout = 60s) {
    std::unique_lock lock(m_);
    return cv_.wait_for(lock, timeout, [&] { return left_ == 0; });
  }

 private:
  std::mutex m_;
  std::condition_variable cv_;
  size_t left_;
};

std::string pattern(size_t n) {
  static const std::string kPattern = "0123456789abcdef";
  std::string s;
  s.reserve(n);
  for (size_t i = 0; i < n; ++i) s.push_back(kPattern[i % kPattern.size()]);
  return s;
}

TEST(HttpEngine, RoundTripsEveryMethodWithHeadersAndBodies) {
  ScriptedPeer peer(json::parse(R"([
    {"method": "GET", "path": "/bucket/a%20b",
     "responses": [{"status": 200, "headers": {"ETag": "\"e1\"", "X-Amz-Request-Id": "R1"}, "body": "hello"}]},
    {"method": "PUT", "path": "/bucket/put", "responses": [{"status": 200, "headers": {"ETag": "\"p\""}}]},
    {"method": "HEAD", "path": "/bucket/head",
     "responses": [{"status": 200, "headers": {"Content-Length": "1234", "Last-Modified": "x"}}]},
    {"method": "POST", "path": "/bucket/post", "responses": [{"status": 200, "echo": true}]},
    {"method": "DELETE", "path": "/bucket/del", "responses": [{"status": 204}]}
  ])"));
  HttpEngine engine(options(4));

  {
    auto req = make_request(peer, "GET", "/bucket/a%20b");
    req.query = {{"list-type", "2"}, {"prefix", "a b"}};
    req.headers = {{"X-Amz-Date", "20240101T000000Z"}, {"x-custom", "v1"}, {"X-Empty", ""}};
    const auto r = run(engine, req);
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.transport_error, 0);
    EXPECT_EQ(r.body, "hello");
    EXPECT_EQ(r.header("etag"), "\"e1\"");
    EXPECT_EQ(r.header("x-amz-request-id"), "R1");
    for (const auto& [name, value] : r.headers) {
      for (char c : name) EXPECT_FALSE(c >= 'A' && c <= 'Z') << name;
    }
  }
  {
    auto req = make_request(peer, "PUT", "/bucket/put");
    req.body = std::make_shared<const std::string>("put body");
    req.headers = {{"Content-MD5", "abc=="}};
    const auto r = run(engine, req);
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.header("ETag"), "\"p\"");
  }
  {
    auto req = make_request(peer, "PUT", "/bucket/put");  // empty body: Content-Length: 0
    EXPECT_EQ(run(engine, req).status, 200);
  }
  {
    auto req = make_request(peer, "PUT", "/bucket/put");  // large body (read callback path)
    req.body = std::make_shared<const std::string>(pattern(3 << 20));
    EXPECT_EQ(run(engine, req).status, 200);
  }
  {
    const auto r = run(engine, make_request(peer, "HEAD", "/bucket/head"));
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.header("content-length"), "1234");
    EXPECT_TRUE(r.body.empty());
  }
  {
    auto req = make_request(peer, "POST", "/bucket/post");
    req.query = {{"uploads", ""}};
    const auto r = run(engine, req);  // no body, no content type
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.body, "");
  }
  {
    auto req = make_request(peer, "POST", "/bucket/post");
    req.query = {{"uploadId", "u 1"}};
    req.body = std::make_shared<const std::string>("<CompleteMultipartUpload/>");
    req.headers = {{"Content-Type", "application/xml"}};
    const auto r = run(engine, req);
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.body, "<CompleteMultipartUpload/>");
  }
  {
    auto req = make_request(peer, "POST", "/bucket/post");  // body without a content type
    req.body = std::make_shared<const std::string>("<Delete/>");
    EXPECT_EQ(run(engine, req).body, "<Delete/>");
  }
  {
    const auto r = run(engine, make_request(peer, "DELETE", "/bucket/del"));
    EXPECT_EQ(r.status, 204);
  }
  {
    const auto r = run(engine, make_request(peer, "GET", "/unscripted"));
    EXPECT_EQ(r.status, 404);
    EXPECT_NE(r.body.find("NoRule"), std::string::npos);
  }

  const auto log = peer.log();
  ASSERT_EQ(log.size(), 10u);
  for (const auto& entry : log) {
    const auto& h = entry["headers"];
    EXPECT_EQ(h["host"], peer.host()) << entry.dump();
    EXPECT_FALSE(h.contains("expect")) << entry.dump();
    EXPECT_FALSE(h.contains("accept")) << entry.dump();
    EXPECT_FALSE(h.contains("transfer-encoding")) << entry.dump();
    for (const auto& [name, value] : h.items()) {
      // Anything curl adds on its own must not be an x-amz-* header (those are signed).
      if (name.rfind("x-amz-", 0) == 0) {
        EXPECT_EQ(name, "x-amz-date");
      }
    }
  }
  EXPECT_EQ(log[0]["method"], "GET");
  EXPECT_EQ(log[0]["path"], "/bucket/a%20b");
  EXPECT_EQ(log[0]["query"], "list-type=2&prefix=a%20b");
  EXPECT_EQ(log[0]["headers"]["x-amz-date"], "20240101T000000Z");
  EXPECT_EQ(log[0]["headers"]["x-custom"], "v1");
  EXPECT_EQ(log[0]["headers"]["x-empty"], "");

  EXPECT_EQ(log[1]["method"], "PUT");
  EXPECT_EQ(log[1]["body"], "put body");
  EXPECT_EQ(log[1]["headers"]["content-length"], "8");
  EXPECT_EQ(log[1]["headers"]["content-md5"], "abc==");
  EXPECT_FALSE(log[1]["headers"].contains("content-type"));

  EXPECT_EQ(log[2]["headers"]["content-length"], "0");
  EXPECT_EQ(log[2]["body_len"], 0);

  EXPECT_EQ(log[3]["body_len"], 3 << 20);
  EXPECT_EQ(log[3]["headers"]["content-length"], std::to_string(3 << 20));

  EXPECT_EQ(log[4]["method"], "HEAD");

  EXPECT_EQ(log[5]["method"], "POST");
  EXPECT_EQ(log[5]["query"], "uploads=");
  EXPECT_EQ(log[5]["headers"]["content-length"], "0");
  EXPECT_FALSE(log[5]["headers"].contains("content-type"));

  EXPECT_EQ(log[6]["query"], "uploadId=u%201");
  EXPECT_EQ(log[6]["body"], "<CompleteMultipartUpload/>");
  EXPECT_EQ(log[6]["headers"]["content-type"], "application/xml");

  EXPECT_FALSE(log[7]["headers"].contains("content-type"));
  EXPECT_EQ(log[7]["body"], "<Delete/>");

  EXPECT_EQ(log[8]["method"], "DELETE");
  EXPECT_FALSE(log[8]["headers"].contains("content-length"));
}

TEST(HttpEngine, ScriptedResponsesAreConsumedInOrderAndTheLastRepeats) {
  ScriptedPeer peer(json::parse(R"([{"path": "/k", "responses": [
      {"status": 503, "times": 2, "body": "<Error><Code>SlowDown</Code></Error>"},
      {"status": 500},
      {"status": 200, "body": "ok"}]}])"));
  HttpEngine engine;
  std::vector<long> statuses;
  for (int i = 0; i < 5; ++i) statuses.push_back(run(engine, make_request(peer, "GET", "/k")).status);
  EXPECT_EQ(statuses, (std::vector<long>{503, 503, 500, 200, 200}));
}

TEST(HttpEngine, ThousandRequestsStayWithinMaxInFlightAndReuseConnections) {
  // Each answer waits 10 ms, so requests overlap at the peer whatever the machine's load: without
  // it a peer that answers faster than requests arrive sees one at a time, parallel or not.
  ScriptedPeer peer(
      json::parse(R"([{"path": "/obj/.*", "responses": [{"status": 200, "body": "x", "delay": 0.01}]}])"));
  HttpEngine engine(options(8));
  constexpr size_t kN = 1000;
  Latch latch(kN);
  std::atomic<size_t> ok{0};
  const auto start = std::chrono::steady_clock::now();
  for (size_t i = 0; i < kN; ++i) {
    engine.submit(make_request(peer, "GET", "/obj/" + std::to_string(i)), [&](HttpResponse&& r) {
      if (r.status == 200 && r.body == "x") ok++;
      latch.count_down();
    });
  }
  ASSERT_TRUE(latch.wait());
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  RecordProperty("requests_per_second", static_cast<int>(kN / secs));
  EXPECT_EQ(ok.load(), kN);

  const auto log = peer.log();
  ASSERT_EQ(log.size(), kN);
  int max_in_flight = 0;
  std::set<int> connections;
  for (const auto& e : log) {
    max_in_flight = std::max(max_in_flight, e["in_flight"].get<int>());
    connections.insert(e["conn"].get<int>());
  }
  RecordProperty("max_in_flight_seen", max_in_flight);
  RecordProperty("connections", static_cast<int>(connections.size()));
  EXPECT_LE(max_in_flight, 8);
  EXPECT_GE(max_in_flight, 2);  // it did run requests in parallel
  EXPECT_LE(connections.size(), 16u);
}

TEST(HttpEngine, TransportFailuresAreReportedWithCurlCodes) {
  ScriptedPeer peer(json::parse(R"([
    {"path": "/reset", "responses": [{"action": "reset"}]},
    {"path": "/truncate", "responses": [{"action": "truncate", "body_size": 100000}]},
    {"path": "/close", "responses": [{"action": "close"}]},
    {"path": "/ok", "responses": [{"status": 200, "body": "fine"}]}
  ])"));
  HttpEngine engine(options(2));

  const auto reset = run(engine, make_request(peer, "GET", "/reset"));
  EXPECT_EQ(reset.status, 0);
  EXPECT_NE(reset.transport_error, 0);
  EXPECT_FALSE(reset.transport_message.empty());

  const auto truncated = run(engine, make_request(peer, "GET", "/truncate"));
  EXPECT_EQ(truncated.status, 0);
  EXPECT_NE(truncated.transport_error, 0);
  EXPECT_TRUE(truncated.body.empty());

  const auto closed = run(engine, make_request(peer, "PUT", "/close"));
  EXPECT_EQ(closed.status, 0);
  EXPECT_EQ(closed.transport_error, CURLE_GOT_NOTHING);

  // The engine is still usable afterwards.
  EXPECT_EQ(run(engine, make_request(peer, "GET", "/ok")).body, "fine");

  // Nobody listening.
  const int port = peer.port();
  peer.stop();
  auto req = make_request(peer, "GET", "/ok");
  req.base_url = "http://127.0.0.1:" + std::to_string(port);
  const auto refused = run(engine, req);
  EXPECT_EQ(refused.status, 0);
  EXPECT_EQ(refused.transport_error, CURLE_COULDNT_CONNECT);
}

TEST(HttpEngine, ServerClosingAKeptAliveConnectionIsNotAFailure) {
  ScriptedPeer peer(
      json::parse(R"([{"path": "/k", "responses": [{"status": 200, "echo": true, "close_after": true}]}])"));
  HttpEngine engine(options(1));
  for (int i = 0; i < 5; ++i) {
    auto req = make_request(peer, "PUT", "/k");
    req.body = std::make_shared<const std::string>(pattern(100000 + i));
    const auto r = run(engine, req);
    EXPECT_EQ(r.status, 200) << r.transport_message;
    EXPECT_EQ(r.body.size(), 100000u + i);
    if (i % 2 == 0) std::this_thread::sleep_for(20ms);  // else race the close: curl must resend
  }
  std::set<int> connections;
  for (const auto& e : peer.log()) connections.insert(e["conn"].get<int>());
  EXPECT_EQ(connections.size(), 5u);
}

TEST(HttpEngine, LowSpeedLimitCutsAStalledResponse) {
  ScriptedPeer peer(json::parse(R"([{"path": "/stall", "responses": [{"delay": 5, "status": 200}]}])"));
  auto opts = options(1);
  opts.low_speed_time_s = 1;
  HttpEngine engine(opts);
  const auto start = std::chrono::steady_clock::now();
  const auto r = run(engine, make_request(peer, "GET", "/stall"));
  EXPECT_EQ(r.status, 0);
  EXPECT_EQ(r.transport_error, CURLE_OPERATION_TIMEDOUT);
  EXPECT_LT(std::chrono::steady_clock::now() - start, 4s);
}

TEST(HttpEngine, BodySinkReceivesTheBodyAndCanAbort) {
  ScriptedPeer peer(json::parse(R"([
    {"path": "/big", "responses": [{"status": 200, "body_size": 1048576}]},
    {"path": "/missing", "responses": [{"status": 404, "body": "<Error><Code>NoSuchKey</Code></Error>"}]}
  ])"));
  HttpEngine engine(options(2));

  std::string got;
  size_t calls = 0;
  auto r = run(engine, make_request(peer, "GET", "/big"), [&](const char* data, size_t size) {
    got.append(data, size);
    calls++;
    return true;
  });
  EXPECT_EQ(r.status, 200);
  EXPECT_TRUE(r.body.empty());
  EXPECT_EQ(got, pattern(1 << 20));
  EXPECT_GE(calls, 1u);

  size_t aborted_after = 0;
  r = run(engine, make_request(peer, "GET", "/big"), [&](const char*, size_t size) {
    aborted_after += size;
    return false;
  });
  EXPECT_EQ(r.status, 0);
  EXPECT_EQ(r.transport_error, CURLE_WRITE_ERROR);
  EXPECT_LT(aborted_after, size_t{1} << 20);

  r = run(engine, make_request(peer, "GET", "/big"),
          [&](const char*, size_t) -> bool { throw std::runtime_error("disk full"); });
  EXPECT_EQ(r.transport_error, CURLE_WRITE_ERROR);
  EXPECT_NE(r.transport_message.find("disk full"), std::string::npos);

  // An error body is not fed to the sink: the caller gets it to parse.
  bool sink_called = false;
  r = run(engine, make_request(peer, "GET", "/missing"), [&](const char*, size_t) {
    sink_called = true;
    return true;
  });
  EXPECT_EQ(r.status, 404);
  EXPECT_FALSE(sink_called);
  EXPECT_NE(r.body.find("NoSuchKey"), std::string::npos);

  // Still usable.
  EXPECT_EQ(run(engine, make_request(peer, "GET", "/big")).body.size(), size_t{1} << 20);
}

TEST(HttpEngine, TimersFireInDeadlineOrderAndOnTime) {
  HttpEngine engine;
  std::mutex m;
  std::vector<std::pair<int, std::chrono::steady_clock::duration>> fired;
  Latch latch(6);
  const auto start = std::chrono::steady_clock::now();
  auto add = [&](int id, std::chrono::milliseconds delay) {
    engine.schedule(delay, [&, id] {
      {
        std::lock_guard lock(m);
        fired.emplace_back(id, std::chrono::steady_clock::now() - start);
      }
      latch.count_down();
    });
  };
  add(150, 150ms);
  add(50, 50ms);
  add(100, 100ms);
  add(0, 0ms);
  add(1, 0ms);  // same delay as 0, scheduled after it: runs after it
  // A timer scheduled from a timer (as a retry would be).
  engine.schedule(20ms, [&] {
    engine.schedule(60ms, [&] {
      {
        std::lock_guard lock(m);
        fired.emplace_back(80, std::chrono::steady_clock::now() - start);
      }
      latch.count_down();
    });
  });
  ASSERT_TRUE(latch.wait(10s));
  std::lock_guard lock(m);
  // Never early; late only by scheduling noise (the bound is loose: the machine may be loaded).
  // The nested timer's deadline depends on when its parent ran, so it is not in the strict order.
  std::vector<int> order;
  for (const auto& [id, at] : fired) {
    if (id != 80) order.push_back(id);
    const auto due = std::chrono::milliseconds(id == 1 ? 0 : id);  // id = delay in ms, except 1
    EXPECT_GE(at, due) << id;
    EXPECT_LT(at, due + 2s) << id;
  }
  EXPECT_EQ(order, (std::vector<int>{0, 1, 50, 100, 150}));
  EXPECT_EQ(fired.size(), 6u);
}

TEST(HttpEngine, CallbacksRunOnTheLoopThreadAndMayResubmit) {
  ScriptedPeer peer(json::parse(
      R"([{"path": "/r", "responses": [{"status": 503, "times": 2}, {"status": 200, "body": "ok"}]}])"));
  HttpEngine engine(options(2));
  std::promise<std::pair<HttpResponse, int>> done;
  std::thread::id loop_thread;
  std::atomic<bool> same_thread{true};
  std::function<void(int)> attempt = [&](int n) {
    engine.submit(make_request(peer, "GET", "/r"), [&, n](HttpResponse&& r) {
      if (loop_thread == std::thread::id()) loop_thread = std::this_thread::get_id();
      if (loop_thread != std::this_thread::get_id()) same_thread = false;
      if (r.status == 503) {
        engine.schedule(10ms, [&, n] { attempt(n + 1); });  // back off, then retry
        return;
      }
      done.set_value({std::move(r), n});
    });
  };
  attempt(1);
  auto f = done.get_future();
  ASSERT_EQ(f.wait_for(10s), std::future_status::ready);
  auto [r, attempts] = f.get();
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(attempts, 3);
  EXPECT_TRUE(same_thread);
  EXPECT_NE(loop_thread, std::this_thread::get_id());
}

TEST(HttpEngine, DestructorFailsQueuedAndInFlightRequests) {
  ScriptedPeer peer(json::parse(R"([{"path": "/slow", "responses": [{"delay": 30, "status": 200}]}])"));
  std::atomic<int> shut_down{0}, other{0}, timers_run{0};
  auto engine = std::make_unique<HttpEngine>(options(2));
  for (int i = 0; i < 10; ++i) {
    engine->submit(make_request(peer, "GET", "/slow"), [&](HttpResponse&& r) {
      if (HttpEngine::is_shutdown(r) && r.status == 0 && r.transport_message == "engine shut down") {
        shut_down++;
      } else {
        other++;
      }
    });
  }
  engine->schedule(10s, [&] { timers_run++; });
  // Wait until two requests are in flight at the peer.
  for (int i = 0; i < 200 && peer.log().size() < 2; ++i) std::this_thread::sleep_for(10ms);
  EXPECT_EQ(peer.log().size(), 2u);
  const auto start = std::chrono::steady_clock::now();
  engine.reset();
  EXPECT_LT(std::chrono::steady_clock::now() - start, 2s);
  EXPECT_EQ(shut_down.load(), 10);
  EXPECT_EQ(other.load(), 0);
  EXPECT_EQ(timers_run.load(), 0);
}

TEST(HttpEngine, DestructorFailsWhatCompletionsSubmitDuringShutdown) {
  ScriptedPeer peer(json::parse(R"([{"path": "/slow", "responses": [{"delay": 30, "status": 200}]}])"));
  std::atomic<int> completions{0};
  {
    // Declared before the engine: completions run while the engine is being destroyed.
    std::function<void(int)> attempt;
    HttpEngine engine(options(1));
    attempt = [&](int n) {
      engine.submit(make_request(peer, "GET", "/slow"), [&, n](HttpResponse&& r) {
        completions++;
        EXPECT_EQ(r.status, 0);
        if (n < 3) attempt(n + 1);  // a naive retry: must still terminate
      });
    };
    attempt(1);
    std::this_thread::sleep_for(100ms);
  }
  EXPECT_EQ(completions.load(), 3);
}

TEST(HttpEngine, SubmitFromManyThreads) {
  ScriptedPeer peer(json::parse(R"([{"path": "/t/.*", "responses": [{"status": 200, "echo": true}]}])"));
  HttpEngine engine(options(8));
  constexpr int kThreads = 4, kPerThread = 100;
  Latch latch(kThreads * kPerThread);
  std::atomic<int> ok{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        const std::string id = std::to_string(t) + "-" + std::to_string(i);
        auto req = make_request(peer, "PUT", "/t/" + id);
        req.body = std::make_shared<const std::string>(id);
        engine.submit(std::move(req), [&, id](HttpResponse&& r) {
          if (r.status == 200 && r.body == id) ok++;
          latch.count_down();
        });
      }
    });
  }
  for (auto& th : threads) th.join();
  ASSERT_TRUE(latch.wait());
  EXPECT_EQ(ok.load(), kThreads * kPerThread);
  EXPECT_EQ(peer.log().size(), static_cast<size_t>(kThreads * kPerThread));
}

}  // namespace
}  // namespace s3tar::s3
