#include "s3tar/s3/credentials/sso_token.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "s3tar/s3/credentials/credentials.h"
#include "s3tar/s3/credentials/http_fetch.h"
#include "s3tar/s3/credentials/service_endpoints.h"
#include "s3tar/s3/credentials/support.h"

namespace s3tar::s3 {

using namespace credentials_detail;
using json = nlohmann::json;
using std::chrono::system_clock;

namespace {

constexpr std::chrono::minutes kRefreshWindow{15};  // botocore's SSOTokenProvider._REFRESH_WINDOW

std::string json_string(const json& doc, const char* key) {
  auto it = doc.find(key);
  return it != doc.end() && it->is_string() ? it->get<std::string>() : std::string();
}

std::string utc_timestamp(system_clock::time_point t) {
  std::time_t secs = system_clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

// Replaces the cache file atomically, readable by its owner only (as the AWS CLI writes it).
void write_cache_file(const std::string& path, const std::string& text) {
  const std::string tmp = path + ".s3tar-" + std::to_string(::getpid());
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) throw CredentialsError(fmt::format("cannot write the SSO token cache '{}'", path));
  bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
  ok = ::close(fd) == 0 && ok;
  if (!ok || std::rename(tmp.c_str(), path.c_str()) != 0) {
    ::unlink(tmp.c_str());
    throw CredentialsError(fmt::format("cannot write the SSO token cache '{}'", path));
  }
}

// SSO OIDC CreateToken with the refresh token; the renewed cache document, or nullopt when the
// service refused or could not be reached (the caller falls back to the old token).
std::optional<json> refresh_token(const SsoLogin& login, const SharedConfig& cfg, const json& cached,
                                  system_clock::time_point now, std::chrono::milliseconds timeout) {
  const std::string refresh = json_string(cached, "refreshToken");
  const std::string client_id = json_string(cached, "clientId");
  const std::string client_secret = json_string(cached, "clientSecret");
  auto registration = parse_iso8601(json_string(cached, "registrationExpiresAt"));
  if (refresh.empty() || client_id.empty() || client_secret.empty() || !registration ||
      *registration <= now) {
    return std::nullopt;
  }
  HttpRequest req;
  req.method = "POST";
  req.url = sso_oidc_endpoint(cfg, login.region).url + "/token";
  req.headers = {{"Content-Type", "application/json"}};
  req.body = json{
      {"grantType", "refresh_token"},
      {"clientId", client_id},
      {"clientSecret", client_secret},
      {"refreshToken",
       refresh}}.dump();
  req.connect_timeout = std::min(timeout, std::chrono::milliseconds(5000));
  req.total_timeout = timeout;
  req.use_proxy = true;
  req.ca_bundle = ca_bundle_for(cfg);
  try {
    auto resp = http_fetch(req);
    if (resp.status != 200) return std::nullopt;
    json answer = json::parse(resp.body);
    const std::string access = json_string(answer, "accessToken");
    auto expires_in = answer.find("expiresIn");
    if (access.empty() || expires_in == answer.end() || !expires_in->is_number()) return std::nullopt;
    json renewed = cached;
    renewed["accessToken"] = access;
    renewed["expiresAt"] = utc_timestamp(now + std::chrono::seconds(expires_in->get<long long>()));
    if (auto r = json_string(answer, "refreshToken"); !r.empty()) renewed["refreshToken"] = r;
    return renewed;
  } catch (const HttpTransportError&) {
    return std::nullopt;
  } catch (const json::exception&) {
    return std::nullopt;
  }
}

}  // namespace

std::string sso_login_hint(const SsoLogin& login, const std::string& reason) {
  return fmt::format("{}; run `aws sso login --profile {}`", reason, login.profile);
}

std::string sso_token_cache_path(const SsoLogin& login) {
  const std::string home = env("HOME").value_or(".");
  return home + "/.aws/sso/cache/" + sha1_hex(login.session_name ? *login.session_name : login.start_url) +
         ".json";
}

std::string load_sso_access_token(const SsoLogin& login, const SharedConfig& cfg,
                                  system_clock::time_point now, std::chrono::milliseconds timeout) {
  const std::string path = sso_token_cache_path(login);
  const std::string what = login.session_name ? fmt::format("sso-session '{}'", *login.session_name)
                                              : "start URL " + login.start_url;
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) {
    throw CredentialsError(
        sso_login_hint(login, fmt::format("profile '{}' uses IAM Identity Center ({}) but there "
                                          "is no cached SSO token ('{}')",
                                          login.profile, what, path)));
  }
  json doc;
  try {
    doc = json::parse(read_file(path, "SSO token cache"));
  } catch (const json::exception&) {
    throw CredentialsError(
        sso_login_hint(login, fmt::format("the SSO token cache '{}' is not valid JSON", path)));
  }
  std::string token = json_string(doc, "accessToken");
  auto expires = parse_iso8601(json_string(doc, "expiresAt"));
  if (token.empty() || !expires) {
    throw CredentialsError(sso_login_hint(
        login, fmt::format("the SSO token cache '{}' lacks accessToken or a valid expiresAt", path)));
  }
  if (login.session_name && *expires - kRefreshWindow < now) {
    if (auto renewed = refresh_token(login, cfg, doc, now, timeout)) {
      write_cache_file(path, renewed->dump());
      token = json_string(*renewed, "accessToken");
      expires = parse_iso8601(json_string(*renewed, "expiresAt"));
    }
  }
  if (*expires <= now) {
    throw CredentialsError(
        sso_login_hint(login, fmt::format("the SSO session of profile '{}' ({}) expired at {}", login.profile,
                                          what, utc_timestamp(*expires))));
  }
  return token;
}

}  // namespace s3tar::s3
