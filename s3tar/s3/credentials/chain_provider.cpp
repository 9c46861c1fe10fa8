#include "s3tar/s3/credentials/chain_provider.h"

#include <fmt/format.h>

#include "s3tar/s3/credentials/assume_role_provider.h"
#include "s3tar/s3/credentials/container_provider.h"
#include "s3tar/s3/credentials/environment_provider.h"
#include "s3tar/s3/credentials/imds_provider.h"
#include "s3tar/s3/credentials/process_provider.h"
#include "s3tar/s3/credentials/profile_provider.h"
#include "s3tar/s3/credentials/refreshing_provider.h"
#include "s3tar/s3/credentials/shared_config.h"
#include "s3tar/s3/credentials/sso_provider.h"
#include "s3tar/s3/credentials/web_identity_provider.h"

namespace s3tar::s3 {

std::optional<Credentials> ChainProvider::load() {
  if (precheck_) precheck_();
  std::string tried;
  for (const auto& p : providers_) {
    auto c = p->load();
    if (c) {
      if (c->provider.empty()) c->provider = p->name();
      std::lock_guard lock(mutex_);
      last_ = c->provider;
      return c;
    }
    tried += tried.empty() ? "" : ", ";
    tried += p->name();
  }
  throw CredentialsError(fmt::format(
      "no AWS credentials found (tried: {}); set AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, a profile "
      "(--profile or AWS_PROFILE), or run where a container or instance role is available",
      tried));
}

std::string ChainProvider::last_provider() const {
  std::lock_guard lock(mutex_);
  return last_;
}

std::vector<std::shared_ptr<CredentialsProvider>> profile_providers(const std::optional<std::string>& profile,
                                                                    const std::optional<std::string>& region,
                                                                    bool ignore_environment) {
  using Source = ProfileProvider::Source;
  const auto timeout = std::chrono::seconds(10);
  return {
      std::make_shared<WebIdentityProvider>(profile, timeout, 3, region, ignore_environment),
      std::make_shared<SsoProvider>(profile),
      std::make_shared<ProfileProvider>(profile, Source::CredentialsFile),
      std::make_shared<ProcessProvider>(profile),
      std::make_shared<ProfileProvider>(profile, Source::ConfigFile),
  };
}

std::shared_ptr<ChainProvider> make_default_chain(std::optional<std::string> profile,
                                                  std::optional<std::string> region) {
  if (profile && profile->empty()) profile.reset();
  const bool explicit_profile = profile.has_value();
  std::vector<std::shared_ptr<CredentialsProvider>> providers;
  if (!explicit_profile) providers.push_back(std::make_shared<EnvironmentProvider>());
  providers.push_back(std::make_shared<AssumeRoleProvider>(profile, region));
  for (auto& p : profile_providers(profile, region, explicit_profile)) providers.push_back(std::move(p));
  providers.push_back(std::make_shared<ContainerProvider>());
  providers.push_back(std::make_shared<ImdsProvider>());
  return std::make_shared<ChainProvider>(std::move(providers),
                                         [profile] { SharedConfig::load(profile).require_profile(); });
}

std::shared_ptr<RefreshingProvider> make_default_provider(std::optional<std::string> profile,
                                                          std::optional<std::string> region) {
  // Reload 5 minutes before expiry at the latest; from 15 minutes before (botocore's advisory
  // window), in the background while the cached credentials keep signing.
  return std::make_shared<RefreshingProvider>(make_default_chain(std::move(profile), std::move(region)),
                                              std::chrono::minutes(5), RefreshingProvider::Clock{},
                                              std::chrono::minutes(15));
}

}  // namespace s3tar::s3
