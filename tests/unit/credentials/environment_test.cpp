#include "s3tar/s3/credentials/environment_provider.h"
#include "tests/unit/credentials/test_support.h"

namespace s3tar::s3::test {
namespace {

using EnvironmentTest = CredentialsTest;

TEST_F(EnvironmentTest, ReadsKeysAndSessionToken) {
  set("AWS_ACCESS_KEY_ID", "AKIDENV");
  set("AWS_SECRET_ACCESS_KEY", "env-secret");
  set("AWS_SESSION_TOKEN", "env-token");
  auto c = EnvironmentProvider().load();
  ASSERT_TRUE(c);
  EXPECT_EQ(c->access_key_id, "AKIDENV");
  EXPECT_EQ(c->secret_access_key, "env-secret");
  EXPECT_EQ(c->session_token, "env-token");
  EXPECT_FALSE(c->expiration);
  EXPECT_EQ(c->provider, "environment");
}

TEST_F(EnvironmentTest, LongTermKeysHaveNoToken) {
  set("AWS_ACCESS_KEY_ID", "AKIDENV");
  set("AWS_SECRET_ACCESS_KEY", "env-secret");
  auto c = EnvironmentProvider().load();
  ASSERT_TRUE(c);
  EXPECT_TRUE(c->session_token.empty());
}

TEST_F(EnvironmentTest, NotConfiguredIsNullopt) { EXPECT_FALSE(EnvironmentProvider().load()); }

TEST_F(EnvironmentTest, EmptyVariablesCountAsUnset) {
  set("AWS_ACCESS_KEY_ID", "");
  set("AWS_SECRET_ACCESS_KEY", "");
  EXPECT_FALSE(EnvironmentProvider().load());
}

TEST_F(EnvironmentTest, LegacyNames) {
  set("AWS_ACCESS_KEY", "AKIDLEGACY");
  set("AWS_SECRET_KEY", "legacy-secret");
  auto c = EnvironmentProvider().load();
  ASSERT_TRUE(c);
  EXPECT_EQ(c->access_key_id, "AKIDLEGACY");
  EXPECT_EQ(c->secret_access_key, "legacy-secret");
}

TEST_F(EnvironmentTest, StandardNamesWinOverLegacy) {
  set("AWS_ACCESS_KEY", "AKIDLEGACY");
  set("AWS_SECRET_KEY", "legacy-secret");
  set("AWS_ACCESS_KEY_ID", "AKIDENV");
  set("AWS_SECRET_ACCESS_KEY", "env-secret");
  EXPECT_EQ(EnvironmentProvider().load()->access_key_id, "AKIDENV");
}

TEST_F(EnvironmentTest, HalfAPairIsAnErrorThatDoesNotLeakTheSecret) {
  set("AWS_SECRET_ACCESS_KEY", "half-secret-value");
  try {
    EnvironmentProvider().load();
    FAIL() << "expected CredentialsError";
  } catch (const CredentialsError& e) {
    EXPECT_NE(std::string(e.what()).find("AWS_ACCESS_KEY_ID"), std::string::npos);
    EXPECT_NO_SECRET(e.what(), "half-secret-value");
  }
  ::unsetenv("AWS_SECRET_ACCESS_KEY");
  set("AWS_ACCESS_KEY_ID", "AKIDONLY");
  EXPECT_THROW(EnvironmentProvider().load(), CredentialsError);
}

TEST_F(EnvironmentTest, ExpiresWithin) {
  Credentials c;
  auto now = std::chrono::system_clock::now();
  EXPECT_FALSE(c.expires_within(std::chrono::minutes(5), now));
  c.expiration = now + std::chrono::minutes(4);
  EXPECT_TRUE(c.expires_within(std::chrono::minutes(5), now));
  c.expiration = now + std::chrono::minutes(6);
  EXPECT_FALSE(c.expires_within(std::chrono::minutes(5), now));
}

}  // namespace
}  // namespace s3tar::s3::test
