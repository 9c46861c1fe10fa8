#include "s3tar/s3/retry.h"

#include <curl/curl.h>
#include <gtest/gtest.h>

#include <cstdlib>

namespace s3tar::s3 {
namespace {

TEST(ClassifyError, ServerErrorsAndNetworkFailuresAreTransient) {
  EXPECT_EQ(classify_error(500, 0, "InternalError"), ErrorKind::Transient);
  EXPECT_EQ(classify_error(502, 0, ""), ErrorKind::Transient);
  EXPECT_EQ(classify_error(504, 0, ""), ErrorKind::Transient);
  EXPECT_EQ(classify_error(0, CURLE_COULDNT_CONNECT, ""), ErrorKind::Transient);
  EXPECT_EQ(classify_error(0, CURLE_RECV_ERROR, ""), ErrorKind::Transient);
  EXPECT_EQ(classify_error(0, CURLE_OPERATION_TIMEDOUT, ""), ErrorKind::Timeout);
  EXPECT_EQ(classify_error(400, 0, "RequestTimeout"), ErrorKind::Transient);
  EXPECT_EQ(classify_error(400, 0, "BadDigest"), ErrorKind::Transient);
}

TEST(ClassifyError, ThrottlingCodesUseTheThrottlingClass) {
  EXPECT_EQ(classify_error(503, 0, "SlowDown"), ErrorKind::Throttling);
  EXPECT_EQ(classify_error(400, 0, "ThrottlingException"), ErrorKind::Throttling);
  EXPECT_EQ(classify_error(429, 0, ""), ErrorKind::Throttling);
}

TEST(ClassifyError, ClientErrorsAreNotRetried) {
  for (const auto& [status, code] : std::vector<std::pair<long, std::string>>{{403, "AccessDenied"},
                                                                              {404, "NoSuchKey"},
                                                                              {412, "PreconditionFailed"},
                                                                              {400, "InvalidArgument"},
                                                                              {403, "InvalidObjectState"},
                                                                              {400, "EntityTooSmall"}}) {
    EXPECT_EQ(classify_error(status, 0, code), ErrorKind::Permanent) << status << " " << code;
    EXPECT_FALSE(is_retryable(classify_error(status, 0, code)));
  }
  // A transfer our own sink aborted is not retried.
  EXPECT_EQ(classify_error(0, CURLE_WRITE_ERROR, ""), ErrorKind::Permanent);
}

TEST(ClassifyError, SkewAndExpiredTokensHaveTheirOwnClasses) {
  EXPECT_EQ(classify_error(403, 0, "RequestTimeTooSkewed"), ErrorKind::ClockSkew);
  EXPECT_EQ(classify_error(400, 0, "ExpiredToken"), ErrorKind::ExpiredToken);
  EXPECT_EQ(classify_error(200, 0, ""), ErrorKind::None);
}

TEST(Backoff, FullJitterIsBoundedByTheCappedExponential) {
  RetryConfig cfg;
  std::mt19937_64 rng(42);
  for (int attempt = 1; attempt <= 12; ++attempt) {
    const double cap = std::min(50.0 * (1 << (attempt - 1)), 20000.0);
    const double throttle_cap = std::min(1000.0 * (1 << (attempt - 1)), 20000.0);
    for (int i = 0; i < 200; ++i) {
      const auto d = backoff_delay(cfg, ErrorKind::Transient, attempt, rng).count();
      EXPECT_GE(d, 0);
      EXPECT_LE(d, cap);
      const auto t = backoff_delay(cfg, ErrorKind::Throttling, attempt, rng).count();
      EXPECT_LE(t, throttle_cap);
    }
  }
}

TEST(Backoff, ThrottlingWaitsLongerOnAverage) {
  RetryConfig cfg;
  std::mt19937_64 rng(7);
  double transient = 0, throttling = 0;
  for (int i = 0; i < 1000; ++i) {
    transient += static_cast<double>(backoff_delay(cfg, ErrorKind::Transient, 2, rng).count());
    throttling += static_cast<double>(backoff_delay(cfg, ErrorKind::Throttling, 2, rng).count());
  }
  EXPECT_GT(throttling, 10 * transient);
}

TEST(RetryQuota, EmptiesUnderAStormAndRefillsOnSuccess) {
  RetryConfig cfg;
  cfg.quota_capacity = 20;
  RetryQuota quota(cfg);
  int cost = 0;
  int granted = 0;
  while (quota.acquire(ErrorKind::Transient, cost)) ++granted;
  EXPECT_EQ(granted, 4);  // 20 tokens, 5 per retry
  EXPECT_EQ(quota.available(), 0);
  quota.on_success(cost);
  EXPECT_EQ(quota.available(), 20);
  int timeout_cost = 0;
  EXPECT_TRUE(quota.acquire(ErrorKind::Timeout, timeout_cost));
  EXPECT_EQ(timeout_cost, 10);
}

// ---- the strategy: attempts, quota, stop, cleanup calls ------------------------------------

RetryConfig fast_config() {
  RetryConfig cfg;
  cfg.max_attempts = 3;
  cfg.base = std::chrono::milliseconds(1);
  cfg.throttle_base = std::chrono::milliseconds(1);
  return cfg;
}

TEST(RetryStrategy, RetriesRetryableFailuresUpToMaxAttempts) {
  RetryStrategy strategy(fast_config());
  RetryState s = strategy.begin(false);
  s.attempts = 1;
  EXPECT_TRUE(strategy.on_failure(s, ErrorKind::Transient).retry);
  s.attempts = 2;
  EXPECT_TRUE(strategy.on_failure(s, ErrorKind::Throttling).retry);
  s.attempts = 3;
  const RetryDecision last = strategy.on_failure(s, ErrorKind::Transient);
  EXPECT_FALSE(last.retry);
  EXPECT_STREQ(last.gave_up, "attempts exhausted");
  s.attempts = 1;
  EXPECT_FALSE(strategy.on_failure(s, ErrorKind::Permanent).retry);
}

TEST(RetryStrategy, ExpiredTokenIsRetriedOnceWithoutTheQuota) {
  RetryConfig cfg = fast_config();
  cfg.max_attempts = 5;
  cfg.quota_capacity = 0;
  RetryStrategy strategy(cfg);
  RetryState s = strategy.begin(false);
  s.attempts = 1;
  const RetryDecision d = strategy.on_failure(s, ErrorKind::ExpiredToken);
  EXPECT_TRUE(d.retry);
  EXPECT_EQ(d.delay.count(), 0);
  s.attempts = 2;
  EXPECT_FALSE(strategy.on_failure(s, ErrorKind::ExpiredToken).retry);
  EXPECT_FALSE(strategy.on_failure(s, ErrorKind::Transient).retry) << "the empty quota stops other retries";
}

TEST(RetryStrategy, AStopEndsRetriesAndNewAttemptsButNotCleanupCalls) {
  std::atomic<bool> stop{false};
  RetryStrategy strategy(fast_config(), &stop);
  RetryState normal = strategy.begin(false);
  RetryState cleanup = strategy.begin(true);
  EXPECT_TRUE(strategy.may_send(normal));
  stop = true;  // what the signal handler does
  EXPECT_TRUE(strategy.stopped());
  EXPECT_FALSE(strategy.may_send(normal));
  normal.attempts = 1;
  const RetryDecision d = strategy.on_failure(normal, ErrorKind::Throttling);
  EXPECT_FALSE(d.retry);
  EXPECT_STREQ(d.gave_up, "stopped");
  EXPECT_TRUE(strategy.may_send(cleanup));
  cleanup.attempts = 1;
  EXPECT_TRUE(strategy.on_failure(cleanup, ErrorKind::Throttling).retry);

  RetryStrategy by_call(fast_config());
  by_call.stop();
  EXPECT_FALSE(by_call.may_send(by_call.begin(false)));
}

TEST(RetryStrategy, CleanupCallsHaveTheirOwnBudgetAndDeadline) {
  RetryConfig cfg = fast_config();
  cfg.quota_capacity = 5;  // one retry's worth, spent below
  cfg.cleanup_max_attempts = 4;
  cfg.cleanup_deadline = std::chrono::milliseconds(200);
  RetryStrategy strategy(cfg);
  RetryState storm = strategy.begin(false);
  storm.attempts = 1;
  ASSERT_TRUE(strategy.on_failure(storm, ErrorKind::Throttling).retry);
  storm.attempts = 2;
  ASSERT_STREQ(strategy.on_failure(storm, ErrorKind::Throttling).gave_up, "retry quota exhausted");

  RetryState abort = strategy.begin(true);
  for (int attempt = 1; attempt < 4; ++attempt) {
    abort.attempts = attempt;
    EXPECT_TRUE(strategy.on_failure(abort, ErrorKind::Throttling).retry) << "attempt " << attempt;
  }
  abort.attempts = 4;
  EXPECT_STREQ(strategy.on_failure(abort, ErrorKind::Throttling).gave_up, "attempts exhausted");

  RetryState late = strategy.begin(true);
  late.deadline = std::chrono::steady_clock::now();
  late.attempts = 1;
  EXPECT_FALSE(strategy.may_send(late));
  EXPECT_STREQ(strategy.on_failure(late, ErrorKind::Throttling).gave_up, "cleanup deadline reached");
}

}  // namespace
}  // namespace s3tar::s3
