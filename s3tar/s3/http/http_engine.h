// One event loop over the libcurl multi interface: bounded requests in flight, reused
// connections, timers for retry back-off. No thread per request.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>

#include "s3tar/s3/http/http_message.h"

namespace s3tar::s3 {

struct HttpEngineOptions {
  size_t max_in_flight = 64;
  long connect_timeout_ms = 10'000;
  // A transfer slower than 1 byte/s for this long is cut (RequestTimeout-like, retryable).
  long low_speed_time_s = 60;
  bool verify_tls = true;
  std::string ca_bundle;  // empty = system default
};

class HttpEngine {
 public:
  using Completion = std::function<void(HttpResponse&&)>;

  explicit HttpEngine(HttpEngineOptions options = {});
  ~HttpEngine();  // completes every pending request with a transport error, joins the loop
  HttpEngine(const HttpEngine&) = delete;
  HttpEngine& operator=(const HttpEngine&) = delete;

  // Thread-safe. on_done runs on the loop thread and must not block; sink (optional) too.
  void submit(HttpRequest request, Completion on_done, BodySink sink = nullptr);
  // Thread-safe. Runs task on the loop thread after delay (used for retry back-off).
  void schedule(std::chrono::steady_clock::duration delay, std::function<void()> task);

  const HttpEngineOptions& options() const { return options_; }

 private:
  struct Impl;
  HttpEngineOptions options_;
  std::unique_ptr<Impl> impl_;
};

}  // namespace s3tar::s3
