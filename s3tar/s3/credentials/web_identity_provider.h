// STS AssumeRoleWithWebIdentity (EKS IRSA, GitHub OIDC, ...): AWS_WEB_IDENTITY_TOKEN_FILE +
// AWS_ROLE_ARN (+ AWS_ROLE_SESSION_NAME), or the profile's web_identity_token_file + role_arn
// (+ role_session_name).
#pragma once

#include <chrono>
#include <optional>
#include <string>

#include "s3tar/s3/credentials/credentials.h"

namespace s3tar::s3 {

// The request is unsigned (the token is the proof): a form POST of
// Action=AssumeRoleWithWebIdentity&Version=2011-06-15&RoleArn&RoleSessionName&WebIdentityToken to
// https://sts.<region>.amazonaws.com, region from AWS_REGION, AWS_DEFAULT_REGION, the profile's
// region, else us-east-1; the endpoint is overridden by AWS_ENDPOINT_URL_STS, then
// AWS_ENDPOINT_URL. The token file is re-read at each load() since it is rotated. Transport
// errors, 5xx and IDPCommunicationError are retried a few times.
class WebIdentityProvider : public CredentialsProvider {
 public:
  explicit WebIdentityProvider(std::optional<std::string> profile = std::nullopt,
                               std::chrono::milliseconds timeout = std::chrono::seconds(10),
                               int max_attempts = 3)
      : profile_(std::move(profile)), timeout_(timeout), max_attempts_(max_attempts) {}

  std::optional<Credentials> load() override;
  std::string name() const override { return "web-identity"; }

 private:
  std::optional<std::string> profile_;
  std::chrono::milliseconds timeout_;
  int max_attempts_;
};

// The STS endpoint the provider would use now (for diagnostics and tests).
std::string sts_endpoint(const std::optional<std::string>& profile = std::nullopt);

}  // namespace s3tar::s3
