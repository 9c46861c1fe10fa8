// IAM Identity Center (SSO) profiles (botocore's SSOProvider): sso_account_id + sso_role_name,
// with sso_start_url + sso_region either in the profile (legacy form) or in the
// [sso-session NAME] section the profile's sso_session names.
#pragma once

#include <chrono>
#include <optional>
#include <string>

#include "s3tar/s3/credentials/credentials.h"
#include "s3tar/s3/credentials/sso_token.h"

namespace s3tar::s3 {

// Resolves the profile's SSO settings: nullopt unless it has sso_account_id or sso_role_name;
// a CredentialsError when sso_session names a missing section, when the profile and the session
// disagree on a setting, or when a required setting is missing.
struct SsoProfile {
  SsoLogin login;
  std::string account_id;
  std::string role_name;
};
std::optional<SsoProfile> read_sso_profile(const SharedConfig& profile);

// Reads the cached access token (sso_token.h) and calls GetRoleCredentials:
// GET <portal>/federation/credentials?account_id=..&role_name=.. with the token in
// x-amz-sso_bearer_token, unsigned. The portal is https://portal.sso.<sso_region>.amazonaws.com
// unless configured (AWS_ENDPOINT_URL_SSO, AWS_ENDPOINT_URL, services, endpoint_url). A 401 (the
// login expired or was revoked) is a CredentialsError telling to run `aws sso login`; other
// refusals name the portal's message; transport errors, 429 and 5xx are retried and then a
// CredentialsTransientError.
class SsoProvider : public CredentialsProvider {
 public:
  explicit SsoProvider(std::optional<std::string> profile = std::nullopt,
                       std::chrono::milliseconds timeout = std::chrono::seconds(10), int max_attempts = 3)
      : profile_(std::move(profile)), timeout_(timeout), max_attempts_(max_attempts) {}

  std::optional<Credentials> load() override;
  std::string name() const override { return "sso"; }

 private:
  std::optional<std::string> profile_;
  std::chrono::milliseconds timeout_;
  int max_attempts_;
};

}  // namespace s3tar::s3
