// The container, IMDS and STS providers against the local fake server.
#include <netinet/in.h>
#include <sys/socket.h>

#include "s3tar/s3/credentials/container_provider.h"
#include "s3tar/s3/credentials/imds_provider.h"
#include "s3tar/s3/credentials/web_identity_provider.h"
#include "tests/unit/credentials/test_support.h"

namespace s3tar::s3::test {
namespace {

using namespace std::chrono;
using nlohmann::json;

// ---------------------------------------------------------------- container

using ContainerTest = ServerTest;

TEST(ContainerFullUri, AllowedHosts) {
  EXPECT_TRUE(container_full_uri_allowed("https://creds.example.com/x"));
  EXPECT_TRUE(container_full_uri_allowed("http://127.0.0.1:8080/creds"));
  EXPECT_TRUE(container_full_uri_allowed("http://127.1.2.3/creds"));
  EXPECT_TRUE(container_full_uri_allowed("http://localhost/creds"));
  EXPECT_TRUE(container_full_uri_allowed("http://[::1]:80/creds"));
  EXPECT_TRUE(container_full_uri_allowed("http://169.254.170.2/v2/credentials"));
  EXPECT_TRUE(container_full_uri_allowed("http://169.254.170.23/v1/credentials"));
  EXPECT_TRUE(container_full_uri_allowed("http://[fd00:ec2::23]/v1/credentials"));
  EXPECT_FALSE(container_full_uri_allowed("http://creds.example.com/x"));
  EXPECT_FALSE(container_full_uri_allowed("http://127.0.0.1.evil.com/x"));
  EXPECT_FALSE(container_full_uri_allowed("http://169.254.170.3/x"));
  EXPECT_FALSE(container_full_uri_allowed("http://evil.com@example.com/x"));
  EXPECT_FALSE(container_full_uri_allowed("ftp://127.0.0.1/x"));
  EXPECT_FALSE(container_full_uri_allowed("127.0.0.1/x"));
}

TEST_F(ContainerTest, NotConfigured) { EXPECT_FALSE(ContainerProvider().load()); }

TEST_F(ContainerTest, FullUriWithAuthorizationToken) {
  server_->config({{"container_auth", "Bearer pod-token"}, {"expiration_seconds", 900}});
  set("AWS_CONTAINER_CREDENTIALS_FULL_URI", server_->url("/container/v1/credentials"));
  set("AWS_CONTAINER_AUTHORIZATION_TOKEN", "Bearer pod-token");
  auto c = ContainerProvider().load();
  ASSERT_TRUE(c);
  EXPECT_EQ(c->access_key_id, "AKIDFAKE");
  EXPECT_EQ(c->secret_access_key, "fake-secret");
  EXPECT_EQ(c->session_token, "fake-session-token");
  EXPECT_EQ(c->provider, "container");
  ASSERT_TRUE(c->expiration);
  EXPECT_NEAR(duration_cast<seconds>(*c->expiration - system_clock::now()).count(), 900, 10);
  auto reqs = server_->requests();
  ASSERT_EQ(reqs.size(), 1u);
  EXPECT_EQ(reqs[0]["method"], "GET");
  EXPECT_EQ(reqs[0]["path"], "/container/v1/credentials");
  EXPECT_EQ(reqs[0]["headers"]["authorization"], "Bearer pod-token");
}

TEST_F(ContainerTest, TokenFileWinsAndIsReadEachTime) {
  server_->config({{"container_auth", "from-file-1"}});
  write_file(path("token"), "from-file-1\n");
  set("AWS_CONTAINER_CREDENTIALS_FULL_URI", server_->url("/container/creds"));
  set("AWS_CONTAINER_AUTHORIZATION_TOKEN", "from-env");
  set("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", path("token").string());
  ASSERT_TRUE(ContainerProvider().load());
  server_->config({{"container_auth", "from-file-2"}});
  write_file(path("token"), "from-file-2");
  ASSERT_TRUE(ContainerProvider().load());
  EXPECT_EQ(server_->requests()[1]["headers"]["authorization"], "from-file-2");
}

TEST_F(ContainerTest, WrongTokenIsAnErrorWithoutTheToken) {
  server_->config({{"container_auth", "right"}});
  set("AWS_CONTAINER_CREDENTIALS_FULL_URI", server_->url("/container/creds"));
  set("AWS_CONTAINER_AUTHORIZATION_TOKEN", "wrong-auth-token-4");
  try {
    ContainerProvider().load();
    FAIL() << "expected CredentialsError";
  } catch (const CredentialsError& e) {
    EXPECT_NE(std::string(e.what()).find("HTTP 403"), std::string::npos) << e.what();
    EXPECT_NO_SECRET(e.what(), "wrong-auth-token-4");
  }
}

TEST_F(ContainerTest, HttpToOtherHostsRefused) {
  set("AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://example.com/creds");
  EXPECT_THROW(ContainerProvider().load(), CredentialsError);
  EXPECT_EQ(server_->requests().size(), 0u);
}

TEST_F(ContainerTest, ServerErrorsAreRetried) {
  server_->config({{"fail_first", 2}});
  set("AWS_CONTAINER_CREDENTIALS_FULL_URI", server_->url("/container/creds"));
  ASSERT_TRUE(ContainerProvider().load());
  EXPECT_EQ(server_->requests().size(), 3u);
}

TEST_F(ContainerTest, BadBodyDoesNotLeak) {
  server_->config({{"raw_body", R"({"AccessKeyId":"A","SecretAccessKey":"body-secret-5","Token":)"}});
  set("AWS_CONTAINER_CREDENTIALS_FULL_URI", server_->url("/container/creds"));
  try {
    ContainerProvider().load();
    FAIL() << "expected CredentialsError";
  } catch (const CredentialsError& e) {
    EXPECT_NO_SECRET(e.what(), "body-secret-5");
  }
}

// ---------------------------------------------------------------- IMDS

class ImdsTest : public ServerTest {
 protected:
  void SetUp() override {
    ServerTest::SetUp();
    ::unsetenv("AWS_EC2_METADATA_DISABLED");
    set("AWS_EC2_METADATA_SERVICE_ENDPOINT", server_->url());
  }
};

TEST_F(ImdsTest, TokenThenRoleThenCredentials) {
  auto c = ImdsProvider().load();
  ASSERT_TRUE(c);
  EXPECT_EQ(c->access_key_id, "AKIDFAKE");
  EXPECT_EQ(c->secret_access_key, "fake-secret");
  EXPECT_EQ(c->session_token, "fake-session-token");
  EXPECT_EQ(c->provider, "imds");
  ASSERT_TRUE(c->expiration);
  auto reqs = server_->requests();
  ASSERT_EQ(reqs.size(), 3u);
  EXPECT_EQ(reqs[0]["method"], "PUT");
  EXPECT_EQ(reqs[0]["path"], "/latest/api/token");
  EXPECT_EQ(reqs[0]["headers"]["x-aws-ec2-metadata-token-ttl-seconds"], "21600");
  EXPECT_EQ(reqs[1]["path"], "/latest/meta-data/iam/security-credentials/");
  EXPECT_EQ(reqs[1]["headers"]["x-aws-ec2-metadata-token"], "imds-session-token");
  EXPECT_EQ(reqs[2]["path"], "/latest/meta-data/iam/security-credentials/test-role");
  EXPECT_EQ(reqs[2]["headers"]["x-aws-ec2-metadata-token"], "imds-session-token");
}

TEST_F(ImdsTest, Disabled) {
  set("AWS_EC2_METADATA_DISABLED", "TRUE");
  EXPECT_FALSE(ImdsProvider().load());
  EXPECT_EQ(server_->requests().size(), 0u);
}

TEST_F(ImdsTest, NoRoleAttached) {
  server_->config({{"imds_role", nullptr}});
  EXPECT_FALSE(ImdsProvider().load());
}

TEST_F(ImdsTest, FallsBackToV1WhenTokenEndpointMissing) {
  server_->config({{"imds_token_status", 404}});
  auto c = ImdsProvider().load();
  ASSERT_TRUE(c);
  EXPECT_EQ(server_->requests()[1]["headers"].count("x-aws-ec2-metadata-token"), 0u);
  set("AWS_EC2_METADATA_V1_DISABLED", "true");
  EXPECT_THROW(ImdsProvider().load(), CredentialsError);
}

TEST_F(ImdsTest, FailureCodeIsAnError) {
  server_->config({{"imds_code", "AssumeRoleUnauthorizedAccess"}});
  try {
    ImdsProvider().load();
    FAIL() << "expected CredentialsError";
  } catch (const CredentialsError& e) {
    EXPECT_NE(std::string(e.what()).find("AssumeRoleUnauthorizedAccess"), std::string::npos) << e.what();
    EXPECT_NO_SECRET(e.what(), "fake-secret", "fake-session-token", "imds-session-token");
  }
}

TEST_F(ImdsTest, RetriesAServerErrorOnce) {
  server_->config({{"fail_first", 1}});
  ASSERT_TRUE(ImdsProvider().load());
  EXPECT_EQ(server_->requests().size(), 4u);
  server_->reset();
  server_->config({{"fail_first", 2}});
  EXPECT_FALSE(ImdsProvider().load());  // the token endpoint keeps failing: not an IMDS we can use
}

TEST_F(ImdsTest, UnreachableEndpointReturnsQuickly) {
  // A port nobody listens on: connection refused.
  int s = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(s, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  socklen_t len = sizeof addr;
  ::getsockname(s, reinterpret_cast<sockaddr*>(&addr), &len);
  int port = ntohs(addr.sin_port);
  ::close(s);
  set("AWS_EC2_METADATA_SERVICE_ENDPOINT", "http://127.0.0.1:" + std::to_string(port));
  auto start = steady_clock::now();
  EXPECT_FALSE(ImdsProvider().load());
  EXPECT_LT(steady_clock::now() - start, seconds(3));
}

TEST_F(ImdsTest, SilentEndpointReturnsQuickly) {
  // Accepts connections (kernel backlog) but never answers: the total timeout must cut it short.
  int s = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(s, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  ASSERT_EQ(::listen(s, 16), 0);
  socklen_t len = sizeof addr;
  ::getsockname(s, reinterpret_cast<sockaddr*>(&addr), &len);
  set("AWS_EC2_METADATA_SERVICE_ENDPOINT", "http://127.0.0.1:" + std::to_string(ntohs(addr.sin_port)));
  auto start = steady_clock::now();
  EXPECT_FALSE(ImdsProvider().load());
  EXPECT_LT(steady_clock::now() - start, seconds(3));
  ::close(s);
}

TEST_F(ImdsTest, SlowEndpointReturnsQuickly) {
  ASSERT_TRUE(ImdsProvider().load());
  server_->reset();
  server_->config({{"delay", 1.5}});
  auto start = steady_clock::now();
  EXPECT_FALSE(ImdsProvider().load());  // the token PUT itself times out: no IMDS
  EXPECT_LT(steady_clock::now() - start, seconds(3));
}

// ---------------------------------------------------------------- STS web identity

class WebIdentityTest : public ServerTest {
 protected:
  void SetUp() override {
    ServerTest::SetUp();
    write_file(path("token"), "web-identity-token\n");
    set("AWS_ENDPOINT_URL_STS", server_->url("/sts"));
  }
  void configure_env() {
    set("AWS_WEB_IDENTITY_TOKEN_FILE", path("token").string());
    set("AWS_ROLE_ARN", "arn:aws:iam::123456789012:role/irsa");
  }
  static std::map<std::string, std::string> form(const std::string& body) {
    std::map<std::string, std::string> out;
    std::size_t pos = 0;
    while (pos <= body.size()) {
      auto amp = body.find('&', pos);
      if (amp == std::string::npos) amp = body.size();
      auto kv = body.substr(pos, amp - pos);
      auto eq = kv.find('=');
      out[kv.substr(0, eq)] = eq == std::string::npos ? "" : kv.substr(eq + 1);
      pos = amp + 1;
    }
    return out;
  }
};

TEST_F(WebIdentityTest, NotConfigured) { EXPECT_FALSE(WebIdentityProvider().load()); }

TEST_F(WebIdentityTest, AssumesRoleFromEnvironment) {
  configure_env();
  set("AWS_ROLE_SESSION_NAME", "my-session");
  auto c = WebIdentityProvider().load();
  ASSERT_TRUE(c);
  EXPECT_EQ(c->access_key_id, "AKIDFAKE");
  EXPECT_EQ(c->secret_access_key, "fake-secret");
  EXPECT_EQ(c->session_token, "fake-session-token");
  EXPECT_EQ(c->provider, "web-identity");
  ASSERT_TRUE(c->expiration);
  auto reqs = server_->requests();
  ASSERT_EQ(reqs.size(), 1u);
  EXPECT_EQ(reqs[0]["method"], "POST");
  EXPECT_EQ(reqs[0]["path"], "/sts/");
  EXPECT_EQ(reqs[0]["headers"].count("authorization"), 0u);  // unsigned
  EXPECT_EQ(
      reqs[0]["headers"]["content-type"].get<std::string>().rfind("application/x-www-form-urlencoded", 0),
      0u);
  auto f = form(reqs[0]["body"]);
  EXPECT_EQ(f["Action"], "AssumeRoleWithWebIdentity");
  EXPECT_EQ(f["Version"], "2011-06-15");
  EXPECT_EQ(f["RoleArn"], "arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2Firsa");
  EXPECT_EQ(f["RoleSessionName"], "my-session");
  EXPECT_EQ(f["WebIdentityToken"], "web-identity-token");
}

TEST_F(WebIdentityTest, DefaultSessionName) {
  configure_env();
  ASSERT_TRUE(WebIdentityProvider().load());
  auto f = form(server_->requests()[0]["body"]);
  EXPECT_EQ(f["RoleSessionName"].rfind("s3tar-", 0), 0u) << f["RoleSessionName"];
}

TEST_F(WebIdentityTest, FromProfile) {
  write_config("[profile ci]\nrole_arn = arn:aws:iam::1:role/ci\nweb_identity_token_file = " +
               path("token").string() + "\nrole_session_name = ci-run\n");
  EXPECT_FALSE(WebIdentityProvider().load());
  ASSERT_TRUE(WebIdentityProvider("ci").load());
  auto f = form(server_->requests()[0]["body"]);
  EXPECT_EQ(f["RoleSessionName"], "ci-run");
  EXPECT_EQ(f["RoleArn"], "arn%3Aaws%3Aiam%3A%3A1%3Arole%2Fci");
}

TEST_F(WebIdentityTest, MissingRoleArn) {
  set("AWS_WEB_IDENTITY_TOKEN_FILE", path("token").string());
  EXPECT_THROW(WebIdentityProvider().load(), CredentialsError);
}

TEST_F(WebIdentityTest, MissingTokenFile) {
  configure_env();
  set("AWS_WEB_IDENTITY_TOKEN_FILE", path("nope").string());
  EXPECT_THROW(WebIdentityProvider().load(), CredentialsError);
}

TEST_F(WebIdentityTest, RejectedTokenIsRedactedFromTheError) {
  configure_env();
  write_file(path("token"), "rejected-jwt-6");
  try {
    WebIdentityProvider().load();
    FAIL() << "expected CredentialsError";
  } catch (const CredentialsError& e) {
    std::string m = e.what();
    EXPECT_NE(m.find("InvalidIdentityToken"), std::string::npos) << m;
    EXPECT_NE(m.find("HTTP 400"), std::string::npos) << m;
    EXPECT_NO_SECRET(m, "rejected-jwt-6");
  }
  EXPECT_EQ(server_->requests().size(), 1u);  // a client error is not retried
}

TEST_F(WebIdentityTest, ServerErrorsAreRetried) {
  configure_env();
  server_->config({{"fail_first", 1}});
  ASSERT_TRUE(WebIdentityProvider().load());
  EXPECT_EQ(server_->requests().size(), 2u);
}

TEST_F(WebIdentityTest, BadXmlDoesNotLeak) {
  configure_env();
  server_->config({{"raw_body", "<AssumeRoleWithWebIdentityResponse><SecretAccessKey>xml-secret-7"}});
  try {
    WebIdentityProvider().load();
    FAIL() << "expected CredentialsError";
  } catch (const CredentialsError& e) {
    EXPECT_NO_SECRET(e.what(), "xml-secret-7", "web-identity-token");
  }
}

TEST_F(WebIdentityTest, RegionAndEnvironmentChoices) {
  write_config("[profile ci]\nrole_arn = arn:aws:iam::1:role/ci\nweb_identity_token_file = " +
               path("token").string() + "\n");
  configure_env();
  set("AWS_ROLE_ARN", "arn:aws:iam::1:role/from-env");
  // With the environment ignored (an explicit --profile), the profile's role is used.
  ASSERT_TRUE(WebIdentityProvider("ci", std::chrono::seconds(5), 1, "eu-west-1", true).load());
  EXPECT_EQ(form(server_->requests()[0]["body"])["RoleArn"], "arn%3Aaws%3Aiam%3A%3A1%3Arole%2Fci");
  server_->reset();
  // Otherwise each setting comes from the environment first (botocore's per-setting order).
  ASSERT_TRUE(WebIdentityProvider("ci").load());
  EXPECT_EQ(form(server_->requests()[0]["body"])["RoleArn"], "arn%3Aaws%3Aiam%3A%3A1%3Arole%2Ffrom-env");
}

}  // namespace
}  // namespace s3tar::s3::test
