#include "s3tar/s3/http/transport_failure.h"

#include <curl/curl.h>

namespace s3tar::s3 {

TransportFailure classify_transport_failure(int curl_code, long proxy_status, bool through_proxy) {
  if (proxy_status >= 400 && proxy_status < 500) return TransportFailure::ProxyRefused;
  if (proxy_status >= 300) return TransportFailure::ProxyFailed;  // 5xx, or a redirect we don't follow
  switch (curl_code) {
    case CURLE_PEER_FAILED_VERIFICATION:  // unknown CA, wrong host name, expired, revoked
    case CURLE_SSL_CACERT_BADFILE:        // the CA bundle cannot be read
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
    case CURLE_SSL_INVALIDCERTSTATUS:
    case CURLE_SSL_CRL_BADFILE:
    case CURLE_SSL_CERTPROBLEM:
      return TransportFailure::TlsCertificate;
    case CURLE_OPERATION_TIMEDOUT:
      return TransportFailure::Timeout;
    case CURLE_WRITE_ERROR:
    case CURLE_ABORTED_BY_CALLBACK:
      return TransportFailure::Aborted;
    case CURLE_COULDNT_RESOLVE_PROXY:
      return TransportFailure::ProxyFailed;
    case CURLE_COULDNT_CONNECT:
      // Through an HTTP proxy, the only connection we open is the one to the proxy.
      return through_proxy ? TransportFailure::ProxyFailed : TransportFailure::Network;
    default:
      return TransportFailure::Network;
  }
}

const char* transport_failure_code(TransportFailure failure) {
  switch (failure) {
    case TransportFailure::TlsCertificate:
      return "TLSError";
    case TransportFailure::ProxyRefused:
    case TransportFailure::ProxyFailed:
      return "ProxyError";
    default:
      return "TransportError";
  }
}

std::string describe_transport_failure(TransportFailure failure, const std::string& curl_message,
                                       const std::string& origin, const std::string& proxy,
                                       long proxy_status) {
  const std::string target =
      origin.substr(origin.find("://") == std::string::npos ? 0 : origin.find("://") + 3);
  switch (failure) {
    case TransportFailure::TlsCertificate:
      return "TLS certificate of " + origin + " not accepted: " + curl_message +
             "; trust its CA with AWS_CA_BUNDLE, or check the endpoint's host name";
    case TransportFailure::ProxyRefused: {
      std::string s =
          "proxy " + proxy + " refused the tunnel to " + target + ": HTTP " + std::to_string(proxy_status);
      if (proxy_status == 407 || proxy_status == 401) s += ", proxy credentials missing or wrong";
      if (proxy_status == 403) s += ", forbidden by the proxy's policy";
      return s;
    }
    case TransportFailure::ProxyFailed:
      if (proxy_status != 0)
        return "proxy " + proxy + " could not open a tunnel to " + target + ": HTTP " +
               std::to_string(proxy_status);
      return "cannot reach proxy " + proxy + " for " + origin + ": " + curl_message;
    default:
      if (proxy.empty()) return "no response from " + origin + ": " + curl_message;
      return "no response from " + origin + " through proxy " + proxy + ": " + curl_message;
  }
}

}  // namespace s3tar::s3
