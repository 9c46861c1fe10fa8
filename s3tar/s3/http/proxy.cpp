#include "s3tar/s3/http/proxy.h"

#include <arpa/inet.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <cstring>

namespace s3tar::s3 {
namespace {

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::optional<std::string> first_set(const EnvLookup& env, std::initializer_list<const char*> names) {
  for (const char* name : names) {
    if (auto v = env(name); v && !v->empty()) return v;
  }
  return std::nullopt;
}

bool parse_ipv4(const std::string& s, uint32_t& out) {
  in_addr a{};
  if (inet_pton(AF_INET, s.c_str(), &a) != 1) return false;
  out = ntohl(a.s_addr);
  return true;
}

// "10.0.0.0/8" or "10.1.2.3" against an IPv4 host.
bool ipv4_entry_matches(const std::string& entry, uint32_t host) {
  const auto slash = entry.find('/');
  uint32_t net = 0;
  if (!parse_ipv4(entry.substr(0, slash), net)) return false;
  int bits = 32;
  if (slash != std::string::npos) {
    char* end = nullptr;
    const long b = std::strtol(entry.c_str() + slash + 1, &end, 10);
    if (end == entry.c_str() + slash + 1 || *end != '\0' || b < 0 || b > 32) return false;
    bits = static_cast<int>(b);
  }
  const uint32_t mask = bits == 0 ? 0 : ~uint32_t{0} << (32 - bits);
  return (net & mask) == (host & mask);
}

bool name_entry_matches(std::string entry, const std::string& host) {
  if (!entry.empty() && entry.front() == '.') entry.erase(0, 1);
  if (entry.empty() || entry.size() > host.size()) return false;
  if (host.compare(host.size() - entry.size(), entry.size(), entry) != 0) return false;
  return host.size() == entry.size() || host[host.size() - entry.size() - 1] == '.';
}

}  // namespace

EnvLookup process_env() {
  return [](const char* name) -> std::optional<std::string> {
    const char* v = std::getenv(name);
    if (v && *v) return std::string(v);
    return std::nullopt;
  };
}

bool no_proxy_matches(const std::string& no_proxy, const std::string& raw_host) {
  std::string host = lower(raw_host);
  if (!host.empty() && host.back() == '.') host.pop_back();
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  uint32_t host_v4 = 0;
  const bool is_v4 = parse_ipv4(host, host_v4);
  size_t i = 0;
  const std::string list = lower(no_proxy);
  while (i < list.size()) {
    const size_t end = list.find_first_of(", \t", i);
    const std::string entry = list.substr(i, end == std::string::npos ? std::string::npos : end - i);
    i = end == std::string::npos ? list.size() : end + 1;
    if (entry.empty()) continue;
    if (entry == "*") return true;
    if (is_v4 ? ipv4_entry_matches(entry, host_v4) : name_entry_matches(entry, host)) return true;
  }
  return false;
}

std::string redact_proxy_url(const std::string& url) {
  std::string scheme = "http://";
  std::string rest = url;
  if (const auto sep = url.find("://"); sep != std::string::npos) {
    scheme = url.substr(0, sep + 3);
    rest = url.substr(sep + 3);
  }
  rest = rest.substr(0, rest.find('/'));
  // The last '@' ends the user information (a password may hold '@' unencoded).
  if (const auto at = rest.rfind('@'); at != std::string::npos) rest = rest.substr(at + 1);
  return scheme + rest;
}

ProxyChoice proxy_for(const std::string& scheme, const std::string& host, const EnvLookup& env) {
  const std::optional<std::string> configured =
      lower(scheme) == "https" ? first_set(env, {"https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"})
                               : first_set(env, {"http_proxy", "all_proxy", "ALL_PROXY"});
  if (!configured) return {};
  if (auto no_proxy = first_set(env, {"no_proxy", "NO_PROXY"}); no_proxy && no_proxy_matches(*no_proxy, host))
    return {};
  return {*configured, redact_proxy_url(*configured)};
}

}  // namespace s3tar::s3
