// Every error path, provoked with known secrets in play: no message may contain one of them.
#include <functional>

#include "s3tar/s3/credentials/providers.h"
#include "s3tar/s3/credentials/support.h"
#include "tests/unit/credentials/test_support.h"

namespace s3tar::s3::test {
namespace {

const std::string kSecretKey = "sk-SECRET-1-wJalrXUtnFEMI";
const std::string kSessionToken = "st-SECRET-2-FwoGZXIvYXdz";
const std::string kWebToken = "wit-SECRET-3-eyJhbGciOiJSUzI1NiJ9";
const std::string kAuthToken = "auth-SECRET-4-Bearer";

class SecretsTest : public ServerTest {
 protected:
  void SetUp() override {
    ServerTest::SetUp();
    server_->config({{"secret_key", kSecretKey}, {"session_token", kSessionToken}});
  }

  // Runs f, which must throw CredentialsError (or CredentialsTransientError for an outage), and
  // checks the message.
  void expect_clean_error(const std::string& what, const std::function<void()>& f) {
    SCOPED_TRACE(what);
    try {
      f();
      ADD_FAILURE() << what << ": expected CredentialsError";
    } catch (const s3tar::Error& e) {
      EXPECT_TRUE(dynamic_cast<const CredentialsError*>(&e) ||
                  dynamic_cast<const CredentialsTransientError*>(&e))
          << e.what();
      EXPECT_FALSE(std::string(e.what()).empty());
      EXPECT_NO_SECRET(e.what(), kSecretKey, kSessionToken, kWebToken, kAuthToken);
    }
  }

  std::string creds_json(const std::string& extra = "") {
    return R"({"Version":1,"AccessKeyId":"AKID","SecretAccessKey":")" + kSecretKey + R"(","SessionToken":")" +
           kSessionToken + R"(","Token":")" + kSessionToken + "\"" + extra;
  }
};

TEST_F(SecretsTest, Environment) {
  set("AWS_SECRET_ACCESS_KEY", kSecretKey);
  set("AWS_SESSION_TOKEN", kSessionToken);
  expect_clean_error("env secret without id", [] { EnvironmentProvider().load(); });
  expect_clean_error("chain with broken env", [] { make_default_chain()->load(); });
}

TEST_F(SecretsTest, SharedFiles) {
  write_credentials("[default]\naws_secret_access_key = " + kSecretKey +
                    "\naws_session_token = " + kSessionToken + "\n");
  expect_clean_error("half pair", [] { ProfileProvider().load(); });
  write_credentials("[default]\naws_access_key_id = AKID\n" + kSecretKey + "\n");
  expect_clean_error("malformed line", [] { ProfileProvider().load(); });
  expect_clean_error("malformed line via profile_setting", [] { profile_setting(std::nullopt, "region"); });
}

TEST_F(SecretsTest, CredentialProcess) {
  auto run = [&](const std::string& body) {
    write_file(path("p.sh"), "#!/bin/sh\n" + body, true);
    write_config("[default]\ncredential_process = " + path("p.sh").string() + " " + kAuthToken + "\n");
    ProcessProvider(std::nullopt, std::chrono::milliseconds(500)).load();
  };
  expect_clean_error("non-zero exit", [&] { run("echo '" + creds_json("}") + "'\nexit 1\n"); });
  expect_clean_error("bad JSON", [&] { run("echo '" + creds_json() + "'\n"); });
  expect_clean_error("wrong version", [&] { run("echo '" + creds_json(",\"Version\":2}") + "'\n"); });
  expect_clean_error("bad expiration",
                     [&] { run("echo '" + creds_json(",\"Expiration\":\"later\"}") + "'\n"); });
  expect_clean_error("timeout", [&] { run("echo '" + creds_json("}") + "'\nexec sleep 10\n"); });
}

TEST_F(SecretsTest, WebIdentity) {
  write_file(path("token"), kWebToken);
  set("AWS_WEB_IDENTITY_TOKEN_FILE", path("token").string());
  expect_clean_error("no role", [] { WebIdentityProvider().load(); });
  set("AWS_ROLE_ARN", "arn:aws:iam::1:role/r");
  set("AWS_ENDPOINT_URL_STS", server_->url("/sts"));
  expect_clean_error("token rejected and echoed", [] { WebIdentityProvider().load(); });
  server_->config({{"sts_token", kWebToken}, {"fail_first", 10}});
  expect_clean_error("persistent 5xx",
                     [] { WebIdentityProvider(std::nullopt, std::chrono::seconds(2), 2).load(); });
  server_->config({{"fail_first", 0}, {"raw_body", "<Response>" + kSecretKey + kSessionToken}});
  expect_clean_error("bad XML", [] { WebIdentityProvider().load(); });
  server_->config(
      {{"raw_body",
        "<R><AssumeRoleWithWebIdentityResult><Credentials><AccessKeyId>A</AccessKeyId>"
        "<SecretAccessKey>" +
            kSecretKey + "</SecretAccessKey></Credentials></AssumeRoleWithWebIdentityResult></R>"}});
  expect_clean_error("no session token", [] { WebIdentityProvider().load(); });
  set("AWS_ENDPOINT_URL_STS", "http://127.0.0.1:1");
  expect_clean_error("unreachable STS",
                     [] { WebIdentityProvider(std::nullopt, std::chrono::seconds(1), 1).load(); });
}

TEST_F(SecretsTest, Container) {
  set("AWS_CONTAINER_CREDENTIALS_FULL_URI", server_->url("/container/creds"));
  set("AWS_CONTAINER_AUTHORIZATION_TOKEN", kAuthToken);
  server_->config({{"container_auth", "something-else"}});
  expect_clean_error("rejected auth", [] { ContainerProvider().load(); });
  server_->config({{"container_auth", nullptr}, {"raw_body", creds_json()}});
  expect_clean_error("bad JSON", [] { ContainerProvider().load(); });
  server_->config({{"raw_body", creds_json(",\"Code\":\"Failed\",\"Message\":\"nope\"}")}});
  expect_clean_error("failure code", [] { ContainerProvider().load(); });
  server_->config({{"raw_body", creds_json(",\"Expiration\":\"x\"}")}});
  expect_clean_error("bad expiration", [] { ContainerProvider().load(); });
  set("AWS_CONTAINER_AUTHORIZATION_TOKEN", kAuthToken + "\r\nX-Injected: 1");
  expect_clean_error("header injection", [] { ContainerProvider().load(); });
  set("AWS_CONTAINER_AUTHORIZATION_TOKEN", kAuthToken);
  set("AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://127.0.0.1:1/creds");
  expect_clean_error("unreachable",
                     [] { ContainerProvider(std::chrono::seconds(1), std::chrono::seconds(1), 1).load(); });
}

TEST_F(SecretsTest, Imds) {
  ::unsetenv("AWS_EC2_METADATA_DISABLED");
  set("AWS_EC2_METADATA_SERVICE_ENDPOINT", server_->url());
  server_->config({{"imds_token", kAuthToken}, {"raw_body", creds_json()}});
  expect_clean_error("bad JSON", [] { ImdsProvider().load(); });
  server_->config({{"raw_body", nullptr}, {"imds_code", "Failed"}});
  expect_clean_error("failure code", [] { ImdsProvider().load(); });
}

TEST_F(SecretsTest, AssumeRole) {
  // The source profile's secret and session token sign the call; neither may leak, whatever STS
  // answers (the fake echoes nothing, so provoke each failure path).
  write_credentials("[src]\naws_access_key_id = AKIDSRC\naws_secret_access_key = " + kSecretKey +
                    "\naws_session_token = " + kSessionToken + "\n");
  write_config("[profile r]\nrole_arn = arn:aws:iam::1:role/r\nsource_profile = src\n");
  set("AWS_ENDPOINT_URL_STS", server_->url("/sts"));
  expect_clean_error("unknown key", [] { AssumeRoleProvider("r").load(); });
  server_->config({{"sts_keys", {{"AKIDSRC", "another-secret"}}}});
  expect_clean_error("bad signature", [] { AssumeRoleProvider("r").load(); });
  server_->config({{"sts_keys", {{"AKIDSRC", kSecretKey}}}, {"assume_status", 403}});
  expect_clean_error("access denied", [] { AssumeRoleProvider("r").load(); });
  server_->config({{"assume_status", 200}, {"fail_first", 10}});
  expect_clean_error("persistent 5xx",
                     [] { AssumeRoleProvider("r", std::nullopt, std::chrono::seconds(2), 2).load(); });
  server_->config({{"fail_first", 0}, {"raw_body", nullptr}, {"expiration_seconds", 3600}});
  set("AWS_ENDPOINT_URL_STS", "http://127.0.0.1:1");
  expect_clean_error("unreachable STS",
                     [] { AssumeRoleProvider("r", std::nullopt, std::chrono::seconds(1), 1).load(); });
}

TEST_F(SecretsTest, Sso) {
  write_config(
      "[profile s]\nsso_start_url = https://x.awsapps.com/start\nsso_region = eu-west-1\nsso_account_id = 1\n"
      "sso_role_name = r\n");
  std::filesystem::create_directories(dir_ / "home/.aws/sso/cache");
  auto cache =
      dir_ / "home/.aws/sso/cache" / (credentials_detail::sha1_hex("https://x.awsapps.com/start") + ".json");
  write_file(cache, "{\"accessToken\": \"" + kAuthToken + "\", \"expiresAt\": \"2999-01-01T00:00:00Z\"}");
  set("AWS_ENDPOINT_URL_SSO", server_->url("/sso"));
  expect_clean_error("token refused", [] { SsoProvider("s").load(); });
  server_->config({{"sso_token", kAuthToken}, {"sso_status", 403}});
  expect_clean_error("forbidden", [] { SsoProvider("s").load(); });
  server_->config({{"sso_status", 500}});
  expect_clean_error("persistent 5xx", [] { SsoProvider("s", std::chrono::seconds(2), 1).load(); });
  write_file(cache, "{\"accessToken\": \"" + kAuthToken + "\", \"expiresAt\": \"soon\"}");
  expect_clean_error("bad cache", [] { SsoProvider("s").load(); });
  write_file(cache, "{\"accessToken\": \"" + kAuthToken + "\"");
  expect_clean_error("truncated cache", [] { SsoProvider("s").load(); });
}

TEST_F(SecretsTest, RefreshingPassesTheCleanErrorThrough) {
  set("AWS_SECRET_ACCESS_KEY", kSecretKey);
  auto p = make_default_provider();
  expect_clean_error("refreshing chain", [&] { p->load(); });
}

}  // namespace
}  // namespace s3tar::s3::test
