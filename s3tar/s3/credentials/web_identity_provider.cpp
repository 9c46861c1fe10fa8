#include "s3tar/s3/credentials/web_identity_provider.h"

#include <fmt/format.h>

#include "s3tar/s3/credentials/service_endpoints.h"
#include "s3tar/s3/credentials/shared_config.h"
#include "s3tar/s3/credentials/sts_client.h"
#include "s3tar/s3/credentials/support.h"

namespace s3tar::s3 {

using credentials_detail::env;
using credentials_detail::read_file;
using credentials_detail::trim;

std::string default_role_session_name() {
  return fmt::format("s3tar-{}", std::chrono::duration_cast<std::chrono::seconds>(
                                     std::chrono::system_clock::now().time_since_epoch())
                                     .count());
}

std::optional<Credentials> WebIdentityProvider::load() {
  const auto cfg = SharedConfig::load(profile_);
  auto setting = [&](const char* env_name, const char* key) -> std::optional<std::string> {
    if (!ignore_environment_) {
      if (auto v = env(env_name)) return v;
    }
    std::optional<std::string> v = cfg.value(key);
    if (!v || v->empty()) return std::nullopt;
    return v;
  };
  auto token_file = setting("AWS_WEB_IDENTITY_TOKEN_FILE", "web_identity_token_file");
  if (!token_file) return std::nullopt;
  auto role_arn = setting("AWS_ROLE_ARN", "role_arn");
  if (!role_arn) {
    throw CredentialsError(
        fmt::format("web identity token file '{}' is configured but no role ARN (AWS_ROLE_ARN or role_arn)",
                    *token_file));
  }
  auto session_name =
      setting("AWS_ROLE_SESSION_NAME", "role_session_name").value_or(default_role_session_name());
  std::string token = trim(read_file(*token_file, "web identity token file"));
  if (token.empty())
    throw CredentialsError(fmt::format("web identity token file '{}' is empty", *token_file));

  StsRequest req;
  req.action = "AssumeRoleWithWebIdentity";
  req.params = {{"RoleArn", *role_arn}, {"RoleSessionName", session_name}, {"WebIdentityToken", token}};
  req.endpoint = sts_endpoint(cfg, region_ ? *region_ : default_region(cfg));
  req.ca_bundle = ca_bundle_for(cfg);
  req.context = fmt::format("STS AssumeRoleWithWebIdentity for role '{}'", *role_arn);
  req.secrets = {token};
  req.timeout = timeout_;
  req.max_attempts = max_attempts_;
  Credentials c = sts_call(req);
  c.provider = name();
  return c;
}

}  // namespace s3tar::s3
