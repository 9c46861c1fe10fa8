// Plain HTTP request/response values shared by the signer, the engine and the S3 client.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace s3tar::s3 {

using HeaderList = std::vector<std::pair<std::string, std::string>>;

struct HttpRequest {
  std::string method = "GET";
  // "http://127.0.0.1:8000" or "https://bucket.s3.us-east-1.amazonaws.com" (no trailing slash).
  std::string base_url;
  // The Host header value (host[:port]); it is signed.
  std::string host;
  // Already URI-encoded path, e.g. "/bucket/a%20b/c". This exact string is the canonical URI.
  std::string encoded_path = "/";
  // Raw (not encoded) query parameters; a value-less parameter has an empty value ("uploads").
  HeaderList query;
  // Request headers other than Host (names as given; the signer lowercases for signing).
  HeaderList headers;
  // Optional body; shared so retries resend the same bytes without copying.
  std::shared_ptr<const std::string> body;
  // Ended by HttpEngine::cancel() (a stop request); false for cleanup calls that must outlive it.
  // Not sent, not signed.
  bool cancellable = true;

  std::string url() const;  // base_url + encoded_path + encoded query
  void set_header(std::string name, std::string value);
  std::optional<std::string> header(std::string_view name) const;  // case-insensitive
};

// The first header of that name (case-insensitive).
std::optional<std::string> find_header(const HeaderList& headers, std::string_view name);

// Called with each chunk of a response body; return false to abort the transfer.
using BodySink = std::function<bool(const char* data, size_t size)>;

struct HttpResponse {
  long status = 0;          // 0 when no HTTP response was received
  int transport_error = 0;  // CURLcode, 0 = none
  // Names where it failed: the endpoint, or the proxy (s3tar/s3/http/transport_failure.h).
  std::string transport_message;
  std::string proxy;      // the proxy the request went through (no credentials), empty = direct
  long proxy_status = 0;  // the proxy's answer to CONNECT when it refused the tunnel (>= 300)
  HeaderList headers;     // names lowercased
  std::string body;       // empty when a BodySink consumed it
  std::optional<std::string> header(std::string_view name) const;  // case-insensitive
};

// Encode every byte except A-Z a-z 0-9 - . _ ~ (and '/' unless encode_slash), as SigV4 requires.
std::string uri_encode(std::string_view in, bool encode_slash);
// Encode a query string from raw pairs, sorted as SigV4's canonical query string.
std::string canonical_query(const HeaderList& query);

}  // namespace s3tar::s3
