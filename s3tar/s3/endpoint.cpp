#include "s3tar/s3/endpoint.h"

#include <stdexcept>

#include "s3tar/errors.h"
#include "s3tar/s3/addressing.h"

namespace s3tar::s3 {

Endpoint parse_endpoint(const std::string& url) {
  Endpoint p;
  const auto sep = url.find("://");
  if (sep == std::string::npos) throw UsageError("endpoint URL needs a scheme: '" + url + "'");
  p.scheme = url.substr(0, sep);
  std::string rest = url.substr(sep + 3);
  if (auto slash = rest.find('/'); slash != std::string::npos) rest = rest.substr(0, slash);
  if (auto colon = rest.rfind(':'); colon != std::string::npos && rest.find(']') == std::string::npos) {
    p.port = rest.substr(colon + 1);
    rest = rest.substr(0, colon);
  }
  p.host = rest;
  return p;
}

std::string aws_endpoint(const std::string& region) {
  std::string url = "https://s3." + region + ".amazonaws.com";
  if (region.rfind("cn-", 0) == 0) url += ".cn";
  return url;
}

HttpRequest address_request(const Addressing& a, const std::string& method, const std::string& bucket,
                            const std::string& key) {
  HttpRequest req;
  req.method = method;
  const Endpoint url = parse_endpoint(a.endpoint_url.empty() ? aws_endpoint(a.region) : a.endpoint_url);
  const bool virtual_host = use_virtual_host(a.path_style, url.scheme, url.host, bucket);
  std::string host = url.host;
  if (virtual_host) host = bucket + "." + host;
  req.host = url.port.empty() ? host : host + ":" + url.port;
  req.base_url = url.scheme + "://" + req.host;
  if (virtual_host || bucket.empty()) {
    req.encoded_path = "/" + uri_encode(key, false);
  } else {
    req.encoded_path = "/" + bucket;
    if (!key.empty()) req.encoded_path += "/" + uri_encode(key, false);
  }
  return req;
}

}  // namespace s3tar::s3
