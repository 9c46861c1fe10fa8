// Connection settings of the S3 client, resolved like the AWS CLI: command-line flags,
// then environment variables, then the shared config profile, then defaults.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "s3tar/s3/http/http_engine.h"
#include "s3tar/s3/retry.h"

namespace s3tar::s3 {

inline constexpr uint64_t kMiB = 1024ULL * 1024;
inline constexpr uint64_t kGiB = 1024ULL * kMiB;

// The limits S3-compatible servers differ on; AWS's values are the defaults.
struct Limits {
  uint64_t min_part_size = 5 * kMiB;
  uint64_t max_part_size = 5 * kGiB;
  uint32_t max_parts = 10'000;
  uint64_t max_object_size = 10'000ULL * 5 * kGiB;
  uint64_t max_single_put = 5 * kGiB;
};

struct ClientConfig {
  std::string region = "us-east-1";
  // Empty = AWS (https://s3.<region>.amazonaws.com, virtual-hosted addressing).
  std::string endpoint_url;
  bool path_style = false;
  HttpEngineOptions http;
  RetryConfig retry;
  Limits limits;
  std::string profile;  // empty = default resolution (AWS_PROFILE, then "default")
};

// What the command line may set; unset values fall back to env, profile, defaults.
struct ConnectionOptions {
  std::optional<std::string> region;
  std::optional<std::string> endpoint_url;
  std::optional<std::string> profile;
  std::optional<int> max_attempts;
  std::optional<bool> path_style;  // default: path-style for custom endpoints, virtual-hosted for AWS
  std::optional<size_t> max_in_flight;
  bool no_verify_tls = false;
  std::optional<std::string> ca_bundle;
};

// Throws std::invalid_argument with a one-line message for bad values (a bad endpoint URL,
// AWS_MAX_ATTEMPTS that is not a number, ...).
ClientConfig resolve_client_config(const ConnectionOptions& options);

}  // namespace s3tar::s3
