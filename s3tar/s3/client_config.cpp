#include "s3tar/s3/client_config.h"

#include <cstdlib>

#include "s3tar/errors.h"
#include "s3tar/s3/credentials/service_endpoints.h"
#include "s3tar/s3/credentials/shared_config.h"

namespace s3tar::s3 {
namespace {

std::optional<std::string> env(const char* name) {
  const char* v = std::getenv(name);
  if (v && *v) return std::string(v);
  return std::nullopt;
}

std::optional<std::string> profile_value(const SharedConfig& cfg, const std::string& key) {
  auto v = cfg.value(key);
  if (!v || v->empty()) return std::nullopt;
  return v;
}

void check_endpoint(const std::string& url) {
  if (url.rfind("http://", 0) != 0 && url.rfind("https://", 0) != 0)
    throw UsageError("endpoint URL must start with http:// or https://: '" + url + "'");
  if (url.size() <= 8 || url.find_first_of(" \t") != std::string::npos)
    throw UsageError("endpoint URL is not valid: '" + url + "'");
}

int parse_attempts(const std::string& text, const std::string& origin) {
  char* end = nullptr;
  const long v = std::strtol(text.c_str(), &end, 10);
  if (text.empty() || *end != '\0' || v < 1 || v > 100)
    throw UsageError(origin + " must be a whole number from 1 to 100, not '" + text + "'");
  return static_cast<int>(v);
}

// A retry mode's own defaults, like the SDKs: legacy makes 5 attempts with a 100 ms base;
// standard and adaptive (no client-side rate limiter here) make 10 for long unattended runs, the
// retry quota still stopping a storm.
RetryConfig retry_mode_defaults(const std::string& mode, const std::string& origin) {
  RetryConfig r;
  r.max_attempts = 10;
  if (mode == "legacy") {
    r.mode = RetryMode::Legacy;
    r.max_attempts = 5;
    r.base = std::chrono::milliseconds(100);
  } else if (mode == "adaptive") {
    r.mode = RetryMode::Adaptive;
  } else if (mode != "standard") {
    throw UsageError(origin + " must be standard, adaptive or legacy, not '" + mode + "'");
  }
  return r;
}

// Mode: AWS_RETRY_MODE, the profile's retry_mode, standard. Attempts: the flag, AWS_MAX_ATTEMPTS,
// the profile's max_attempts, the mode's default.
RetryConfig resolve_retry(const ConnectionOptions& o, const SharedConfig& profile) {
  RetryConfig r;
  if (auto m = env("AWS_RETRY_MODE")) {
    r = retry_mode_defaults(*m, "AWS_RETRY_MODE");
  } else if (auto pm = profile_value(profile, "retry_mode")) {
    r = retry_mode_defaults(*pm, "retry_mode in AWS profile '" + profile.profile() + "'");
  } else {
    r = retry_mode_defaults("standard", "");
  }
  if (o.max_attempts) {
    if (*o.max_attempts < 1 || *o.max_attempts > 100)
      throw UsageError("--max-attempts must be from 1 to 100");
    r.max_attempts = *o.max_attempts;
  } else if (auto n = env("AWS_MAX_ATTEMPTS")) {
    r.max_attempts = parse_attempts(*n, "AWS_MAX_ATTEMPTS");
  } else if (auto pn = profile_value(profile, "max_attempts")) {
    r.max_attempts = parse_attempts(*pn, "max_attempts in AWS profile '" + profile.profile() + "'");
  }
  return r;
}

// The flag, else the profile's `s3 =` addressing_style (path, virtual, auto), else auto:
// path-style for custom endpoints (RGW, MinIO, moto rarely have wildcard DNS), virtual-hosted
// for AWS.
bool resolve_path_style(const ConnectionOptions& o, const SharedConfig& profile, bool custom_endpoint) {
  if (o.path_style) return *o.path_style;
  if (auto style = profile_value(profile, "s3.addressing_style")) {
    if (*style == "path") return true;
    if (*style == "virtual") return false;
    if (*style != "auto")
      throw UsageError("addressing_style in the s3 section of AWS profile '" + profile.profile() +
                       "' must be auto, virtual or path, not '" + *style + "'");
  }
  return custom_endpoint;
}

}  // namespace

ClientConfig resolve_client_config(const ConnectionOptions& o) {
  ClientConfig cfg;
  cfg.profile = o.profile.value_or("");
  cfg.stop_flag = o.stop_flag;
  const SharedConfig profile = SharedConfig::load(o.profile);
  profile.require_profile();  // an explicitly selected profile must exist, whatever else is set

  // Region: flag, AWS_REGION, AWS_DEFAULT_REGION, profile, us-east-1.
  if (o.region) {
    cfg.region = *o.region;
  } else if (auto r = env("AWS_REGION")) {
    cfg.region = *r;
  } else if (auto r2 = env("AWS_DEFAULT_REGION")) {
    cfg.region = *r2;
  } else if (auto r3 = profile_value(profile, "region")) {
    cfg.region = *r3;
  }
  if (cfg.region.empty() || cfg.region.find_first_of("/ \t") != std::string::npos)
    throw UsageError("region is not valid: '" + cfg.region + "'");

  // Endpoint: flag, then botocore's configured endpoint (AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL,
  // the profile's services section, the profile's endpoint_url), then AWS.
  if (o.endpoint_url) {
    cfg.endpoint_url = *o.endpoint_url;
  } else if (auto e = configured_endpoint_url(profile, "s3")) {
    cfg.endpoint_url = *e;
  }
  while (!cfg.endpoint_url.empty() && cfg.endpoint_url.back() == '/') cfg.endpoint_url.pop_back();
  if (!cfg.endpoint_url.empty()) check_endpoint(cfg.endpoint_url);
  cfg.path_style = resolve_path_style(o, profile, !cfg.endpoint_url.empty());

  cfg.retry = resolve_retry(o, profile);

  if (o.max_in_flight) {
    if (*o.max_in_flight < 1 || *o.max_in_flight > 1024)
      throw UsageError("--concurrency must be from 1 to 1024");
    cfg.http.max_in_flight = *o.max_in_flight;
  }
  cfg.http.verify_tls = !o.no_verify_tls;
  // CA bundle: flag, AWS_CA_BUNDLE, the profile's ca_bundle.
  cfg.http.ca_bundle = o.ca_bundle ? *o.ca_bundle : ca_bundle_for(profile);
  return cfg;
}

}  // namespace s3tar::s3
