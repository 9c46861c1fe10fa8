#include "s3tar/s3/retry.h"

#include <curl/curl.h>

#include <algorithm>
#include <array>
#include <cstdlib>
#include <stdexcept>
#include <string_view>

#include "s3tar/s3/http/transport_failure.h"

namespace s3tar::s3 {
namespace {

constexpr std::array<std::string_view, 11> kThrottlingCodes = {"SlowDown",
                                                               "Throttling",
                                                               "ThrottlingException",
                                                               "ThrottledException",
                                                               "RequestThrottledException",
                                                               "TooManyRequestsException",
                                                               "ProvisionedThroughputExceededException",
                                                               "TransactionInProgressException",
                                                               "RequestLimitExceeded",
                                                               "BandwidthLimitExceeded",
                                                               "RequestThrottled"};

// ConditionalRequestConflict: a conditional write raced another; S3 says to try again.
constexpr std::array<std::string_view, 6> kTransientCodes = {
    "ConditionalRequestConflict", "RequestTimeout", "RequestTimeoutException",
    "PriorRequestNotComplete",    "InternalError",  "BadDigest"};

template <size_t N>
bool contains(const std::array<std::string_view, N>& set, const std::string& code) {
  return std::find(set.begin(), set.end(), code) != set.end();
}

}  // namespace

ErrorKind classify_error(long status, int transport_error, const std::string& s3_code, long proxy_status,
                         bool through_proxy) {
  if (status == 0) {
    switch (classify_transport_failure(transport_error, proxy_status, through_proxy)) {
      case TransportFailure::Timeout:
        return ErrorKind::Timeout;
      // A transfer we aborted ourselves (a body sink said stop) is not worth retrying, nor is
      // a certificate we do not accept or a tunnel the proxy refuses: fail fast.
      case TransportFailure::Aborted:
      case TransportFailure::TlsCertificate:
      case TransportFailure::ProxyRefused:
        return ErrorKind::Permanent;
      default:
        return ErrorKind::Transient;
    }
  }
  if (!s3_code.empty()) {
    if (contains(kThrottlingCodes, s3_code)) return ErrorKind::Throttling;
    if (s3_code == "RequestTimeTooSkewed") return ErrorKind::ClockSkew;
    if (s3_code == "ExpiredToken" || s3_code == "ExpiredTokenException" || s3_code == "TokenRefreshRequired")
      return ErrorKind::ExpiredToken;
    if (contains(kTransientCodes, s3_code)) return ErrorKind::Transient;
  }
  if (status == 429) return ErrorKind::Throttling;
  if (status == 500 || status == 502 || status == 503 || status == 504) return ErrorKind::Transient;
  if (status >= 200 && status < 300 && s3_code.empty()) return ErrorKind::None;
  return ErrorKind::Permanent;
}

bool is_retryable(ErrorKind kind) { return kind != ErrorKind::None && kind != ErrorKind::Permanent; }

std::chrono::milliseconds backoff_delay(const RetryConfig& cfg, ErrorKind kind, int attempt,
                                        std::mt19937_64& rng) {
  if (kind == ErrorKind::ClockSkew || kind == ErrorKind::ExpiredToken) return std::chrono::milliseconds(0);
  const auto base = kind == ErrorKind::Throttling ? cfg.throttle_base : cfg.base;
  const int exp = std::clamp(attempt - 1, 0, 30);
  const double cap = std::min<double>(static_cast<double>(base.count()) * static_cast<double>(1ULL << exp),
                                      static_cast<double>(cfg.max_backoff.count()));
  std::uniform_real_distribution<double> jitter(0.0, 1.0);
  return std::chrono::milliseconds(static_cast<long long>(jitter(rng) * cap));
}

RetryQuota::RetryQuota(const RetryConfig& cfg) : cfg_(cfg), tokens_(cfg.quota_capacity) {}

bool RetryQuota::acquire(ErrorKind kind, int& cost_taken) {
  if (cfg_.mode == RetryMode::Legacy) return true;  // legacy mode has no retry quota
  const int cost = kind == ErrorKind::Timeout ? cfg_.timeout_cost : cfg_.retry_cost;
  std::lock_guard lock(mu_);
  if (tokens_ < cost) return false;
  tokens_ -= cost;
  cost_taken += cost;
  return true;
}

void RetryQuota::on_success(int cost_taken) {
  std::lock_guard lock(mu_);
  tokens_ = std::min(cfg_.quota_capacity, tokens_ + (cost_taken > 0 ? cost_taken : 1));
}

int RetryQuota::available() const {
  std::lock_guard lock(mu_);
  return tokens_;
}

RetryStrategy::RetryStrategy(RetryConfig config, const std::atomic<bool>* stop_flag)
    : config_(std::move(config)), stop_flag_(stop_flag), quota_(config_), rng_(std::random_device{}()) {}

RetryState RetryStrategy::begin(bool cleanup) const {
  RetryState s;
  s.cleanup = cleanup;
  if (cleanup) s.deadline = std::chrono::steady_clock::now() + config_.cleanup_deadline;
  return s;
}

bool RetryStrategy::may_send(const RetryState& s) const {
  if (s.cleanup) return std::chrono::steady_clock::now() < s.deadline;
  return !stopped();
}

RetryDecision RetryStrategy::on_failure(RetryState& s, ErrorKind kind) {
  RetryDecision d;
  if (!is_retryable(kind)) {
    d.gave_up = "not retryable";
    return d;
  }
  if (!s.cleanup && stopped()) {
    d.gave_up = "stopped";
    return d;
  }
  const int max_attempts = s.cleanup ? config_.cleanup_max_attempts : config_.max_attempts;
  if (s.attempts >= max_attempts) {
    d.gave_up = "attempts exhausted";
    return d;
  }
  if (kind == ErrorKind::ExpiredToken) {
    // One retry with reloaded credentials; a second ExpiredToken means they are not refreshable.
    if (s.refreshed_credentials) {
      d.gave_up = "credentials expired again after a reload";
      return d;
    }
    s.refreshed_credentials = true;
  }
  d.delay = delay_for(kind, s.attempts);
  if (s.cleanup) {
    if (std::chrono::steady_clock::now() + d.delay >= s.deadline) {
      d.gave_up = "cleanup deadline reached";
      return d;
    }
  } else if (kind != ErrorKind::ClockSkew && kind != ErrorKind::ExpiredToken &&
             !quota_.acquire(kind, s.quota_cost)) {
    d.gave_up = "retry quota exhausted";
    return d;
  }
  d.retry = true;
  return d;
}

void RetryStrategy::on_success(const RetryState& s) {
  if (!s.cleanup) quota_.on_success(s.quota_cost);
}

std::chrono::milliseconds RetryStrategy::delay_for(ErrorKind kind, int attempt) {
  std::lock_guard lock(rng_mu_);
  return backoff_delay(config_, kind, attempt, rng_);
}

}  // namespace s3tar::s3
