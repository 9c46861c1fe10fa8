// A tiny synchronous HTTP client on curl easy, for the metadata services and STS. Not the S3
// client's transport: one request at a time, small bodies, short timeouts, no redirects.
#pragma once

#include <chrono>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace s3tar::s3::credentials_detail {

struct HttpRequest {
  std::string method = "GET";
  std::string url;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::chrono::milliseconds connect_timeout{1000};
  std::chrono::milliseconds total_timeout{2000};
  // Link-local metadata endpoints must not go through an HTTP proxy from the environment.
  bool use_proxy = false;
  std::string ca_bundle;  // PEM file of trusted CAs for https; empty = the system's
  std::size_t max_response_bytes = 1 << 20;
};

struct HttpResponse {
  long status = 0;
  std::string body;
};

// The request never reached a response (DNS, connect, timeout, TLS, oversized body). The
// message names the host and curl's reason; it never contains headers or bodies.
class HttpTransportError : public std::runtime_error {
 public:
  HttpTransportError(const std::string& what, bool timed_out)
      : std::runtime_error(what), timed_out_(timed_out) {}
  bool timed_out() const { return timed_out_; }

 private:
  bool timed_out_;
};

// Performs the request; any HTTP status is a response. Throws HttpTransportError otherwise.
HttpResponse http_fetch(const HttpRequest& request);

// application/x-www-form-urlencoded / RFC 3986 percent-encoding of a query or form value.
std::string url_encode(const std::string& value);

}  // namespace s3tar::s3::credentials_detail
