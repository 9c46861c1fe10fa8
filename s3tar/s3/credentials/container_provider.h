// The ECS / EKS Pod Identity container credentials endpoint.
#pragma once

#include <chrono>
#include <optional>
#include <string>

#include "s3tar/s3/credentials/credentials.h"

namespace s3tar::s3 {

// AWS_CONTAINER_CREDENTIALS_RELATIVE_URI -> GET http://169.254.170.2<uri>; otherwise
// AWS_CONTAINER_CREDENTIALS_FULL_URI, where plain http is only allowed to a loopback address or the
// ECS/EKS agent addresses (169.254.170.2, 169.254.170.23, fd00:ec2::23) and https anywhere. The
// Authorization header comes from the contents of AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE (re-read
// at each load, it is rotated), else AWS_CONTAINER_AUTHORIZATION_TOKEN. Response JSON:
// AccessKeyId, SecretAccessKey, Token, Expiration.
class ContainerProvider : public CredentialsProvider {
 public:
  explicit ContainerProvider(std::chrono::milliseconds connect_timeout = std::chrono::seconds(2),
                             std::chrono::milliseconds total_timeout = std::chrono::seconds(5),
                             int max_attempts = 3)
      : connect_timeout_(connect_timeout), total_timeout_(total_timeout), max_attempts_(max_attempts) {}

  std::optional<Credentials> load() override;
  std::string name() const override { return "container"; }

 private:
  std::chrono::milliseconds connect_timeout_, total_timeout_;
  int max_attempts_;
};

// Whether a FULL_URI may be used: https anywhere, http only to the allowed hosts.
bool container_full_uri_allowed(const std::string& url);

// Parses the JSON document served by the container endpoint and by IMDS; `context` prefixes errors.
Credentials parse_metadata_credentials(const std::string& body, const std::string& context);

}  // namespace s3tar::s3
