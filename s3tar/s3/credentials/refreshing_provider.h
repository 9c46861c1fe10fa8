// A thread-safe cache over a provider that reloads temporary credentials before they expire, so a
// run longer than a one-hour session keeps working.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "s3tar/s3/credentials/credentials.h"

namespace s3tar::s3 {

class RefreshingProvider : public CredentialsProvider {
 public:
  using Clock = std::function<std::chrono::system_clock::time_point()>;

  // Reloads when the cached credentials expire within `margin`. Credentials without an
  // expiration are cached until invalidate(). `clock` is for tests.
  explicit RefreshingProvider(std::shared_ptr<CredentialsProvider> inner,
                              std::chrono::seconds margin = std::chrono::minutes(5), Clock clock = {});

  // Cached credentials, or a fresh load(). When a refresh fails while the cached credentials are
  // still valid (not yet expired), those are returned and the next call retries; otherwise the
  // error propagates. Concurrent callers wait for one reload rather than all reloading.
  std::optional<Credentials> load() override;
  std::string name() const override;

  // Drops the cache: the next load() asks the inner provider (e.g. after an ExpiredToken reply).
  void invalidate();

  // The provider that produced the cached credentials ("environment", "imds", ...), empty before
  // the first successful load.
  std::string last_provider() const;

  // How many times the inner provider was asked.
  std::size_t reload_count() const;

 private:
  std::shared_ptr<CredentialsProvider> inner_;
  std::chrono::seconds margin_;
  Clock clock_;
  mutable std::mutex mutex_;
  std::optional<Credentials> cached_;
  std::string last_provider_;
  std::size_t reloads_ = 0;
};

}  // namespace s3tar::s3
