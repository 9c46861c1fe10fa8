#include "s3tar/s3/credentials/chain_provider.h"

#include <fmt/format.h>

#include "s3tar/s3/credentials/container_provider.h"
#include "s3tar/s3/credentials/environment_provider.h"
#include "s3tar/s3/credentials/imds_provider.h"
#include "s3tar/s3/credentials/process_provider.h"
#include "s3tar/s3/credentials/profile_provider.h"
#include "s3tar/s3/credentials/refreshing_provider.h"
#include "s3tar/s3/credentials/web_identity_provider.h"

namespace s3tar::s3 {

std::optional<Credentials> ChainProvider::load() {
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

std::shared_ptr<ChainProvider> make_default_chain(std::optional<std::string> profile) {
  using Kind = UnsupportedProfileProvider::Kind;
  using Source = ProfileProvider::Source;
  std::vector<std::shared_ptr<CredentialsProvider>> providers{
      std::make_shared<EnvironmentProvider>(),
      std::make_shared<UnsupportedProfileProvider>(profile, Kind::AssumeRole),
      std::make_shared<WebIdentityProvider>(profile),
      std::make_shared<UnsupportedProfileProvider>(profile, Kind::Sso),
      std::make_shared<ProfileProvider>(profile, Source::CredentialsFile),
      std::make_shared<ProcessProvider>(profile),
      std::make_shared<ProfileProvider>(profile, Source::ConfigFile),
      std::make_shared<ContainerProvider>(),
      std::make_shared<ImdsProvider>(),
  };
  return std::make_shared<ChainProvider>(std::move(providers));
}

std::shared_ptr<RefreshingProvider> make_default_provider(std::optional<std::string> profile) {
  return std::make_shared<RefreshingProvider>(make_default_chain(std::move(profile)));
}

}  // namespace s3tar::s3
