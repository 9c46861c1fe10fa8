#include "s3tar/s3/credentials/web_identity_provider.h"

#include <fmt/format.h>

#include <algorithm>
#include <pugixml.hpp>
#include <thread>

#include "s3tar/s3/credentials/http_fetch.h"
#include "s3tar/s3/credentials/shared_config.h"
#include "s3tar/s3/credentials/support.h"

namespace s3tar::s3 {

using namespace credentials_detail;

namespace {

std::string region_for(const std::optional<std::string>& profile) {
  if (auto r = env("AWS_REGION")) return *r;
  if (auto r = env("AWS_DEFAULT_REGION")) return *r;
  if (auto r = profile_setting(profile, "region")) return *r;
  return "us-east-1";
}

// Child element text by local name, ignoring XML namespaces prefixes.
pugi::xml_node child(pugi::xml_node node, const char* name) {
  for (auto c : node.children()) {
    std::string_view n = c.name();
    auto colon = n.find(':');
    if (colon != std::string_view::npos) n.remove_prefix(colon + 1);
    if (n == name) return c;
  }
  return {};
}

}  // namespace

std::string sts_endpoint(const std::optional<std::string>& profile) {
  std::string url;
  if (auto e = env("AWS_ENDPOINT_URL_STS")) {
    url = *e;
  } else if (auto g = env("AWS_ENDPOINT_URL")) {
    url = *g;
  } else {
    std::string region = region_for(profile);
    url = fmt::format("https://sts.{}.amazonaws.com{}", region, region.rfind("cn-", 0) == 0 ? ".cn" : "");
  }
  while (!url.empty() && url.back() == '/') url.pop_back();
  return url + "/";
}

std::optional<Credentials> WebIdentityProvider::load() {
  std::optional<std::string> token_file = env("AWS_WEB_IDENTITY_TOKEN_FILE");
  std::optional<std::string> role_arn, session_name;
  if (token_file) {
    role_arn = env("AWS_ROLE_ARN");
    session_name = env("AWS_ROLE_SESSION_NAME");
  } else {
    auto cfg = SharedConfig::load(profile_);
    token_file = cfg.value("web_identity_token_file");
    if (!token_file || token_file->empty()) return std::nullopt;
    role_arn = cfg.value("role_arn");
    session_name = cfg.value("role_session_name");
  }
  if (!role_arn || role_arn->empty()) {
    throw CredentialsError(
        fmt::format("web identity token file '{}' is configured but no role ARN (AWS_ROLE_ARN or role_arn)",
                    *token_file));
  }
  if (!session_name || session_name->empty()) {
    session_name = fmt::format("s3tar-{}", std::chrono::duration_cast<std::chrono::seconds>(
                                               std::chrono::system_clock::now().time_since_epoch())
                                               .count());
  }
  std::string token = trim(read_file(*token_file, "web identity token file"));
  if (token.empty())
    throw CredentialsError(fmt::format("web identity token file '{}' is empty", *token_file));

  HttpRequest req;
  req.method = "POST";
  req.url = sts_endpoint(profile_);
  req.headers = {{"Content-Type", "application/x-www-form-urlencoded; charset=utf-8"},
                 {"Accept", "application/xml"}};
  req.body = "Action=AssumeRoleWithWebIdentity&Version=2011-06-15&RoleArn=" + url_encode(*role_arn) +
             "&RoleSessionName=" + url_encode(*session_name) + "&WebIdentityToken=" + url_encode(token);
  req.connect_timeout = std::min(timeout_, std::chrono::milliseconds(5000));
  req.total_timeout = timeout_;
  req.use_proxy = true;

  const std::string context = fmt::format("STS AssumeRoleWithWebIdentity for role '{}'", *role_arn);
  HttpResponse resp;
  for (int attempt = 1;; ++attempt) {
    bool retryable = false;
    std::string failure;
    try {
      resp = http_fetch(req);
      if (resp.status == 200) break;
      pugi::xml_document doc;
      std::string code, message;
      if (doc.load_buffer(resp.body.data(), resp.body.size())) {
        auto err = child(doc.document_element(), "Error");
        code = child(err, "Code").text().as_string();
        message = child(err, "Message").text().as_string();
      }
      retryable = resp.status >= 500 || code == "IDPCommunicationError";
      failure = fmt::format("HTTP {}{}{}{}{}", resp.status, code.empty() ? "" : " ", code,
                            message.empty() ? "" : ": ", truncate(redact(message, {token}), 300));
    } catch (const HttpTransportError& e) {
      retryable = true;
      failure = redact(e.what(), {token});
    }
    if (!retryable || attempt >= max_attempts_) {
      throw CredentialsError(fmt::format("{} at {} failed: {}", context, req.url, failure));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100 * attempt * attempt));
  }

  pugi::xml_document doc;
  if (!doc.load_buffer(resp.body.data(), resp.body.size())) {
    throw CredentialsError(fmt::format("{}: response is not XML", context));
  }
  auto creds = child(child(doc.document_element(), "AssumeRoleWithWebIdentityResult"), "Credentials");
  if (!creds) throw CredentialsError(fmt::format("{}: response has no Credentials element", context));
  Credentials c;
  c.access_key_id = trim(child(creds, "AccessKeyId").text().as_string());
  c.secret_access_key = trim(child(creds, "SecretAccessKey").text().as_string());
  c.session_token = trim(child(creds, "SessionToken").text().as_string());
  if (c.access_key_id.empty() || c.secret_access_key.empty() || c.session_token.empty()) {
    throw CredentialsError(
        fmt::format("{}: response lacks AccessKeyId, SecretAccessKey or SessionToken", context));
  }
  std::string expiration = child(creds, "Expiration").text().as_string();
  if (!expiration.empty()) {
    auto tp = parse_iso8601(expiration);
    if (!tp)
      throw CredentialsError(
          fmt::format("{}: unparseable Expiration '{}'", context, truncate(expiration, 40)));
    c.expiration = *tp;
  }
  c.provider = name();
  return c;
}

}  // namespace s3tar::s3
