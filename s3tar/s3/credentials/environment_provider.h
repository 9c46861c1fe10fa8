// Credentials from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN (and the legacy
// AWS_ACCESS_KEY / AWS_SECRET_KEY), read at every load().
#pragma once

#include "s3tar/s3/credentials/credentials.h"

namespace s3tar::s3 {

class EnvironmentProvider : public CredentialsProvider {
 public:
  // nullopt when neither key is set; CredentialsError when only one half of the pair is.
  std::optional<Credentials> load() override;
  std::string name() const override { return "environment"; }
};

}  // namespace s3tar::s3
