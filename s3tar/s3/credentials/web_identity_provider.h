// STS AssumeRoleWithWebIdentity (EKS IRSA, GitHub OIDC, ...): AWS_WEB_IDENTITY_TOKEN_FILE +
// AWS_ROLE_ARN (+ AWS_ROLE_SESSION_NAME), or the profile's web_identity_token_file + role_arn
// (+ role_session_name).
#pragma once

#include <chrono>
#include <optional>
#include <string>

#include "s3tar/s3/credentials/credentials.h"

namespace s3tar::s3 {

// Each setting comes from its environment variable, else the profile (botocore's order); with
// `ignore_environment` (an explicitly selected profile) only from the profile. The request is
// unsigned (the token is the proof), sent to STS in `region` (default: AWS_REGION,
// AWS_DEFAULT_REGION, the profile's region, us-east-1) or the configured STS endpoint (see
// service_endpoints.h). The token file is re-read at each load() since it is rotated. Transport
// errors, 5xx and IDPCommunicationError are retried a few times.
class WebIdentityProvider : public CredentialsProvider {
 public:
  explicit WebIdentityProvider(std::optional<std::string> profile = std::nullopt,
                               std::chrono::milliseconds timeout = std::chrono::seconds(10),
                               int max_attempts = 3, std::optional<std::string> region = std::nullopt,
                               bool ignore_environment = false)
      : profile_(std::move(profile)),
        timeout_(timeout),
        max_attempts_(max_attempts),
        region_(std::move(region)),
        ignore_environment_(ignore_environment) {}

  std::optional<Credentials> load() override;
  std::string name() const override { return "web-identity"; }

 private:
  std::optional<std::string> profile_;
  std::chrono::milliseconds timeout_;
  int max_attempts_;
  std::optional<std::string> region_;
  bool ignore_environment_;
};

// "s3tar-<unix seconds>": the session name when none is configured.
std::string default_role_session_name();

}  // namespace s3tar::s3
