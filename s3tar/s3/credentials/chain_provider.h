// A chain over providers, and the default chain in botocore's order.
#pragma once

#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "s3tar/s3/credentials/credentials.h"

namespace s3tar::s3 {

// Asks each provider in turn; the first that returns credentials wins (Credentials::provider is
// set to its name). A provider that throws CredentialsError stops the chain: it is configured and
// broken, and silently falling through to other credentials would be a surprise. When nobody
// answers, load() throws CredentialsError listing the sources tried.
class ChainProvider : public CredentialsProvider {
 public:
  explicit ChainProvider(std::vector<std::shared_ptr<CredentialsProvider>> providers)
      : providers_(std::move(providers)) {}

  std::optional<Credentials> load() override;
  std::string name() const override { return "chain"; }

  // Name of the provider that answered the last successful load(), empty before.
  std::string last_provider() const;
  const std::vector<std::shared_ptr<CredentialsProvider>>& providers() const { return providers_; }

 private:
  std::vector<std::shared_ptr<CredentialsProvider>> providers_;
  mutable std::mutex mutex_;
  std::string last_;
};

// botocore's order, minus what this tool does not implement (those fail loudly instead):
// environment -> assume-role profile (unsupported: error) -> web identity -> SSO profile
// (unsupported: error) -> shared credentials file -> credential_process -> config file keys ->
// container -> IMDS. `profile` is the CLI's --profile; unset means AWS_PROFILE, else "default".
std::shared_ptr<ChainProvider> make_default_chain(std::optional<std::string> profile = std::nullopt);

class RefreshingProvider;
// The default chain wrapped in a RefreshingProvider: what the S3 client should use.
std::shared_ptr<RefreshingProvider> make_default_provider(std::optional<std::string> profile = std::nullopt);

}  // namespace s3tar::s3
