// Proxy choice from the environment, as libcurl reads it (the engine sets it per transfer so
// that errors can name the proxy), and transport failures: what they mean and how they read.
#include "s3tar/s3/http/proxy.h"

#include <curl/curl.h>
#include <gtest/gtest.h>

#include <map>

#include "s3tar/s3/http/transport_failure.h"

namespace s3tar::s3 {
namespace {

EnvLookup env_of(std::map<std::string, std::string> vars) {
  return [vars = std::move(vars)](const char* name) -> std::optional<std::string> {
    auto it = vars.find(name);
    if (it == vars.end() || it->second.empty()) return std::nullopt;
    return it->second;
  };
}

TEST(ProxyFor, HttpsUsesHttpsProxyEitherCaseThenAllProxy) {
  EXPECT_EQ(proxy_for("https", "b.s3.amazonaws.com", env_of({{"HTTPS_PROXY", "http://p:3128"}})).url,
            "http://p:3128");
  EXPECT_EQ(
      proxy_for("https", "h", env_of({{"https_proxy", "http://lower:1"}, {"HTTPS_PROXY", "http://upper:2"}}))
          .url,
      "http://lower:1");
  EXPECT_EQ(proxy_for("https", "h", env_of({{"ALL_PROXY", "http://all:3"}})).url, "http://all:3");
  EXPECT_EQ(proxy_for("https", "h", env_of({{"http_proxy", "http://plain:4"}})).url, "");
  EXPECT_EQ(proxy_for("https", "h", env_of({})).url, "");
}

TEST(ProxyFor, HttpReadsOnlyLowercaseHttpProxy) {
  EXPECT_EQ(proxy_for("http", "h", env_of({{"http_proxy", "http://p:1"}})).url, "http://p:1");
  // HTTP_PROXY can be set by a CGI request header ("Proxy:"): libcurl ignores it, so do we.
  EXPECT_EQ(proxy_for("http", "h", env_of({{"HTTP_PROXY", "http://p:1"}})).url, "");
  EXPECT_EQ(proxy_for("http", "h", env_of({{"HTTPS_PROXY", "http://p:1"}})).url, "");
}

TEST(ProxyFor, NoProxyBypassesMatchingHostsOnly) {
  const auto env =
      env_of({{"HTTPS_PROXY", "http://user:pw@p:3128"}, {"NO_PROXY", "s3.localhost, .internal,10.0.0.0/8"}});
  EXPECT_EQ(proxy_for("https", "s3.localhost", env).url, "");
  EXPECT_EQ(proxy_for("https", "bucket.s3.localhost", env).url, "") << "subdomains match";
  EXPECT_EQ(proxy_for("https", "a.b.internal", env).url, "") << "a leading dot is ignored";
  EXPECT_EQ(proxy_for("https", "10.1.2.3", env).url, "");
  EXPECT_EQ(proxy_for("https", "xs3.localhost", env).url, "http://user:pw@p:3128") << "not a subdomain";
  EXPECT_EQ(proxy_for("https", "11.0.0.1", env).redacted, "http://p:3128");
  EXPECT_EQ(proxy_for("https", "anything", env_of({{"HTTPS_PROXY", "http://p:1"}, {"no_proxy", "*"}})).url,
            "");
}

TEST(NoProxyMatches, CaseTrailingDotsAndIpv6) {
  EXPECT_TRUE(no_proxy_matches("Example.COM", "api.example.com."));
  EXPECT_TRUE(no_proxy_matches("::1", "[::1]"));
  EXPECT_TRUE(no_proxy_matches("127.0.0.1", "127.0.0.1"));
  EXPECT_FALSE(no_proxy_matches("127.0.0.1", "127.0.0.2"));
  EXPECT_TRUE(no_proxy_matches("127.0.0.0/8", "127.0.0.2"));
  EXPECT_FALSE(no_proxy_matches("", "h"));
  EXPECT_FALSE(no_proxy_matches("com.example", "example.com"));
}

TEST(RedactProxyUrl, NeverKeepsCredentials) {
  EXPECT_EQ(redact_proxy_url("http://alice:s3cret@proxy.corp:3128"), "http://proxy.corp:3128");
  EXPECT_EQ(redact_proxy_url("http://alice:p@ss@proxy.corp:3128/"), "http://proxy.corp:3128");
  EXPECT_EQ(redact_proxy_url("proxy.corp:3128"), "http://proxy.corp:3128");
  EXPECT_EQ(redact_proxy_url("https://proxy.corp"), "https://proxy.corp");
}

TEST(TransportFailure, CertificateProblemsAndProxyRefusalsAreNotNetworkTrouble) {
  EXPECT_EQ(classify_transport_failure(CURLE_PEER_FAILED_VERIFICATION, 0, false),
            TransportFailure::TlsCertificate);
  EXPECT_EQ(classify_transport_failure(CURLE_SSL_CACERT_BADFILE, 0, false), TransportFailure::TlsCertificate);
  EXPECT_EQ(classify_transport_failure(CURLE_RECV_ERROR, 403, true), TransportFailure::ProxyRefused);
  EXPECT_EQ(classify_transport_failure(CURLE_RECV_ERROR, 407, true), TransportFailure::ProxyRefused);
  EXPECT_EQ(classify_transport_failure(CURLE_RECV_ERROR, 502, true), TransportFailure::ProxyFailed);
  EXPECT_EQ(classify_transport_failure(CURLE_COULDNT_CONNECT, 0, true), TransportFailure::ProxyFailed);
  EXPECT_EQ(classify_transport_failure(CURLE_COULDNT_CONNECT, 0, false), TransportFailure::Network);
  EXPECT_EQ(classify_transport_failure(CURLE_RECV_ERROR, 0, false), TransportFailure::Network);
  EXPECT_EQ(classify_transport_failure(CURLE_SSL_CONNECT_ERROR, 0, false), TransportFailure::Network);
  EXPECT_EQ(classify_transport_failure(CURLE_OPERATION_TIMEDOUT, 0, false), TransportFailure::Timeout);
  EXPECT_STREQ(transport_failure_code(TransportFailure::TlsCertificate), "TLSError");
  EXPECT_STREQ(transport_failure_code(TransportFailure::ProxyRefused), "ProxyError");
  EXPECT_STREQ(transport_failure_code(TransportFailure::Network), "TransportError");
}

TEST(TransportFailure, MessagesNameTheEndpointOrTheProxy) {
  EXPECT_EQ(
      describe_transport_failure(TransportFailure::TlsCertificate,
                                 "SSL certificate problem: certificate has expired",
                                 "https://b.s3.localhost:8443", "", 0),
      "TLS certificate of https://b.s3.localhost:8443 not accepted: SSL certificate problem: certificate has "
      "expired; trust its CA with AWS_CA_BUNDLE, or check the endpoint's host name");
  EXPECT_EQ(
      describe_transport_failure(TransportFailure::ProxyRefused, "CONNECT tunnel failed, response 407",
                                 "https://b.s3.localhost:8443", "http://p:3128", 407),
      "proxy http://p:3128 refused the tunnel to b.s3.localhost:8443: HTTP 407, proxy credentials missing or "
      "wrong");
  EXPECT_EQ(describe_transport_failure(TransportFailure::ProxyFailed, "Failed to connect to p port 3128",
                                       "https://h:1", "http://p:3128", 0),
            "cannot reach proxy http://p:3128 for https://h:1: Failed to connect to p port 3128");
  EXPECT_EQ(describe_transport_failure(TransportFailure::Network, "Connection refused", "http://127.0.0.1:9",
                                       "", 0),
            "no response from http://127.0.0.1:9: Connection refused");
}

}  // namespace
}  // namespace s3tar::s3
