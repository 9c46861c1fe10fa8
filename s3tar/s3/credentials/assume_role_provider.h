// Assume-role profiles (botocore's AssumeRoleProvider): a profile with role_arn and either
// source_profile (whose credentials call STS AssumeRole; it may assume a role itself: chains) or
// credential_source (Environment, Ec2InstanceMetadata or EcsContainer).
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "s3tar/s3/credentials/credentials.h"
#include "s3tar/s3/credentials/shared_config.h"

namespace s3tar::s3 {

// The assume-role settings of one profile, validated.
struct RoleConfig {
  std::string role_arn;
  std::optional<std::string> source_profile;
  std::optional<std::string> credential_source;  // canonical spelling: "Environment", ...
  std::optional<std::string> external_id;
  std::optional<std::string> role_session_name;
  std::optional<int> duration_seconds;
};

// Whether the profile assumes a role (role_arn without web_identity_token_file, which is the web
// identity provider's).
bool is_assume_role_profile(const SharedConfig& profile);

// Reads and checks the profile's role settings: exactly one of source_profile and
// credential_source, a known credential_source, a whole-number duration_seconds, and no
// mfa_serial (an MFA code would need a prompt, which a batch job cannot answer). Throws
// CredentialsError naming the profile and the setting.
RoleConfig read_role_config(const SharedConfig& profile);

// Loads nothing (nullopt) unless the selected profile assumes a role. Otherwise resolves the
// source credentials (a source_profile through its own providers with the environment ignored,
// or its own role, recursively; a credential_source through that provider), then calls
// AssumeRole with RoleArn, RoleSessionName (role_session_name, else "s3tar-<time>"),
// ExternalId and DurationSeconds when set. Every STS call goes to the STS of `region` (default:
// AWS_REGION, AWS_DEFAULT_REGION, the profile's region, us-east-1) or the STS endpoint configured
// for the selected profile (AWS_ENDPOINT_URL_STS, AWS_ENDPOINT_URL, services, endpoint_url).
// A source_profile that is missing, has no credentials, or leads back to a visited profile is a
// CredentialsError (a profile may name itself as its source when it holds static keys).
class AssumeRoleProvider : public CredentialsProvider {
 public:
  explicit AssumeRoleProvider(std::optional<std::string> profile = std::nullopt,
                              std::optional<std::string> region = std::nullopt,
                              std::chrono::milliseconds timeout = std::chrono::seconds(10),
                              int max_attempts = 3)
      : profile_(std::move(profile)),
        region_(std::move(region)),
        timeout_(timeout),
        max_attempts_(max_attempts) {}

  std::optional<Credentials> load() override;
  std::string name() const override { return "assume-role"; }

 private:
  Credentials assume(const SharedConfig& top, const std::string& profile, std::vector<std::string>& visited);
  Credentials source_credentials(const SharedConfig& top, const std::string& profile, const RoleConfig& role,
                                 std::vector<std::string>& visited);

  std::optional<std::string> profile_;
  std::optional<std::string> region_;
  std::chrono::milliseconds timeout_;
  int max_attempts_;
};

}  // namespace s3tar::s3
