// A chain over providers, and the default chain in botocore's order.
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "s3tar/s3/credentials/credentials.h"

namespace s3tar::s3 {

// Asks each provider in turn; the first that returns credentials wins (Credentials::provider is
// set to its name). A provider that throws stops the chain: it is configured and broken, and
// silently falling through to other credentials would be a surprise. When nobody answers, load()
// throws CredentialsError listing the sources tried. `precheck`, when set, runs first on every
// load (the default chain checks there that a selected profile exists).
class ChainProvider : public CredentialsProvider {
 public:
  explicit ChainProvider(std::vector<std::shared_ptr<CredentialsProvider>> providers,
                         std::function<void()> precheck = {})
      : providers_(std::move(providers)), precheck_(std::move(precheck)) {}

  std::optional<Credentials> load() override;
  std::string name() const override { return "chain"; }

  // Name of the provider that answered the last successful load(), empty before.
  std::string last_provider() const;
  const std::vector<std::shared_ptr<CredentialsProvider>>& providers() const { return providers_; }

 private:
  std::vector<std::shared_ptr<CredentialsProvider>> providers_;
  std::function<void()> precheck_;
  mutable std::mutex mutex_;
  std::string last_;
};

// The providers that read one profile, in botocore's order: web identity, SSO, shared credentials
// file, credential_process, config file keys. The default chain's middle part, and how a
// source_profile's credentials are found (there with `ignore_environment`: web identity then
// reads the profile only).
std::vector<std::shared_ptr<CredentialsProvider>> profile_providers(const std::optional<std::string>& profile,
                                                                    const std::optional<std::string>& region,
                                                                    bool ignore_environment);

// botocore's default chain: environment -> assume-role profile -> web identity -> SSO profile ->
// shared credentials file -> credential_process -> config file keys -> container -> IMDS.
// `profile` is an explicit choice (--profile, the job config's connection.profile): that
// profile's credentials are used even when AWS_ACCESS_KEY_ID is set (the environment provider is
// left out, as in the AWS CLI). Unset, the profile is AWS_DEFAULT_PROFILE, AWS_PROFILE, else
// "default", and environment keys still come first. A selected profile that exists in neither
// file fails every load with "the config profile (X) could not be found". `region` is where the
// chain's STS calls go (the S3 client's region); unset, the environment's or the profile's.
std::shared_ptr<ChainProvider> make_default_chain(std::optional<std::string> profile = std::nullopt,
                                                  std::optional<std::string> region = std::nullopt);

class RefreshingProvider;
// The default chain wrapped in a RefreshingProvider: what the S3 client should use.
std::shared_ptr<RefreshingProvider> make_default_provider(std::optional<std::string> profile = std::nullopt,
                                                          std::optional<std::string> region = std::nullopt);

}  // namespace s3tar::s3
