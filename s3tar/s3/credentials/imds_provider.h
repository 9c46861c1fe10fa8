// EC2 instance profile credentials through IMDSv2.
#pragma once

#include <chrono>
#include <optional>
#include <string>

#include "s3tar/s3/credentials/credentials.h"

namespace s3tar::s3 {

// Disabled by AWS_EC2_METADATA_DISABLED=true. Endpoint http://169.254.169.254, overridden by
// AWS_EC2_METADATA_SERVICE_ENDPOINT. PUT /latest/api/token (X-aws-ec2-metadata-token-ttl-seconds:
// 21600), then GET /latest/meta-data/iam/security-credentials/ for the role name and
// .../<role> for the JSON, both with X-aws-ec2-metadata-token. When the token PUT is answered
// 403/404/405 it falls back to IMDSv1 like botocore, unless AWS_EC2_METADATA_V1_DISABLED=true.
//
// Short timeouts so a host without IMDS does not stall: the token PUT is tried once (an
// unreachable or silent endpoint means "no IMDS here": nullopt); the GETs, against an endpoint
// that has just answered, are retried at most once.
class ImdsProvider : public CredentialsProvider {
 public:
  explicit ImdsProvider(std::chrono::milliseconds connect_timeout = std::chrono::seconds(1),
                        std::chrono::milliseconds total_timeout = std::chrono::seconds(1))
      : connect_timeout_(connect_timeout), total_timeout_(total_timeout) {}

  std::optional<Credentials> load() override;
  std::string name() const override { return "imds"; }

 private:
  std::chrono::milliseconds connect_timeout_, total_timeout_;
};

// The IMDS base URL the provider would use now, without a trailing slash.
std::string imds_endpoint();

}  // namespace s3tar::s3
