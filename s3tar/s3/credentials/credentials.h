// AWS credentials and the provider interface; one provider class per source, a chain over them.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>

#include "s3tar/errors.h"

namespace s3tar::s3 {

struct Credentials {
  std::string access_key_id;
  std::string secret_access_key;  // never logged
  std::string session_token;      // empty for long-term keys; never logged
  std::optional<std::chrono::system_clock::time_point> expiration;
  std::string provider;  // which provider produced them, for diagnostics

  bool expires_within(std::chrono::seconds margin,
                      std::chrono::system_clock::time_point now = std::chrono::system_clock::now()) const {
    return expiration && *expiration - margin <= now;
  }
};

// A credential source is configured but broken (bad file, failing process, metadata service
// error, a role that cannot be assumed, an expired SSO login). The message names the source and never
// contains a secret (secret key, session token, web identity token, authorization token).
class CredentialsError : public UsageError {
 public:
  using UsageError::UsageError;
};

// A configured credentials service (STS, the SSO portal) could not be reached or kept failing
// (transport errors, 5xx, throttling) through its retries: nothing to fix, run again (exit 5).
// Never contains a secret either.
class CredentialsTransientError : public TransientError {
 public:
  using TransientError::TransientError;
};

// A source of credentials. load() returns nullopt when the source is not configured here
// (the chain moves on) and throws CredentialsError when it is configured but broken
// (CredentialsTransientError when its service is unavailable).
class CredentialsProvider {
 public:
  virtual ~CredentialsProvider() = default;
  virtual std::optional<Credentials> load() = 0;
  virtual std::string name() const = 0;
  // Credentials that can be had at once, without a (re)load that may wait for a process or a
  // service; nullopt = only load() can tell, and it may block. The HTTP event loop asks this
  // instead of load() and moves a blocking load to another thread.
  virtual std::optional<Credentials> load_if_ready() { return std::nullopt; }
};

}  // namespace s3tar::s3
