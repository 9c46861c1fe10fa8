#include "s3tar/s3/credentials/assume_role_provider.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <memory>

#include "s3tar/s3/credentials/chain_provider.h"
#include "s3tar/s3/credentials/container_provider.h"
#include "s3tar/s3/credentials/environment_provider.h"
#include "s3tar/s3/credentials/imds_provider.h"
#include "s3tar/s3/credentials/service_endpoints.h"
#include "s3tar/s3/credentials/sts_client.h"
#include "s3tar/s3/credentials/support.h"
#include "s3tar/s3/credentials/web_identity_provider.h"

namespace s3tar::s3 {

using credentials_detail::trim;

namespace {

std::optional<std::string> setting(const SharedConfig& profile, const char* key) {
  auto v = profile.value(key);
  if (v) *v = trim(*v);
  if (v && v->empty()) v.reset();
  return v;
}

bool has_static_keys(const SharedConfig& profile) {
  return profile.value("aws_access_key_id") || profile.value("aws_secret_access_key");
}

bool same_ignoring_case(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

std::string visited_path(const std::vector<std::string>& visited, const std::string& next) {
  std::string path;
  for (const auto& v : visited) path += v + " -> ";
  return path + next;
}

}  // namespace

bool is_assume_role_profile(const SharedConfig& profile) {
  return profile.value("role_arn").has_value() && !profile.value("web_identity_token_file").has_value();
}

RoleConfig read_role_config(const SharedConfig& profile) {
  const std::string& name = profile.profile();
  RoleConfig role;
  role.role_arn = setting(profile, "role_arn").value_or("");
  if (role.role_arn.empty()) throw CredentialsError(fmt::format("profile '{}' has an empty role_arn", name));
  role.source_profile = setting(profile, "source_profile");
  role.external_id = setting(profile, "external_id");
  role.role_session_name = setting(profile, "role_session_name");
  if (setting(profile, "mfa_serial")) {
    throw CredentialsError(fmt::format(
        "profile '{}' assumes role '{}' with mfa_serial: an MFA code would have to be typed in, which an "
        "unattended run cannot do; use a role without MFA, or export temporary credentials obtained with the "
        "code (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN)",
        name, role.role_arn));
  }
  if (auto source = setting(profile, "credential_source")) {
    for (const char* known : {"Environment", "Ec2InstanceMetadata", "EcsContainer"}) {
      if (same_ignoring_case(*source, known)) role.credential_source = known;
    }
    if (!role.credential_source) {
      throw CredentialsError(
          fmt::format("profile '{}': credential_source '{}' is not valid (Environment, Ec2InstanceMetadata "
                      "or EcsContainer)",
                      name, *source));
    }
  }
  if (role.source_profile && role.credential_source) {
    throw CredentialsError(fmt::format("profile '{}' has both source_profile and credential_source", name));
  }
  if (!role.source_profile && !role.credential_source) {
    throw CredentialsError(
        fmt::format("profile '{}' has role_arn but neither source_profile nor credential_source", name));
  }
  if (auto d = setting(profile, "duration_seconds")) {
    try {
      std::size_t used = 0;
      int v = std::stoi(*d, &used);
      if (used != d->size() || v <= 0) throw std::invalid_argument("range");
      role.duration_seconds = v;
    } catch (const std::exception&) {
      throw CredentialsError(fmt::format(
          "profile '{}': duration_seconds must be a whole number of seconds, not '{}'", name, *d));
    }
  }
  return role;
}

std::optional<Credentials> AssumeRoleProvider::load() {
  const SharedConfig top = SharedConfig::load(profile_);
  top.require_profile();
  if (!is_assume_role_profile(top)) return std::nullopt;
  std::vector<std::string> visited{top.profile()};
  return assume(top, top.profile(), visited);
}

Credentials AssumeRoleProvider::assume(const SharedConfig& top, const std::string& profile,
                                       std::vector<std::string>& visited) {
  const RoleConfig role = read_role_config(top.with_profile(profile));
  StsRequest req;
  req.action = "AssumeRole";
  req.signer = source_credentials(top, profile, role, visited);
  req.params = {{"RoleArn", role.role_arn},
                {"RoleSessionName", role.role_session_name.value_or(default_role_session_name())}};
  if (role.external_id) req.params.emplace_back("ExternalId", *role.external_id);
  if (role.duration_seconds)
    req.params.emplace_back("DurationSeconds", std::to_string(*role.duration_seconds));
  req.endpoint = sts_endpoint(top, region_ ? *region_ : default_region(top));
  req.ca_bundle = ca_bundle_for(top);
  req.context = fmt::format("STS AssumeRole of role '{}' (profile '{}')", role.role_arn, profile);
  req.timeout = timeout_;
  req.max_attempts = max_attempts_;
  Credentials c = sts_call(req);
  c.provider = name();
  return c;
}

Credentials AssumeRoleProvider::source_credentials(const SharedConfig& top, const std::string& profile,
                                                   const RoleConfig& role,
                                                   std::vector<std::string>& visited) {
  if (role.credential_source) {
    std::unique_ptr<CredentialsProvider> source;
    if (*role.credential_source == "Environment") {
      source = std::make_unique<EnvironmentProvider>();
    } else if (*role.credential_source == "Ec2InstanceMetadata") {
      source = std::make_unique<ImdsProvider>();
    } else {
      source = std::make_unique<ContainerProvider>();
    }
    if (auto c = source->load()) return *c;
    throw CredentialsError(fmt::format("profile '{}': credential_source {} found no credentials", profile,
                                       *role.credential_source));
  }
  const std::string& source_name = *role.source_profile;
  if (!top.has_profile(source_name)) {
    throw CredentialsError(fmt::format("profile '{}': source_profile '{}' does not exist in '{}' or '{}'",
                                       profile, source_name, top.config_path(), top.credentials_path()));
  }
  const SharedConfig source = top.with_profile(source_name);
  if (std::find(visited.begin(), visited.end(), source_name) != visited.end() &&
      (source_name != profile || !has_static_keys(source))) {
    throw CredentialsError(
        fmt::format("assume-role profiles form a loop: {}", visited_path(visited, source_name)));
  }
  visited.push_back(source_name);
  if (has_static_keys(source) || !is_assume_role_profile(source)) {
    for (const auto& provider : profile_providers(source_name, region_, true)) {
      if (auto c = provider->load()) return *c;
    }
    throw CredentialsError(
        fmt::format("profile '{}': source_profile '{}' has no credentials", profile, source_name));
  }
  return assume(top, source_name, visited);
}

}  // namespace s3tar::s3
