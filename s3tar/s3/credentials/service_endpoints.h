// Endpoints of the services the credentials chain calls (STS, the IAM Identity Center portal and
// its OIDC service), and the configured endpoint URL of any service, resolved like botocore.
#pragma once

#include <optional>
#include <string>

#include "s3tar/s3/credentials/shared_config.h"

namespace s3tar::s3 {

struct ServiceEndpoint {
  std::string url;             // "https://sts.eu-west-1.amazonaws.com", no trailing slash
  std::string signing_region;  // the SigV4 region
};

// The endpoint URL configured for a service, in botocore's order: AWS_ENDPOINT_URL_<ID>,
// AWS_ENDPOINT_URL, the profile's services section (`<id> =` then `endpoint_url = ...`), the
// profile's endpoint_url. None when AWS_IGNORE_CONFIGURED_ENDPOINT_URLS (or the profile's
// ignore_configured_endpoint_urls) is true. `service_id` is botocore's snake-case service id:
// "s3", "sts", "sso", "sso_oidc". Trailing slashes are dropped; a URL that is not http(s) is a
// CredentialsError naming the setting.
std::optional<std::string> configured_endpoint_url(const SharedConfig& cfg, const std::string& service_id);

// The region for the chain's own calls when the caller gives none: AWS_REGION, AWS_DEFAULT_REGION,
// the profile's region, us-east-1.
std::string default_region(const SharedConfig& cfg);

// STS for `region`: the configured endpoint, else https://sts.<region>.amazonaws.com; the global
// https://sts.amazonaws.com (signed for us-east-1) for region aws-global, or with
// sts_regional_endpoints = legacy (AWS_STS_REGIONAL_ENDPOINTS) in the regions that had it.
ServiceEndpoint sts_endpoint(const SharedConfig& cfg, const std::string& region);

// The IAM Identity Center portal (GetRoleCredentials) and its OIDC service (CreateToken) in the
// SSO region, unless configured.
ServiceEndpoint sso_portal_endpoint(const SharedConfig& cfg, const std::string& sso_region);
ServiceEndpoint sso_oidc_endpoint(const SharedConfig& cfg, const std::string& sso_region);

// The CA bundle for the chain's HTTPS calls: AWS_CA_BUNDLE, else the profile's ca_bundle; empty
// for the system default.
std::string ca_bundle_for(const SharedConfig& cfg);

}  // namespace s3tar::s3
