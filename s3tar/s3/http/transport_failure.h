// What a failed transfer (no HTTP response from the server) means, and a one-line message that
// names where it failed: the endpoint, or the proxy in between. Never credentials.
#pragma once

#include <string>

#include "s3tar/s3/http/http_message.h"

namespace s3tar::s3 {

enum class TransportFailure {
  Network,         // connection refused or reset, DNS, TLS handshake cut: may pass on a retry
  Timeout,         // the transfer timed out
  TlsCertificate,  // the server's certificate was not accepted (unknown CA, wrong host name,
                   // expired) or the CA bundle is unusable: only a configuration change helps
  ProxyRefused,    // the proxy answered the CONNECT with 4xx (403 policy, 407 credentials)
  ProxyFailed,     // the proxy is unreachable, or answered the CONNECT with 5xx
  Aborted,         // we stopped the transfer ourselves (a body sink, the engine shutting down)
};

// curl_code: the CURLcode; proxy_status: the proxy's answer to CONNECT (0 = none);
// through_proxy: the transfer was sent through a proxy.
TransportFailure classify_transport_failure(int curl_code, long proxy_status, bool through_proxy);
inline TransportFailure classify_transport_failure(const HttpResponse& r) {
  return classify_transport_failure(r.transport_error, r.proxy_status, !r.proxy.empty());
}

// The error code reported for a failure: TLSError, ProxyError or TransportError.
const char* transport_failure_code(TransportFailure failure);

// "TLS certificate of https://s3.example:443 not accepted: SSL certificate problem: ..." and the
// like. origin: scheme://host:port of the request; proxy: the redacted proxy URL or empty;
// target: host:port the proxy was asked to CONNECT to.
std::string describe_transport_failure(TransportFailure failure, const std::string& curl_message,
                                       const std::string& origin, const std::string& proxy,
                                       long proxy_status);

}  // namespace s3tar::s3
