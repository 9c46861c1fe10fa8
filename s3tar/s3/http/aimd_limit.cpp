#include "s3tar/s3/http/aimd_limit.h"

#include <algorithm>

namespace s3tar::s3 {

AimdLimit::AimdLimit(std::size_t max, std::size_t min)
    : max_(std::max<std::size_t>(max, 1)),
      min_(std::clamp<std::size_t>(min, 1, max_)),
      limit_(static_cast<double>(max_)) {}

bool AimdLimit::on_throttled(std::uint64_t started_window) {
  if (started_window != window_) return false;
  limit_ = std::max(static_cast<double>(min_), limit_ / 2);
  ++window_;
  return true;
}

bool AimdLimit::on_answered() {
  const double top = static_cast<double>(max_);
  if (limit_ >= top) return false;
  limit_ = std::min(top, limit_ + 1.0 / limit_);
  return limit_ >= top;
}

}  // namespace s3tar::s3
