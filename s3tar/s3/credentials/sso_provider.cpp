#include "s3tar/s3/credentials/sso_provider.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>
#include <thread>

#include "s3tar/s3/credentials/http_fetch.h"
#include "s3tar/s3/credentials/service_endpoints.h"
#include "s3tar/s3/credentials/shared_config.h"
#include "s3tar/s3/credentials/support.h"

namespace s3tar::s3 {

using namespace credentials_detail;
using json = nlohmann::json;

namespace {

std::optional<std::string> setting(const SharedConfig& profile, const char* key) {
  auto v = profile.value(key);
  if (v) *v = trim(*v);
  if (v && v->empty()) v.reset();
  return v;
}

std::string portal_message(const std::string& body) {
  try {
    json doc = json::parse(body);
    for (const char* key : {"message", "Message"}) {
      auto it = doc.find(key);
      if (it != doc.end() && it->is_string()) return it->get<std::string>();
    }
  } catch (const json::exception&) {
  }
  return {};
}

Credentials parse_role_credentials(const std::string& body, const std::string& context) {
  json doc;
  try {
    doc = json::parse(body);
  } catch (const json::exception&) {
    throw CredentialsError(fmt::format("{}: response is not valid JSON", context));  // never quote the body
  }
  auto rc = doc.find("roleCredentials");
  if (rc == doc.end() || !rc->is_object()) {
    throw CredentialsError(fmt::format("{}: response has no roleCredentials", context));
  }
  auto str = [&](const char* key) {
    auto it = rc->find(key);
    return it != rc->end() && it->is_string() ? it->get<std::string>() : std::string();
  };
  Credentials c;
  c.access_key_id = str("accessKeyId");
  c.secret_access_key = str("secretAccessKey");
  c.session_token = str("sessionToken");
  if (c.access_key_id.empty() || c.secret_access_key.empty() || c.session_token.empty()) {
    throw CredentialsError(
        fmt::format("{}: response lacks accessKeyId, secretAccessKey or sessionToken", context));
  }
  auto exp = rc->find("expiration");
  if (exp != rc->end() && exp->is_number()) {  // epoch milliseconds
    c.expiration = std::chrono::system_clock::time_point(std::chrono::milliseconds(exp->get<long long>()));
  }
  return c;
}

}  // namespace

std::optional<SsoProfile> read_sso_profile(const SharedConfig& profile) {
  const std::string& name = profile.profile();
  if (!setting(profile, "sso_account_id") && !setting(profile, "sso_role_name")) return std::nullopt;
  std::map<std::string, std::string> merged;
  for (const char* key : {"sso_start_url", "sso_region", "sso_account_id", "sso_role_name"}) {
    if (auto v = setting(profile, key)) merged[key] = *v;
  }
  auto session = setting(profile, "sso_session");
  if (session) {
    const IniSection* section = profile.sso_session(*session);
    if (!section) {
      throw CredentialsError(
          fmt::format("profile '{}' names sso_session '{}', but '{}' has no [sso-session {}]", name, *session,
                      profile.config_path(), *session));
    }
    for (const auto& [key, raw] : *section) {
      const std::string value = trim(raw);
      auto it = merged.find(key);
      if (it != merged.end() && it->second != value) {
        throw CredentialsError(fmt::format("profile '{}' and sso-session '{}' disagree on {} ('{}' vs '{}')",
                                           name, *session, key, it->second, value));
      }
      merged[key] = value;
    }
  }
  std::string missing;
  for (const char* key : {"sso_start_url", "sso_region", "sso_account_id", "sso_role_name"}) {
    if (merged[key].empty()) missing += (missing.empty() ? "" : ", ") + std::string(key);
  }
  if (!missing.empty()) {
    throw CredentialsError(
        fmt::format("profile '{}' is configured for IAM Identity Center (SSO) but lacks {}", name, missing));
  }
  SsoProfile p;
  p.login = SsoLogin{name, merged["sso_start_url"], merged["sso_region"], session};
  p.account_id = merged["sso_account_id"];
  p.role_name = merged["sso_role_name"];
  return p;
}

std::optional<Credentials> SsoProvider::load() {
  const SharedConfig cfg = SharedConfig::load(profile_);
  cfg.require_profile();
  auto sso = read_sso_profile(cfg);
  if (!sso) return std::nullopt;
  const std::string token =
      load_sso_access_token(sso->login, cfg, std::chrono::system_clock::now(), timeout_);

  HttpRequest req;
  req.url = sso_portal_endpoint(cfg, sso->login.region).url +
            "/federation/credentials?account_id=" + url_encode(sso->account_id) +
            "&role_name=" + url_encode(sso->role_name);
  req.headers = {{"x-amz-sso_bearer_token", token}, {"Accept", "application/json"}};
  req.connect_timeout = std::min(timeout_, std::chrono::milliseconds(5000));
  req.total_timeout = timeout_;
  req.use_proxy = true;
  req.ca_bundle = ca_bundle_for(cfg);
  const std::string context = fmt::format(
      "IAM Identity Center GetRoleCredentials for role '{}' in account {}", sso->role_name, sso->account_id);
  for (int attempt = 1;; ++attempt) {
    std::string failure;
    bool retryable = false;
    try {
      auto resp = http_fetch(req);
      if (resp.status == 200) {
        Credentials c = parse_role_credentials(resp.body, context);
        c.provider = name();
        return c;
      }
      const std::string message = truncate(redact(portal_message(resp.body), {token}), 300);
      if (resp.status == 401) {
        throw CredentialsError(sso_login_hint(
            sso->login,
            fmt::format("{}: the SSO session of profile '{}' has expired or is otherwise invalid{}{}",
                        context, sso->login.profile, message.empty() ? "" : ": ", message)));
      }
      failure = fmt::format("HTTP {}{}{}", resp.status, message.empty() ? "" : ": ", message);
      retryable = resp.status >= 500 || resp.status == 429;
    } catch (const HttpTransportError& e) {
      failure = redact(e.what(), {token});
      retryable = true;
    }
    if (!retryable) throw CredentialsError(fmt::format("{} failed: {}", context, failure));
    if (attempt >= max_attempts_) {
      throw CredentialsTransientError(
          fmt::format("{} failed after {} attempt(s): {}", context, attempt, failure));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100 * attempt * attempt));
  }
}

}  // namespace s3tar::s3
