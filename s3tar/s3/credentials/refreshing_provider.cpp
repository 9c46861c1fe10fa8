#include "s3tar/s3/credentials/refreshing_provider.h"

#include <algorithm>

namespace s3tar::s3 {

using std::chrono::seconds;
using std::chrono::system_clock;

namespace {
// A failed background reload is not retried in the background before this much time has passed.
constexpr seconds kBackgroundRetryDelay{30};
}  // namespace

RefreshingProvider::RefreshingProvider(std::shared_ptr<CredentialsProvider> inner, seconds margin,
                                       Clock clock, seconds advisory)
    : inner_(std::move(inner)), margin_(margin), advisory_(advisory), clock_(std::move(clock)) {
  if (!clock_) clock_ = [] { return system_clock::now(); };
}

RefreshingProvider::~RefreshingProvider() {
  if (background_.joinable()) background_.join();
}

bool RefreshingProvider::needs_reload(seconds window, system_clock::time_point now) const {
  return !cached_ || cached_->expires_within(window, now);
}

void RefreshingProvider::store(Credentials fresh, system_clock::time_point now) {
  if (fresh.provider.empty()) fresh.provider = inner_->name();
  last_provider_ = fresh.provider;
  cached_ = std::move(fresh);
  fetched_at_ = now;
}

// Called with mutex_ held and no reload in flight.
void RefreshingProvider::start_background_reload() {
  if (background_.joinable()) background_.join();  // the previous one has finished
  in_flight_ = true;
  ++reloads_;
  background_ = std::thread([this] {
    std::optional<Credentials> fresh;
    try {
      fresh = inner_->load();
    } catch (...) {
      // The cached credentials remain valid for a while; a foreground reload reports the error.
    }
    std::lock_guard lock(mutex_);
    const auto now = clock_();
    if (fresh) {
      store(std::move(*fresh), now);
    } else {
      next_background_ = now + kBackgroundRetryDelay;
    }
    in_flight_ = false;
    idle_.notify_all();
  });
}

std::optional<Credentials> RefreshingProvider::load() {
  std::unique_lock lock(mutex_);
  for (;;) {
    const auto now = clock_();
    if (cached_ && cached_->expiration) {
      const seconds lifetime = std::chrono::duration_cast<seconds>(*cached_->expiration - fetched_at_);
      const seconds advisory = std::max(margin_, std::min(advisory_, lifetime / 2));
      if (!needs_reload(advisory, now)) return cached_;
      if (!needs_reload(margin_, now)) {
        if (!in_flight_ && now >= next_background_) start_background_reload();
        return cached_;
      }
    } else if (cached_) {
      return cached_;  // no expiration: until invalidate()
    }
    if (!in_flight_) break;
    idle_.wait(lock, [this] { return !in_flight_; });  // then look again
  }

  in_flight_ = true;
  ++reloads_;
  lock.unlock();
  std::optional<Credentials> fresh;
  std::exception_ptr failure;
  bool categorized = false;
  try {
    fresh = inner_->load();
  } catch (const s3tar::Error&) {
    failure = std::current_exception();
    categorized = true;
  } catch (...) {
    failure = std::current_exception();
  }
  lock.lock();
  in_flight_ = false;
  idle_.notify_all();
  const auto now = clock_();
  const bool still_valid = cached_ && !cached_->expires_within(seconds(0), now);
  if (failure) {
    // Still usable for a while: keep serving them and try again on the next call.
    if (categorized && still_valid) return cached_;
    std::rethrow_exception(failure);
  }
  if (!fresh) {
    if (still_valid) return cached_;
    cached_.reset();
    return std::nullopt;
  }
  store(std::move(*fresh), now);
  return cached_;
}

std::optional<Credentials> RefreshingProvider::load_if_ready() {
  std::lock_guard lock(mutex_);
  if (!cached_) return std::nullopt;
  if (!cached_->expiration) return cached_;
  const auto now = clock_();
  const seconds lifetime = std::chrono::duration_cast<seconds>(*cached_->expiration - fetched_at_);
  const seconds advisory = std::max(margin_, std::min(advisory_, lifetime / 2));
  if (!needs_reload(advisory, now)) return cached_;
  if (needs_reload(margin_, now)) return std::nullopt;
  if (!in_flight_ && now >= next_background_) start_background_reload();
  return cached_;
}

std::string RefreshingProvider::name() const { return "refreshing(" + inner_->name() + ")"; }

void RefreshingProvider::invalidate() {
  std::lock_guard lock(mutex_);
  cached_.reset();
}

std::string RefreshingProvider::last_provider() const {
  std::lock_guard lock(mutex_);
  return last_provider_;
}

std::size_t RefreshingProvider::reload_count() const {
  std::lock_guard lock(mutex_);
  return reloads_;
}

void RefreshingProvider::wait_idle() {
  std::unique_lock lock(mutex_);
  idle_.wait(lock, [this] { return !in_flight_; });
}

}  // namespace s3tar::s3
