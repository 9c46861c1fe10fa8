// IAM Identity Center (SSO) profiles against the fake portal and OIDC service, with the token
// cache laid out as the AWS CLI writes it.
#include <fstream>

#include "s3tar/s3/credentials/assume_role_provider.h"
#include "s3tar/s3/credentials/chain_provider.h"
#include "s3tar/s3/credentials/sso_provider.h"
#include "s3tar/s3/credentials/support.h"
#include "tests/unit/credentials/test_support.h"

namespace s3tar::s3::test {
namespace {

using namespace std::chrono;
using nlohmann::json;

const char* kSessionConfig =
    "[profile dev]\nsso_session = corp\nsso_account_id = 111122223333\nsso_role_name = Archiver\n"
    "region = eu-west-1\n"
    "[sso-session corp]\nsso_start_url = https://corp.awsapps.com/start\nsso_region = eu-west-1\n"
    "sso_registration_scopes = sso:account:access\n";
const char* kLegacyConfig =
    "[profile old]\nsso_start_url = https://legacy.awsapps.com/start\nsso_region = us-east-2\n"
    "sso_account_id = 444455556666\nsso_role_name = Reader\n";

std::string stamp(system_clock::time_point t) {
  std::time_t secs = system_clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

class SsoTest : public ServerTest {
 protected:
  void SetUp() override {
    ServerTest::SetUp();
    set("AWS_ENDPOINT_URL_SSO", server_->url("/sso"));
    set("AWS_ENDPOINT_URL_SSO_OIDC", server_->url("/oidc"));
    std::filesystem::create_directories(dir_ / "home/.aws/sso/cache");
  }

  std::filesystem::path cache_file(const std::string& key) {
    return dir_ / "home/.aws/sso/cache" / (credentials_detail::sha1_hex(key) + ".json");
  }

  // A token as `aws sso login` caches it; `refresh` adds the sso-session refresh material.
  void cache_token(const std::string& key, seconds valid_for, bool refresh = false,
                   const std::string& token = "sso-access-token") {
    json doc = {{"startUrl", "https://corp.awsapps.com/start"},
                {"region", "eu-west-1"},
                {"accessToken", token},
                {"expiresAt", stamp(system_clock::now() + valid_for)}};
    if (refresh) {
      doc["refreshToken"] = "sso-refresh-token";
      doc["clientId"] = "client-id";
      doc["clientSecret"] = "client-secret-value";
      doc["registrationExpiresAt"] = stamp(system_clock::now() + hours(24 * 30));
    }
    write_file(cache_file(key), doc.dump());
  }

  std::string error_of(const std::function<void()>& f) {
    try {
      f();
    } catch (const s3tar::Error& e) {
      return e.what();
    }
    ADD_FAILURE() << "expected an error";
    return {};
  }
};

TEST_F(SsoTest, SsoSessionProfileGetsRoleCredentials) {
  write_config(kSessionConfig);
  cache_token("corp", hours(1));
  auto c = SsoProvider("dev").load();
  ASSERT_TRUE(c);
  EXPECT_EQ(c->access_key_id, "ASIASSO111122223333");
  EXPECT_EQ(c->secret_access_key, "fake-secret");
  EXPECT_EQ(c->session_token, "fake-session-token");
  EXPECT_EQ(c->provider, "sso");
  ASSERT_TRUE(c->expiration);
  EXPECT_NEAR(duration_cast<seconds>(*c->expiration - system_clock::now()).count(), 3600, 30);
  auto reqs = server_->requests();
  ASSERT_EQ(reqs.size(), 1u);
  EXPECT_EQ(reqs[0]["method"], "GET");
  EXPECT_EQ(reqs[0]["path"], "/sso/federation/credentials?account_id=111122223333&role_name=Archiver");
  EXPECT_EQ(reqs[0]["headers"]["x-amz-sso_bearer_token"], "sso-access-token");
  EXPECT_EQ(reqs[0]["headers"].count("authorization"), 0u);  // unsigned
}

TEST_F(SsoTest, LegacyProfileUsesTheStartUrlCacheKey) {
  write_config(kLegacyConfig);
  cache_token("https://legacy.awsapps.com/start", hours(1));
  auto c = SsoProvider("old").load();
  ASSERT_TRUE(c);
  EXPECT_EQ(c->access_key_id, "ASIASSO444455556666");
}

TEST_F(SsoTest, NotAnSsoProfile) {
  write_config("[profile plain]\nregion = eu-west-1\n");
  EXPECT_FALSE(SsoProvider("plain").load());
  EXPECT_TRUE(server_->requests().empty());
}

TEST_F(SsoTest, MissingOrExpiredLoginTellsToLogIn) {
  write_config(std::string(kSessionConfig) + kLegacyConfig);
  std::string m = error_of([] { SsoProvider("dev").load(); });
  EXPECT_NE(m.find("run `aws sso login --profile dev`"), std::string::npos) << m;
  cache_token("https://legacy.awsapps.com/start", -minutes(1));
  m = error_of([] { SsoProvider("old").load(); });
  EXPECT_NE(m.find("expired"), std::string::npos) << m;
  EXPECT_NE(m.find("run `aws sso login --profile old`"), std::string::npos) << m;
  cache_token("corp", -minutes(1));  // no refresh token cached
  m = error_of([] { SsoProvider("dev").load(); });
  EXPECT_NE(m.find("run `aws sso login --profile dev`"), std::string::npos) << m;
  EXPECT_TRUE(server_->requests().empty());  // nothing sent with a token known to be dead
  // The portal no longer accepts a token that looks valid (revoked): the same advice.
  cache_token("corp", hours(1), false, "revoked-token");
  m = error_of([] { SsoProvider("dev").load(); });
  EXPECT_NE(m.find("run `aws sso login --profile dev`"), std::string::npos) << m;
  EXPECT_NO_SECRET(m, "revoked-token");
  try {
    SsoProvider("dev").load();
  } catch (const CredentialsError& e) {
    EXPECT_EQ(e.category(), ErrorCategory::Usage);
  }
}

TEST_F(SsoTest, TokenNearExpiryIsRefreshedAndWrittenBack) {
  write_config(kSessionConfig);
  cache_token("corp", minutes(5), true);
  server_->config({{"sso_token", "sso-refreshed-token"}});  // the portal wants the renewed token
  auto c = SsoProvider("dev").load();
  ASSERT_TRUE(c);
  auto reqs = server_->requests();
  ASSERT_EQ(reqs.size(), 2u);
  EXPECT_EQ(reqs[0]["path"], "/oidc/token");
  auto body = json::parse(reqs[0]["body"].get<std::string>());
  EXPECT_EQ(body["grantType"], "refresh_token");
  EXPECT_EQ(body["refreshToken"], "sso-refresh-token");
  EXPECT_EQ(body["clientId"], "client-id");
  EXPECT_EQ(reqs[1]["headers"]["x-amz-sso_bearer_token"], "sso-refreshed-token");
  // Written back like the AWS CLI: new token, new expiry, rotated refresh token, owner-only file.
  std::ifstream in(cache_file("corp"));
  json cached = json::parse(in);
  EXPECT_EQ(cached["accessToken"], "sso-refreshed-token");
  EXPECT_EQ(cached["refreshToken"], "rotated-refresh-token");
  EXPECT_EQ(cached["clientSecret"], "client-secret-value");
  auto expires = credentials_detail::parse_iso8601(cached["expiresAt"].get<std::string>());
  ASSERT_TRUE(expires);
  EXPECT_NEAR(duration_cast<seconds>(*expires - system_clock::now()).count(), 3600, 30);
  auto perms = std::filesystem::status(cache_file("corp")).permissions();
  EXPECT_EQ(perms & std::filesystem::perms::all,
            std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
}

TEST_F(SsoTest, FailedRefreshKeepsAValidTokenAndAsksForLoginOtherwise) {
  write_config(kSessionConfig);
  server_->config({{"oidc_refresh_token", "some-other-refresh-token"}});
  cache_token("corp", minutes(10), true);
  ASSERT_TRUE(SsoProvider("dev").load());  // refused refresh, old token still good for 10 minutes
  EXPECT_EQ(server_->count("/oidc/token"), 1u);
  EXPECT_EQ(server_->count("/sso/"), 1u);
  cache_token("corp", -minutes(1), true);
  std::string m = error_of([] { SsoProvider("dev").load(); });
  EXPECT_NE(m.find("run `aws sso login --profile dev`"), std::string::npos) << m;
  EXPECT_NO_SECRET(m, "sso-refresh-token", "client-secret-value", "sso-access-token");
}

TEST_F(SsoTest, MisconfiguredProfilesAreClearErrors) {
  write_config(
      "[profile nosession]\nsso_session = ghost\nsso_account_id = 1\nsso_role_name = r\n"
      "[profile clash]\nsso_session = corp\nsso_region = us-west-2\nsso_account_id = 1\nsso_role_name = r\n"
      "[profile partial]\nsso_account_id = 1\nsso_role_name = r\nsso_start_url = https://x/start\n"
      "[sso-session corp]\nsso_start_url = https://corp.awsapps.com/start\nsso_region = eu-west-1\n");
  EXPECT_NE(error_of([] { SsoProvider("nosession").load(); }).find("no [sso-session ghost]"),
            std::string::npos);
  EXPECT_NE(error_of([] { SsoProvider("clash").load(); }).find("disagree on sso_region"), std::string::npos);
  EXPECT_NE(error_of([] { SsoProvider("partial").load(); }).find("lacks sso_region"), std::string::npos);
  EXPECT_TRUE(server_->requests().empty());
}

TEST_F(SsoTest, PortalOutagesAreRetriedThenTransient) {
  write_config(kSessionConfig);
  cache_token("corp", hours(1));
  server_->config({{"fail_first", 1}});
  ASSERT_TRUE(SsoProvider("dev").load());
  EXPECT_EQ(server_->requests().size(), 2u);
  server_->config({{"fail_first", 10}});
  try {
    SsoProvider("dev", seconds(2), 2).load();
    FAIL() << "expected CredentialsTransientError";
  } catch (const CredentialsTransientError& e) {
    EXPECT_EQ(e.category(), ErrorCategory::Transient);
  }
}

TEST_F(SsoTest, InTheDefaultChainAndAsASourceProfile) {
  write_config(std::string(kSessionConfig) +
               "[profile arch]\nrole_arn = arn:aws:iam::1:role/a\nsource_profile = dev\n");
  cache_token("corp", hours(1));
  auto c = make_default_chain("dev")->load();
  EXPECT_EQ(c->provider, "sso");
  server_->reset();
  server_->config({{"sts_keys", {{"ASIASSO111122223333", "fake-secret"}}}});
  set("AWS_ENDPOINT_URL_STS", server_->url("/sts"));
  c = make_default_chain("arch")->load();
  EXPECT_EQ(c->provider, "assume-role");
  EXPECT_EQ(server_->count("/sso/"), 1u);
  EXPECT_EQ(server_->count("/sts/"), 1u);  // signed with the SSO role's keys (verified by the fake)
}

}  // namespace
}  // namespace s3tar::s3::test
