// Connection settings of the S3 client, resolved like the AWS CLI: command-line flags,
// then environment variables, then the shared config profile, then defaults.
//
//   region        --region, AWS_REGION, AWS_DEFAULT_REGION, profile `region`, us-east-1
//   endpoint      --endpoint-url, AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL, the profile's services
//                 section (`s3 =` / `endpoint_url =`), profile `endpoint_url`, AWS; the
//                 configured ones ignored with AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true
//   addressing    --path-style/--virtual-host, profile `s3 =` / `addressing_style =`, auto
//                 (path-style for custom endpoints, virtual-hosted for AWS)
//   retry mode    AWS_RETRY_MODE, profile `retry_mode`, standard
//   max attempts  --max-attempts, AWS_MAX_ATTEMPTS, profile `max_attempts`, the mode's default
//   CA bundle     --ca-bundle, AWS_CA_BUNDLE, profile `ca_bundle`, the system's
#pragma once

#include <atomic>
#include <cstdint>
#include <optional>
#include <string>

#include "s3tar/s3/http/http_engine.h"
#include "s3tar/s3/retry.h"

namespace s3tar::s3 {

inline constexpr uint64_t kMiB = 1024ULL * 1024;
inline constexpr uint64_t kGiB = 1024ULL * kMiB;

struct ClientConfig {
  std::string region = "us-east-1";
  // Empty = AWS (https://s3.<region>.amazonaws.com, virtual-hosted addressing).
  std::string endpoint_url;
  bool path_style = false;
  HttpEngineOptions http;
  RetryConfig retry;
  std::string profile;  // empty = default resolution (AWS_PROFILE, then "default")
  // Set by a signal handler (SIGTERM/SIGINT): when it becomes true the client stops (S3Client::cancel).
  const std::atomic<bool>* stop_flag = nullptr;
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
  const std::atomic<bool>* stop_flag = nullptr;  // see ClientConfig::stop_flag
};

// Throws UsageError with a one-line message for bad values (a bad endpoint URL, AWS_MAX_ATTEMPTS
// that is not a number, ...) and CredentialsError (a UsageError) for a malformed shared file or
// an explicitly selected profile (option, AWS_DEFAULT_PROFILE, AWS_PROFILE) that does not exist.
ClientConfig resolve_client_config(const ConnectionOptions& options);

}  // namespace s3tar::s3
