// Where a request goes: the endpoint URL and the bucket addressing style (virtual-hosted or
// path-style) turn (bucket, key) into the host, base URL and encoded path of a request.
#pragma once

#include <string>

#include "s3tar/s3/http/http_message.h"

namespace s3tar::s3 {

struct Endpoint {
  std::string scheme, host, port;  // port empty = the scheme's default
};

// "https://host[:port][/...]" → its parts. Throws UsageError without a scheme.
Endpoint parse_endpoint(const std::string& url);

// https://s3.<region>.amazonaws.com (.cn for the China regions).
std::string aws_endpoint(const std::string& region);

struct Addressing {
  std::string endpoint_url;  // empty = AWS in `region`
  std::string region;
  bool path_style = false;
};

// An unsigned request for method on s3://bucket/key (bucket empty = the service, key empty = the
// bucket), virtual-hosted or path-style as use_virtual_host() (addressing.h) decides.
HttpRequest address_request(const Addressing& addressing, const std::string& method,
                            const std::string& bucket, const std::string& key);

}  // namespace s3tar::s3
