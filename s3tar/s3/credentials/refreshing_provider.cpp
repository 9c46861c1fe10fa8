#include "s3tar/s3/credentials/refreshing_provider.h"

namespace s3tar::s3 {

RefreshingProvider::RefreshingProvider(std::shared_ptr<CredentialsProvider> inner,
                                       std::chrono::seconds margin, Clock clock)
    : inner_(std::move(inner)), margin_(margin), clock_(std::move(clock)) {
  if (!clock_) clock_ = [] { return std::chrono::system_clock::now(); };
}

std::optional<Credentials> RefreshingProvider::load() {
  std::lock_guard lock(mutex_);
  const auto now = clock_();
  if (cached_ && !cached_->expires_within(margin_, now)) return cached_;
  std::optional<Credentials> fresh;
  try {
    ++reloads_;
    fresh = inner_->load();
  } catch (const CredentialsError&) {
    // Still usable for a while: keep serving them and try again on the next call.
    if (cached_ && !cached_->expires_within(std::chrono::seconds(0), now)) return cached_;
    throw;
  }
  if (!fresh) {
    if (cached_ && !cached_->expires_within(std::chrono::seconds(0), now)) return cached_;
    cached_.reset();
    return std::nullopt;
  }
  if (fresh->provider.empty()) fresh->provider = inner_->name();
  cached_ = std::move(fresh);
  last_provider_ = cached_->provider;
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

}  // namespace s3tar::s3
