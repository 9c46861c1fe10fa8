// Which HTTP proxy a request goes through, decided from the environment the way libcurl (and
// the AWS CLI) read it. The engine sets the choice on each transfer explicitly, so that it knows
// whether a failure happened at the proxy and can name the proxy in the error.
#pragma once

#include <functional>
#include <optional>
#include <string>

namespace s3tar::s3 {

// Reads an environment variable; nullopt or empty = unset.
using EnvLookup = std::function<std::optional<std::string>(const char* name)>;
EnvLookup process_env();

struct ProxyChoice {
  std::string url;       // as configured, credentials included (for libcurl only); empty = direct
  std::string redacted;  // scheme://host:port, never credentials: for messages
};

// The proxy for a request to scheme://host (host without port, IPv6 without brackets):
// https -> https_proxy, HTTPS_PROXY; http -> http_proxy (lowercase only, as libcurl: the
// uppercase form can be set by a CGI request header); then all_proxy, ALL_PROXY. No proxy when
// no_proxy / NO_PROXY matches the host: "*" matches every host; otherwise a comma-separated
// list of names (a name matches itself and its subdomains, a leading dot is ignored) and IP
// addresses (exact match, or IPv4 CIDR such as 10.0.0.0/8).
ProxyChoice proxy_for(const std::string& scheme, const std::string& host, const EnvLookup& env);

// A proxy URL without user information: "http://user:pw@proxy:3128" -> "http://proxy:3128".
// A URL without a scheme gets "http://", as libcurl assumes.
std::string redact_proxy_url(const std::string& url);

// True when no_proxy-style list `no_proxy` exempts `host` from the proxy.
bool no_proxy_matches(const std::string& no_proxy, const std::string& host);

}  // namespace s3tar::s3
