#include "s3tar/s3/credentials/imds_provider.h"

#include <fmt/format.h>

#include "s3tar/s3/credentials/container_provider.h"
#include "s3tar/s3/credentials/http_fetch.h"
#include "s3tar/s3/credentials/support.h"

namespace s3tar::s3 {

using namespace credentials_detail;

std::string imds_endpoint() {
  std::string url = env("AWS_EC2_METADATA_SERVICE_ENDPOINT").value_or("http://169.254.169.254");
  while (!url.empty() && url.back() == '/') url.pop_back();
  return url;
}

std::optional<Credentials> ImdsProvider::load() {
  if (env_flag("AWS_EC2_METADATA_DISABLED")) return std::nullopt;
  const std::string base = imds_endpoint();
  const std::string context = "EC2 instance metadata service";

  HttpRequest token_req;
  token_req.method = "PUT";
  token_req.url = base + "/latest/api/token";
  token_req.headers = {{"X-aws-ec2-metadata-token-ttl-seconds", "21600"}};
  token_req.connect_timeout = connect_timeout_;
  token_req.total_timeout = total_timeout_;

  // One retry for a 5xx from an endpoint that answers; none for an endpoint that does not.
  std::string token;
  for (int attempt = 1;; ++attempt) {
    HttpResponse resp;
    try {
      resp = http_fetch(token_req);
    } catch (const HttpTransportError&) {
      return std::nullopt;  // no IMDS on this host
    }
    if (resp.status == 200) {
      token = trim(resp.body);
      if (token.empty()) throw CredentialsError(fmt::format("{}: empty session token", context));
      break;
    }
    if (resp.status == 403 || resp.status == 404 || resp.status == 405) {
      if (env_flag("AWS_EC2_METADATA_V1_DISABLED")) {
        throw CredentialsError(fmt::format(
            "{}: token request answered HTTP {} and IMDSv1 fallback is disabled", context, resp.status));
      }
      break;  // IMDSv1
    }
    if (resp.status == 400)
      throw CredentialsError(fmt::format("{}: token request rejected (HTTP 400)", context));
    if (resp.status >= 500 && attempt < 2) continue;
    return std::nullopt;  // not an IMDS we can talk to
  }

  auto get = [&](const std::string& path) -> HttpResponse {
    HttpRequest req;
    req.url = base + path;
    if (!token.empty()) req.headers = {{"X-aws-ec2-metadata-token", token}};
    req.connect_timeout = connect_timeout_;
    req.total_timeout = total_timeout_;
    for (int attempt = 1;; ++attempt) {
      try {
        auto resp = http_fetch(req);
        if (resp.status >= 500 && attempt < 2) continue;
        return resp;
      } catch (const HttpTransportError& e) {
        if (attempt >= 2) {
          throw CredentialsError(fmt::format("{}: {}", context, redact(e.what(), {token})));
        }
      }
    }
  };

  const std::string prefix = "/latest/meta-data/iam/security-credentials/";
  auto roles = get(prefix);
  if (roles.status == 404) return std::nullopt;  // no instance profile attached
  if (roles.status != 200) {
    throw CredentialsError(fmt::format("{}: listing instance profile roles: HTTP {}", context, roles.status));
  }
  std::string role = trim(roles.body);
  role = trim(role.substr(0, role.find('\n')));
  if (role.empty()) return std::nullopt;
  if (role.find_first_of("/?#") != std::string::npos) {
    throw CredentialsError(fmt::format("{}: unexpected role name", context));
  }

  auto resp = get(prefix + url_encode(role));
  if (resp.status != 200) {
    throw CredentialsError(fmt::format("{}: fetching credentials of role '{}': HTTP {}", context,
                                       truncate(role, 64), resp.status));
  }
  Credentials c = parse_metadata_credentials(resp.body, context);
  c.provider = name();
  return c;
}

}  // namespace s3tar::s3
