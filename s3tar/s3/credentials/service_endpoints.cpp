#include "s3tar/s3/credentials/service_endpoints.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cctype>

#include "s3tar/s3/credentials/credentials.h"
#include "s3tar/s3/credentials/support.h"

namespace s3tar::s3 {

using credentials_detail::env;
using credentials_detail::trim;

namespace {

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string upper(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

std::optional<std::string> nonempty(std::optional<std::string> v) {
  if (v) *v = trim(*v);
  if (v && v->empty()) v.reset();
  return v;
}

std::string checked_url(std::string url, const std::string& origin) {
  while (!url.empty() && url.back() == '/') url.pop_back();
  const std::string l = lower(url);
  if ((l.rfind("http://", 0) != 0 && l.rfind("https://", 0) != 0) || url.size() <= 8 ||
      url.find_first_of(" \t\r\n") != std::string::npos) {
    throw CredentialsError(fmt::format("{} is not an http:// or https:// URL: '{}'", origin, url));
  }
  return url;
}

// botocore's ensure_boolean: "true" in any case is true, anything else false.
bool config_true(const std::optional<std::string>& v) { return v && lower(trim(*v)) == "true"; }

bool ignore_configured_endpoints(const SharedConfig& cfg) {
  if (auto e = env("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS")) return config_true(e);
  return config_true(cfg.value("ignore_configured_endpoint_urls"));
}

std::string dns_suffix(const std::string& region) {
  return region.rfind("cn-", 0) == 0 ? "amazonaws.com.cn" : "amazonaws.com";
}

// botocore's LEGACY_GLOBAL_STS_REGIONS: where sts_regional_endpoints = legacy used the global STS.
bool legacy_global_sts_region(const std::string& region) {
  static const std::array<const char*, 16> regions = {
      "ap-northeast-1", "ap-south-1", "ap-southeast-1", "ap-southeast-2", "aws-global", "ca-central-1",
      "eu-central-1",   "eu-north-1", "eu-west-1",      "eu-west-2",      "eu-west-3",  "sa-east-1",
      "us-east-1",      "us-east-2",  "us-west-1",      "us-west-2"};
  return std::any_of(regions.begin(), regions.end(), [&](const char* r) { return region == r; });
}

}  // namespace

std::optional<std::string> configured_endpoint_url(const SharedConfig& cfg, const std::string& service_id) {
  if (ignore_configured_endpoints(cfg)) return std::nullopt;
  const std::string service_var = "AWS_ENDPOINT_URL_" + upper(service_id);
  if (auto v = env(service_var.c_str())) return checked_url(*v, service_var);
  if (auto v = env("AWS_ENDPOINT_URL")) return checked_url(*v, "AWS_ENDPOINT_URL");
  if (auto v = nonempty(cfg.service_value(service_id, "endpoint_url"))) {
    return checked_url(*v, fmt::format("endpoint_url of {} in the services section of profile '{}'",
                                       service_id, cfg.profile()));
  }
  if (auto v = nonempty(cfg.value("endpoint_url"))) {
    return checked_url(*v, fmt::format("endpoint_url of profile '{}'", cfg.profile()));
  }
  return std::nullopt;
}

std::string default_region(const SharedConfig& cfg) {
  if (auto r = env("AWS_REGION")) return *r;
  if (auto r = env("AWS_DEFAULT_REGION")) return *r;
  if (auto r = nonempty(cfg.value("region"))) return *r;
  return "us-east-1";
}

ServiceEndpoint sts_endpoint(const SharedConfig& cfg, const std::string& region) {
  if (auto url = configured_endpoint_url(cfg, "sts")) return {*url, region};
  std::string mode = "regional";
  if (auto e = env("AWS_STS_REGIONAL_ENDPOINTS")) {
    mode = lower(trim(*e));
  } else if (auto v = nonempty(cfg.value("sts_regional_endpoints"))) {
    mode = lower(*v);
  }
  if (mode != "regional" && mode != "legacy") {
    throw CredentialsError(fmt::format(
        "sts_regional_endpoints (AWS_STS_REGIONAL_ENDPOINTS) must be regional or legacy, not '{}'", mode));
  }
  if (region == "aws-global" || (mode == "legacy" && legacy_global_sts_region(region))) {
    return {"https://sts.amazonaws.com", "us-east-1"};
  }
  return {fmt::format("https://sts.{}.{}", region, dns_suffix(region)), region};
}

ServiceEndpoint sso_portal_endpoint(const SharedConfig& cfg, const std::string& sso_region) {
  if (auto url = configured_endpoint_url(cfg, "sso")) return {*url, sso_region};
  return {fmt::format("https://portal.sso.{}.{}", sso_region, dns_suffix(sso_region)), sso_region};
}

ServiceEndpoint sso_oidc_endpoint(const SharedConfig& cfg, const std::string& sso_region) {
  if (auto url = configured_endpoint_url(cfg, "sso_oidc")) return {*url, sso_region};
  return {fmt::format("https://oidc.{}.{}", sso_region, dns_suffix(sso_region)), sso_region};
}

std::string ca_bundle_for(const SharedConfig& cfg) {
  if (auto e = env("AWS_CA_BUNDLE")) return *e;
  return nonempty(cfg.value("ca_bundle")).value_or("");
}

}  // namespace s3tar::s3
