// A thread-safe cache over a provider that reloads temporary credentials before they expire, so a
// run longer than a one-hour session keeps working, mostly without making anyone wait.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "s3tar/s3/credentials/credentials.h"

namespace s3tar::s3 {

class RefreshingProvider : public CredentialsProvider {
 public:
  using Clock = std::function<std::chrono::system_clock::time_point()>;

  // Credentials that expire within `margin` are reloaded before they are handed out: the caller
  // waits. Within the larger `advisory` window (botocore's advisory refresh) they are still handed
  // out while one background thread reloads them, so callers, the HTTP event loop among them,
  // normally never wait for STS. The advisory window is capped at half the credentials' lifetime
  // (a 15-minute session is not reloaded continuously); 0 means no background reload.
  // Credentials without an expiration are cached until invalidate(). `clock` is for tests.
  explicit RefreshingProvider(std::shared_ptr<CredentialsProvider> inner,
                              std::chrono::seconds margin = std::chrono::minutes(5), Clock clock = {},
                              std::chrono::seconds advisory = std::chrono::seconds(0));
  ~RefreshingProvider() override;  // waits for a background reload in flight

  // Cached credentials, or a fresh load(). When a reload fails while the cached credentials are
  // still valid (not yet expired), those are returned and the next call retries; otherwise the
  // error propagates. Concurrent callers wait for one reload rather than all reloading.
  std::optional<Credentials> load() override;
  std::string name() const override;
  // The cached credentials when load() would hand them out without waiting (starting the
  // background reload in the advisory window as load() does); nullopt when load() would reload.
  std::optional<Credentials> load_if_ready() override;

  // Drops the cache: the next load() asks the inner provider (e.g. after an ExpiredToken reply).
  void invalidate();

  // The provider that produced the cached credentials ("environment", "assume-role", ...), empty
  // before the first successful load.
  std::string last_provider() const;

  // How many times the inner provider was asked (in the foreground or the background).
  std::size_t reload_count() const;

  // Blocks until no reload is in flight (for tests).
  void wait_idle();

 private:
  bool needs_reload(std::chrono::seconds window, std::chrono::system_clock::time_point now) const;
  void start_background_reload();
  void store(Credentials fresh, std::chrono::system_clock::time_point now);

  std::shared_ptr<CredentialsProvider> inner_;
  std::chrono::seconds margin_, advisory_;
  Clock clock_;
  mutable std::mutex mutex_;
  std::condition_variable idle_;
  bool in_flight_ = false;
  std::thread background_;
  std::optional<Credentials> cached_;
  std::chrono::system_clock::time_point fetched_at_{};
  std::chrono::system_clock::time_point next_background_{};  // after a failed background reload
  std::string last_provider_;
  std::size_t reloads_ = 0;
};

}  // namespace s3tar::s3
