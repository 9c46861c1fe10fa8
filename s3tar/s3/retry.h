// Retry policy like the AWS SDKs' "standard" mode: exponential back-off with full jitter,
// a longer base for throttling, and a retry quota (token bucket) that stops retry storms.
// RetryStrategy puts them together for the client, with cancellation and cleanup calls.
#pragma once

#include <atomic>
#include <chrono>
#include <mutex>
#include <random>
#include <string>

namespace s3tar::s3 {

enum class RetryMode { Standard, Legacy, Adaptive };

struct RetryConfig {
  int max_attempts = 3;  // total attempts, including the first
  RetryMode mode = RetryMode::Standard;
  std::chrono::milliseconds base{50};
  std::chrono::milliseconds throttle_base{1000};
  std::chrono::milliseconds max_backoff{20'000};
  int quota_capacity = 500;
  int retry_cost = 5;
  int timeout_cost = 10;
  // Cleanup calls (AbortMultipartUpload after a failure or a stop) have a budget of their own:
  // they do not draw on the shared quota (a throttling storm that emptied it is exactly when an
  // abort must still be retried), a stop request does not end them, and they give up at a short
  // overall deadline so that a stopped process exits well within a container's stop timeout.
  int cleanup_max_attempts = 6;
  std::chrono::milliseconds cleanup_deadline{6'000};
};

enum class ErrorKind {
  None,          // success
  Transient,     // 5xx, connection reset, BadDigest, RequestTimeout
  Throttling,    // SlowDown, 503 throttling codes, 429
  Timeout,       // transfer timed out
  ClockSkew,     // RequestTimeTooSkewed: retry after correcting the clock offset
  ExpiredToken,  // refresh credentials and retry
  Permanent,     // everything else: 4xx (403, 404, 412, ...)
};

// status 0 = no HTTP response (transport_error is the CURLcode).
// For status 0, proxy_status and through_proxy say whether the failure was at a proxy
// (s3tar/s3/http/transport_failure.h): a certificate not accepted or a proxy refusing the tunnel
// is Permanent, an unreachable proxy Transient.
ErrorKind classify_error(long status, int transport_error, const std::string& s3_code, long proxy_status = 0,
                         bool through_proxy = false);
bool is_retryable(ErrorKind kind);

// Full-jitter delay before attempt number `attempt` + 1 (attempt counts from 1).
std::chrono::milliseconds backoff_delay(const RetryConfig& cfg, ErrorKind kind, int attempt,
                                        std::mt19937_64& rng);

// Shared by every request of one client.
class RetryQuota {
 public:
  explicit RetryQuota(const RetryConfig& cfg);
  // Takes tokens for one retry; false when the budget is spent (then: fail, don't retry).
  bool acquire(ErrorKind kind, int& cost_taken);
  // After a success: refunds what the request's retries took, or one token.
  void on_success(int cost_taken);
  int available() const;

 private:
  const RetryConfig cfg_;
  mutable std::mutex mu_;
  int tokens_;
};

// The retry state of one call (one operation and its attempts).
struct RetryState {
  int attempts = 0;    // attempts started
  int quota_cost = 0;  // tokens its retries took from the shared quota
  bool cleanup = false;
  bool refreshed_credentials = false;
  // Cleanup calls give up here (steady clock); max() = no deadline.
  std::chrono::steady_clock::time_point deadline = std::chrono::steady_clock::time_point::max();
};

struct RetryDecision {
  bool retry = false;
  std::chrono::milliseconds delay{0};
  const char* gave_up = "";  // why not, when !retry: "not retryable", "attempts exhausted", ...
};

// Decides, call by call, whether a failed attempt is tried again and when; owns the shared retry
// quota and sees cancellation: once stopped (stop(), or the watched flag set by a signal handler)
// no call starts another attempt, except cleanup calls within their deadline. Thread-safe.
class RetryStrategy {
 public:
  explicit RetryStrategy(RetryConfig config, const std::atomic<bool>* stop_flag = nullptr);

  // The state of a new call; cleanup calls get their deadline.
  RetryState begin(bool cleanup) const;
  // May the call send an(other) attempt now?
  bool may_send(const RetryState& state) const;
  // After a failed attempt: try again after `delay`, or give up.
  RetryDecision on_failure(RetryState& state, ErrorKind kind);
  void on_success(const RetryState& state);

  void stop() { stopped_ = true; }
  bool stopped() const { return stopped_ || (stop_flag_ && stop_flag_->load()); }
  const RetryConfig& config() const { return config_; }
  int quota_available() const { return quota_.available(); }

 private:
  std::chrono::milliseconds delay_for(ErrorKind kind, int attempt);

  const RetryConfig config_;
  const std::atomic<bool>* const stop_flag_;
  std::atomic<bool> stopped_{false};
  RetryQuota quota_;
  std::mutex rng_mu_;
  std::mt19937_64 rng_;
};

}  // namespace s3tar::s3
