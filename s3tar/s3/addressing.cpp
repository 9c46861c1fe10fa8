#include "s3tar/s3/addressing.h"

#include <arpa/inet.h>

#include <cctype>

namespace s3tar::s3 {
namespace {

bool is_ipv4(const std::string& s) {
  in_addr a{};
  return inet_pton(AF_INET, s.c_str(), &a) == 1;
}

// A DNS label of a bucket name: 1-63 of [a-z0-9-], starting and ending with a letter or digit.
bool dns_label(const std::string& s) {
  if (s.empty() || s.size() > 63 || s.front() == '-' || s.back() == '-') return false;
  for (char c : s) {
    if (!std::islower(static_cast<unsigned char>(c)) && !std::isdigit(static_cast<unsigned char>(c)) &&
        c != '-')
      return false;
  }
  return true;
}

// botocore's isVirtualHostableS3Bucket(bucket, allow_dots).
bool virtual_hostable(const std::string& bucket, bool allow_dots) {
  if (bucket.size() < 3 || bucket.size() > 63 || is_ipv4(bucket)) return false;
  if (bucket.find('.') == std::string::npos) return dns_label(bucket);
  if (!allow_dots) return false;
  size_t start = 0;
  for (;;) {
    const size_t dot = bucket.find('.', start);
    if (!dns_label(bucket.substr(start, dot == std::string::npos ? std::string::npos : dot - start)))
      return false;
    if (dot == std::string::npos) return true;
    start = dot + 1;
  }
}

}  // namespace

bool use_virtual_host(bool path_style, const std::string& scheme, const std::string& endpoint_host,
                      const std::string& bucket) {
  if (path_style || bucket.empty() || endpoint_host.empty()) return false;
  // An IP address has no subdomains (IPv6 hosts are written with ':').
  if (is_ipv4(endpoint_host) || endpoint_host.find(':') != std::string::npos) return false;
  return virtual_hostable(bucket, scheme == "http");
}

}  // namespace s3tar::s3
