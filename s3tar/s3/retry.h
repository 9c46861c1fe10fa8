// Retry policy like the AWS SDKs' "standard" mode: exponential back-off with full jitter,
// a longer base for throttling, and a retry quota (token bucket) that stops retry storms.
#pragma once

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

}  // namespace s3tar::s3
