// How many requests may be in flight to one host, adapted to throttling the way TCP adapts its
// window to congestion: additive increase, multiplicative decrease (AIMD).
//
// - Every answer that is not a throttling signal (503 SlowDown, 429) raises the limit by
//   1/limit: about one more request in flight per round trip, up to the configured maximum.
// - A throttling answer halves the limit, at most once per window: the answers to requests that
//   were sent before the last decrease were caused by the old rate and say nothing new (without
//   this, a burst of 64 SlowDowns would take the limit from 64 down to 1).
//
// So a server that throttles above some rate sees the client settle just under that rate,
// probing upward slowly and backing off at once, instead of every request being retried at the
// full configured concurrency. Pure: no clock, no threads; the caller serialises calls.
#pragma once

#include <cstddef>
#include <cstdint>

namespace s3tar::s3 {

class AimdLimit {
 public:
  // `max` requests in flight at most (0 is treated as 1); never below `min` (at least 1).
  explicit AimdLimit(std::size_t max, std::size_t min = 1);

  // Requests that may be in flight now: between min and max.
  std::size_t limit() const { return static_cast<std::size_t>(limit_); }
  std::size_t max() const { return max_; }
  // Counts the decreases: a request records it when it starts, and hands it back if throttled.
  std::uint64_t window() const { return window_; }

  // A request that started in `started_window` was throttled. Returns true if the limit was
  // lowered (the first throttle of the current window), false if it was already lowered for it.
  bool on_throttled(std::uint64_t started_window);
  // A request was answered without a throttling signal. Returns true when this brought the
  // limit back to its maximum after a decrease.
  bool on_answered();

 private:
  std::size_t max_, min_;
  double limit_;
  std::uint64_t window_ = 0;
};

}  // namespace s3tar::s3
