#include "s3tar/s3/credentials/container_provider.h"

#include <arpa/inet.h>
#include <fmt/format.h>

#include <cctype>
#include <nlohmann/json.hpp>
#include <thread>

#include "s3tar/s3/credentials/http_fetch.h"
#include "s3tar/s3/credentials/support.h"

namespace s3tar::s3 {

using namespace credentials_detail;

namespace {

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// Host part of an absolute URL: without userinfo, port and IPv6 brackets.
std::optional<std::string> url_host(const std::string& url, std::string& scheme) {
  auto sep = url.find("://");
  if (sep == std::string::npos) return std::nullopt;
  scheme = lower(url.substr(0, sep));
  std::string rest = url.substr(sep + 3);
  rest = rest.substr(0, rest.find_first_of("/?#"));
  auto at = rest.rfind('@');
  if (at != std::string::npos) rest = rest.substr(at + 1);
  if (!rest.empty() && rest[0] == '[') {
    auto close = rest.find(']');
    if (close == std::string::npos) return std::nullopt;
    return lower(rest.substr(1, close - 1));
  }
  return lower(rest.substr(0, rest.find(':')));
}

bool is_allowed_http_host(const std::string& host) {
  if (host == "localhost" || host == "169.254.170.2" || host == "169.254.170.23") return true;
  in_addr v4{};
  if (::inet_pton(AF_INET, host.c_str(), &v4) == 1) {
    return (ntohl(v4.s_addr) >> 24) == 127;  // 127.0.0.0/8
  }
  in6_addr v6{}, allowed{};
  if (::inet_pton(AF_INET6, host.c_str(), &v6) == 1) {
    if (IN6_IS_ADDR_LOOPBACK(&v6)) return true;
    ::inet_pton(AF_INET6, "fd00:ec2::23", &allowed);
    return IN6_ARE_ADDR_EQUAL(&v6, &allowed);
  }
  return false;
}

}  // namespace

bool container_full_uri_allowed(const std::string& url) {
  std::string scheme;
  auto host = url_host(url, scheme);
  if (!host || host->empty()) return false;
  if (scheme == "https") return true;
  return scheme == "http" && is_allowed_http_host(*host);
}

Credentials parse_metadata_credentials(const std::string& body, const std::string& context) {
  nlohmann::json doc;
  try {
    doc = nlohmann::json::parse(body);
  } catch (const nlohmann::json::exception&) {
    throw CredentialsError(fmt::format("{}: response is not valid JSON", context));  // never quote the body
  }
  if (!doc.is_object()) throw CredentialsError(fmt::format("{}: response is not a JSON object", context));
  auto str = [&](const char* key) -> std::string {
    auto it = doc.find(key);
    if (it == doc.end() || !it->is_string()) return {};
    return it->get<std::string>();
  };
  if (auto code = str("Code"); !code.empty() && code != "Success") {
    throw CredentialsError(fmt::format("{}: service returned Code '{}'{}{}", context, truncate(code, 64),
                                       str("Message").empty() ? "" : ": ", truncate(str("Message"), 200)));
  }
  Credentials c;
  c.access_key_id = str("AccessKeyId");
  c.secret_access_key = str("SecretAccessKey");
  c.session_token = str("Token");
  if (c.access_key_id.empty() || c.secret_access_key.empty()) {
    throw CredentialsError(fmt::format("{}: response lacks AccessKeyId or SecretAccessKey", context));
  }
  if (auto expiration = str("Expiration"); !expiration.empty()) {
    auto tp = parse_iso8601(expiration);
    if (!tp)
      throw CredentialsError(
          fmt::format("{}: unparseable Expiration '{}'", context, truncate(expiration, 40)));
    c.expiration = *tp;
  }
  return c;
}

std::optional<Credentials> ContainerProvider::load() {
  std::string url;
  if (auto rel = env("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI")) {
    url = "http://169.254.170.2" + (rel->front() == '/' ? *rel : "/" + *rel);
  } else if (auto full = env("AWS_CONTAINER_CREDENTIALS_FULL_URI")) {
    if (!container_full_uri_allowed(*full)) {
      throw CredentialsError(
          "AWS_CONTAINER_CREDENTIALS_FULL_URI must use https, or http to a loopback address or the ECS/EKS "
          "agent address (169.254.170.2, 169.254.170.23, fd00:ec2::23)");
    }
    url = *full;
  } else {
    return std::nullopt;
  }

  std::string auth;
  if (auto file = env("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE")) {
    auth = trim(read_file(*file, "container authorization token file"));
  } else if (auto token = env("AWS_CONTAINER_AUTHORIZATION_TOKEN")) {
    auth = *token;
  }
  if (auth.find_first_of("\r\n") != std::string::npos) {
    throw CredentialsError("container authorization token contains a line break");
  }

  HttpRequest req;
  req.url = url;
  req.headers = {{"Accept", "application/json"}};
  if (!auth.empty()) req.headers.emplace_back("Authorization", auth);
  req.connect_timeout = connect_timeout_;
  req.total_timeout = total_timeout_;

  // The URI itself is not a secret but may be long; the origin is enough to locate the endpoint.
  const std::string context = "container credentials endpoint";
  for (int attempt = 1;; ++attempt) {
    std::string failure;
    bool retryable = false;
    try {
      auto resp = http_fetch(req);
      if (resp.status == 200) {
        Credentials c = parse_metadata_credentials(resp.body, context);
        c.provider = name();
        return c;
      }
      failure = fmt::format("HTTP {}", resp.status);
      retryable = resp.status >= 500 || resp.status == 429;
    } catch (const HttpTransportError& e) {
      failure = redact(e.what(), {auth});
      retryable = true;
    }
    if (!retryable || attempt >= max_attempts_) {
      throw CredentialsError(fmt::format("{} failed after {} attempt(s): {}", context, attempt, failure));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100 * attempt));
  }
}

}  // namespace s3tar::s3
