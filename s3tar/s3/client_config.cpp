#include "s3tar/s3/client_config.h"

#include <cstdlib>
#include <stdexcept>

#include "s3tar/s3/credentials/shared_config.h"

namespace s3tar::s3 {
namespace {

std::optional<std::string> env(const char* name) {
  const char* v = std::getenv(name);
  if (v && *v) return std::string(v);
  return std::nullopt;
}

void check_endpoint(const std::string& url) {
  if (url.rfind("http://", 0) != 0 && url.rfind("https://", 0) != 0)
    throw std::invalid_argument("endpoint URL must start with http:// or https://: '" + url + "'");
  if (url.size() <= 8 || url.find_first_of(" \t") != std::string::npos)
    throw std::invalid_argument("endpoint URL is not valid: '" + url + "'");
}

}  // namespace

ClientConfig resolve_client_config(const ConnectionOptions& o) {
  ClientConfig cfg;
  cfg.profile = o.profile.value_or("");
  const std::optional<std::string> profile = o.profile;

  // Region: flag, AWS_REGION, AWS_DEFAULT_REGION, profile, us-east-1.
  if (o.region) {
    cfg.region = *o.region;
  } else if (auto r = env("AWS_REGION")) {
    cfg.region = *r;
  } else if (auto r2 = env("AWS_DEFAULT_REGION")) {
    cfg.region = *r2;
  } else if (auto r3 = profile_setting(profile, "region")) {
    cfg.region = *r3;
  }
  if (cfg.region.empty() || cfg.region.find_first_of("/ \t") != std::string::npos)
    throw std::invalid_argument("region is not valid: '" + cfg.region + "'");

  // Endpoint: flag, AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL, the profile's s3 endpoint, AWS.
  if (o.endpoint_url) {
    cfg.endpoint_url = *o.endpoint_url;
  } else if (auto e = env("AWS_ENDPOINT_URL_S3")) {
    cfg.endpoint_url = *e;
  } else if (auto e2 = env("AWS_ENDPOINT_URL")) {
    cfg.endpoint_url = *e2;
  } else if (auto e3 = profile_setting(profile, "s3.endpoint_url")) {
    cfg.endpoint_url = *e3;
  } else if (auto e4 = profile_setting(profile, "endpoint_url")) {
    cfg.endpoint_url = *e4;
  }
  while (!cfg.endpoint_url.empty() && cfg.endpoint_url.back() == '/') cfg.endpoint_url.pop_back();
  if (!cfg.endpoint_url.empty()) check_endpoint(cfg.endpoint_url);
  // Custom endpoints (RGW, MinIO, moto) rarely have wildcard DNS: path-style unless told otherwise.
  cfg.path_style = o.path_style.value_or(!cfg.endpoint_url.empty());

  // Retries: defaults, then the profile, then AWS_MAX_ATTEMPTS / AWS_RETRY_MODE, then the flag.
  RetryConfig retry;
  retry.max_attempts = 10;  // long unattended runs; the retry quota still stops a storm
  if (auto m = profile_setting(profile, "max_attempts")) {
    try {
      retry.max_attempts = std::stoi(*m);
    } catch (const std::exception&) {
      throw std::invalid_argument("max_attempts in the AWS config profile is not a number: '" + *m + "'");
    }
  }
  cfg.retry = retry_config_from_env(retry);
  if (o.max_attempts) {
    if (*o.max_attempts < 1 || *o.max_attempts > 100)
      throw std::invalid_argument("--max-attempts must be from 1 to 100");
    cfg.retry.max_attempts = *o.max_attempts;
  }

  if (o.max_in_flight) {
    if (*o.max_in_flight < 1 || *o.max_in_flight > 1024)
      throw std::invalid_argument("--concurrency must be from 1 to 1024");
    cfg.http.max_in_flight = *o.max_in_flight;
  }
  cfg.http.verify_tls = !o.no_verify_tls;
  if (o.ca_bundle) {
    cfg.http.ca_bundle = *o.ca_bundle;
  } else if (auto ca = env("AWS_CA_BUNDLE")) {
    cfg.http.ca_bundle = *ca;
  }
  return cfg;
}

}  // namespace s3tar::s3
