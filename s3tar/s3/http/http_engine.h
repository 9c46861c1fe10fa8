// One event loop over the libcurl multi interface: bounded requests in flight, reused
// connections, timers for retry back-off. No thread per request.
//
// Guarantees:
// - Every submitted request completes exactly once, on the loop thread: with an HTTP response
//   (status != 0), or with a transport failure (status 0, transport_error = CURLcode,
//   transport_message = curl's error text). Redirects are not followed.
// - At most max_in_flight transfers run at once, and to one host at most that host's
//   throttling-aware limit (aimd_limit.h: halved on a throttling answer, grown back by answers
//   that are not). The rest wait in submission order (FIFO); a transfer to a host at its limit
//   lets later transfers to other hosts go first. Easy handles and connections (HTTP/1.1
//   keep-alive) are reused.
// - Response headers are those of the final response only, names lowercased.
// - The destructor completes every queued and in-flight request with status 0,
//   transport_error = kShutdownError and the message "engine shut down"; scheduled tasks that
//   have not run yet are destroyed without running.
// - cancel() (or the stop flag becoming true) completes every cancellable request, queued or in
//   flight, with status 0, transport_error = kShutdownError and the message "cancelled by a stop
//   request", and runs every cancellable scheduled task at once (a retry waiting for its back-off
//   then sees the stop and gives up). Requests that are not cancellable (cleanup calls such as an
//   AbortMultipartUpload after the stop) go on.
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "s3tar/s3/http/http_message.h"

namespace s3tar::s3 {

struct HttpEngineOptions {
  size_t max_in_flight = 64;  // 0 is treated as 1
  long connect_timeout_ms = 10'000;
  // A transfer slower than 1 byte/s for this long is cut (RequestTimeout-like, retryable).
  long low_speed_time_s = 60;
  bool verify_tls = true;
  std::string ca_bundle;  // empty = system default
  // Set by a signal handler: when it becomes true the engine cancels (seen within kStopPollMs).
  const std::atomic<bool>* stop_flag = nullptr;
  // Throttling-aware concurrency: false keeps max_in_flight whatever the server answers.
  bool adapt_to_throttling = true;
  // Whether an answer asks the client to slow down (runs on the loop thread; must not throw).
  // Default: HTTP 503 or 429.
  std::function<bool(const HttpResponse&)> is_throttled;
};

// What throttling did to the requests in flight, since the engine started. Thread-safe reads.
struct ThrottleStats {
  std::atomic<uint64_t> throttled{0};     // answers flagged as throttling
  std::atomic<uint64_t> decreases{0};     // times a host's limit was halved
  std::atomic<uint64_t> lowest_limit{0};  // the lowest limit any host had (max_in_flight if none)
};

class HttpEngine {
 public:
  using Completion = std::function<void(HttpResponse&&)>;

  // transport_error of requests completed by the destructor (CURLE_ABORTED_BY_CALLBACK).
  static constexpr int kShutdownError = 42;
  // How often the loop looks at HttpEngineOptions::stop_flag.
  static constexpr int kStopPollMs = 100;

  explicit HttpEngine(HttpEngineOptions options = {});
  // Completes every pending request with a transport error, joins the loop. Must not be called
  // from a completion, sink or scheduled task (that is, from the loop thread).
  ~HttpEngine();
  HttpEngine(const HttpEngine&) = delete;
  HttpEngine& operator=(const HttpEngine&) = delete;

  // Thread-safe. on_done runs on the loop thread and must neither block nor throw (an exception
  // escaping it or a scheduled task ends the process); sink (optional) too. The sink
  // receives the body of a 2xx response only (HttpResponse::body then stays empty); any other
  // body (an S3 <Error>) goes to HttpResponse::body. A sink that returns false (or throws) aborts
  // the transfer: on_done gets a transport error (CURLE_WRITE_ERROR). Completions may call
  // submit() and schedule() (that is how retries are made).
  void submit(HttpRequest request, Completion on_done, BodySink sink = nullptr);
  // Thread-safe. Runs task on the loop thread after delay (used for retry back-off). Tasks with
  // the same deadline run in the order they were scheduled. A cancellable task runs early, at
  // once, when the engine is cancelled.
  void schedule(std::chrono::steady_clock::duration delay, std::function<void()> task,
                bool cancellable = false);
  // Thread-safe, idempotent: ends the cancellable requests and back-offs (see above); requests
  // submitted later that are cancellable complete at once the same way.
  void cancel();
  // True on the loop thread (in a completion, sink or scheduled task).
  bool on_loop_thread() const;

  const HttpEngineOptions& options() const { return options_; }
  const ThrottleStats& throttle_stats() const;

  // True when the response is one the destructor produced (do not retry it).
  static bool is_shutdown(const HttpResponse& response) {
    return response.status == 0 && response.transport_error == kShutdownError &&
           response.transport_message == "engine shut down";
  }
  // True when the response is one cancel() produced.
  static bool is_cancelled(const HttpResponse& response) {
    return response.status == 0 && response.transport_error == kShutdownError &&
           response.transport_message == "cancelled by a stop request";
  }

 private:
  struct Impl;
  HttpEngineOptions options_;
  std::unique_ptr<Impl> impl_;
};

}  // namespace s3tar::s3
