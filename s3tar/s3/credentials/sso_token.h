// The IAM Identity Center (SSO) access token as the AWS CLI caches it after `aws sso login`:
// ~/.aws/sso/cache/<sha1>.json with accessToken and expiresAt, where sha1 is of the sso_session
// name (sso-session profiles) or of the start URL (legacy profiles), like botocore's
// SSOTokenLoader. sso-session logins also cache a refresh token and the OIDC client
// registration, with which the token is renewed before it expires (botocore's SSOTokenProvider).
#pragma once

#include <chrono>
#include <optional>
#include <string>

#include "s3tar/s3/credentials/shared_config.h"

namespace s3tar::s3 {

// The login an SSO profile uses.
struct SsoLogin {
  std::string profile;                      // for the "aws sso login --profile" hint
  std::string start_url;                    // sso_start_url
  std::string region;                       // sso_region
  std::optional<std::string> session_name;  // sso_session; nullopt for the legacy form
};

// $HOME/.aws/sso/cache/<sha1 of the session name or start URL>.json
std::string sso_token_cache_path(const SsoLogin& login);

// The cached access token. For an sso-session login whose token expires within 15 minutes and
// whose cache holds refreshToken, clientId, clientSecret and an unexpired registrationExpiresAt,
// first calls SSO OIDC CreateToken (grant refresh_token) at the OIDC endpoint of the SSO region
// (or the configured one, see service_endpoints.h) and writes the new token back to the cache
// file like the AWS CLI; a failed refresh keeps the old token while it is valid. A missing,
// unreadable or expired token is a CredentialsError telling to run `aws sso login --profile X`;
// its message never contains a token.
std::string load_sso_access_token(
    const SsoLogin& login, const SharedConfig& cfg,
    std::chrono::system_clock::time_point now = std::chrono::system_clock::now(),
    std::chrono::milliseconds timeout = std::chrono::seconds(10));

// The CredentialsError text for a login that must be renewed.
std::string sso_login_hint(const SsoLogin& login, const std::string& reason);

}  // namespace s3tar::s3
