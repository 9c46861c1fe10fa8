// Assume-role profiles against the fake STS, which verifies each AssumeRole's SigV4 signature
// against the keys it knows (the source keys the test gives it and the ones it hands out).
#include "s3tar/s3/credentials/assume_role_provider.h"
#include "s3tar/s3/credentials/chain_provider.h"
#include "s3tar/s3/credentials/refreshing_provider.h"
#include "s3tar/s3/credentials/support.h"
#include "tests/unit/credentials/test_support.h"

namespace s3tar::s3::test {
namespace {

using namespace std::chrono;

const std::string kRoleA = "arn:aws:iam::123456789012:role/archiver";
const std::string kRoleB = "arn:aws:iam::210987654321:role/hop";

// The keys the fake STS hands out for a role (fake_metadata_server.py role_keys).
std::string role_access_key(const std::string& arn) {
  std::string h = credentials_detail::sha1_hex(arn);
  for (auto& c : h) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return "ASIA" + h.substr(0, 16);
}

class AssumeRoleTest : public ServerTest {
 protected:
  void SetUp() override {
    ServerTest::SetUp();
    set("AWS_ENDPOINT_URL_STS", server_->url("/sts"));
    server_->config(
        {{"sts_keys",
          {{"AKIDBASE", "base-secret"}, {"AKIDENV", "env-secret"}, {"AKIDFAKE", "fake-secret"}}}});
    write_credentials("[base]\naws_access_key_id = AKIDBASE\naws_secret_access_key = base-secret\n");
  }

  static std::map<std::string, std::string> form(const std::string& body) {
    std::map<std::string, std::string> out;
    std::size_t pos = 0;
    while (pos < body.size()) {
      auto amp = body.find('&', pos);
      if (amp == std::string::npos) amp = body.size();
      auto kv = body.substr(pos, amp - pos);
      auto eq = kv.find('=');
      out[kv.substr(0, eq)] = eq == std::string::npos ? "" : kv.substr(eq + 1);
      pos = amp + 1;
    }
    return out;
  }

  // The AssumeRole calls the fake STS received: (signing access key, region of the scope, form).
  struct Call {
    std::string key, region;
    std::map<std::string, std::string> form;
  };
  std::vector<Call> assume_calls() {
    std::vector<Call> out;
    for (const auto& r : server_->requests()) {
      auto f = form(r["body"]);
      if (f["Action"] != "AssumeRole") continue;
      std::string auth = r["headers"].value("authorization", "");
      auto cred = auth.find("Credential=");
      Call c;
      if (cred != std::string::npos) {
        std::string scope = auth.substr(cred + 11, auth.find(',', cred) - cred - 11);
        c.key = scope.substr(0, scope.find('/'));
        auto parts = scope.substr(scope.find('/') + 1);
        parts = parts.substr(parts.find('/') + 1);
        c.region = parts.substr(0, parts.find('/'));
      }
      c.form = f;
      out.push_back(c);
    }
    return out;
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

TEST_F(AssumeRoleTest, SourceProfileKeysSignAssumeRoleWithTheProfileSettings) {
  write_config("[profile arch]\nrole_arn = " + kRoleA +
               "\nsource_profile = base\nrole_session_name = nightly\nexternal_id = ext-42\n"
               "duration_seconds = 1800\n");
  auto c = AssumeRoleProvider("arch", "eu-west-1").load();
  ASSERT_TRUE(c);
  EXPECT_EQ(c->access_key_id, role_access_key(kRoleA));
  EXPECT_FALSE(c->session_token.empty());
  EXPECT_EQ(c->provider, "assume-role");
  ASSERT_TRUE(c->expiration);
  EXPECT_NEAR(duration_cast<seconds>(*c->expiration - system_clock::now()).count(), 1800, 30);
  auto calls = assume_calls();
  ASSERT_EQ(calls.size(), 1u);
  EXPECT_EQ(calls[0].key, "AKIDBASE");
  EXPECT_EQ(calls[0].region, "eu-west-1");
  EXPECT_EQ(calls[0].form["Version"], "2011-06-15");
  EXPECT_EQ(calls[0].form["RoleArn"], credentials_detail::url_encode(kRoleA));
  EXPECT_EQ(calls[0].form["RoleSessionName"], "nightly");
  EXPECT_EQ(calls[0].form["ExternalId"], "ext-42");
  EXPECT_EQ(calls[0].form["DurationSeconds"], "1800");
  EXPECT_EQ(server_->requests()[0]["path"], "/sts/");
}

TEST_F(AssumeRoleTest, DefaultSessionNameAndNoOptionalParameters) {
  write_config("[profile arch]\nrole_arn = " + kRoleA + "\nsource_profile = base\n");
  ASSERT_TRUE(AssumeRoleProvider("arch").load());
  auto calls = assume_calls();
  ASSERT_EQ(calls.size(), 1u);
  EXPECT_EQ(calls[0].form["RoleSessionName"].rfind("s3tar-", 0), 0u);
  EXPECT_EQ(calls[0].form.count("ExternalId"), 0u);
  EXPECT_EQ(calls[0].form.count("DurationSeconds"), 0u);
  EXPECT_EQ(calls[0].region, "us-east-1");  // no region anywhere
}

TEST_F(AssumeRoleTest, ChainsAssumeEachRoleWithThePreviousCredentials) {
  write_config("[profile a]\nrole_arn = " + kRoleA +
               "\nsource_profile = b\n[profile b]\nrole_arn = " + kRoleB + "\nsource_profile = base\n");
  auto c = AssumeRoleProvider("a", "eu-west-1").load();
  ASSERT_TRUE(c);
  EXPECT_EQ(c->access_key_id, role_access_key(kRoleA));
  auto calls = assume_calls();
  ASSERT_EQ(calls.size(), 2u);
  EXPECT_EQ(calls[0].form["RoleArn"], credentials_detail::url_encode(kRoleB));
  EXPECT_EQ(calls[0].key, "AKIDBASE");
  EXPECT_EQ(calls[1].form["RoleArn"], credentials_detail::url_encode(kRoleA));
  EXPECT_EQ(calls[1].key, role_access_key(kRoleB));
}

TEST_F(AssumeRoleTest, LoopsAreRefusedButAProfileMayBeItsOwnKeySource) {
  write_config(
      "[profile a]\nrole_arn = " + kRoleA + "\nsource_profile = b\n[profile b]\nrole_arn = " + kRoleB +
      "\nsource_profile = a\n[profile lonely]\nrole_arn = " + kRoleA + "\nsource_profile = lonely\n");
  std::string m = error_of([] { AssumeRoleProvider("a").load(); });
  EXPECT_NE(m.find("loop: a -> b -> a"), std::string::npos) << m;
  m = error_of([] { AssumeRoleProvider("lonely").load(); });
  EXPECT_NE(m.find("loop"), std::string::npos) << m;
  EXPECT_TRUE(assume_calls().empty());

  write_config(
      "[profile self]\nrole_arn = " + kRoleA +
      "\nsource_profile = self\naws_access_key_id = AKIDBASE\naws_secret_access_key = base-secret\n");
  // In the default chain the role wins over the same profile's static keys.
  auto c = make_default_chain("self")->load();
  EXPECT_EQ(c->access_key_id, role_access_key(kRoleA));
  ASSERT_EQ(assume_calls().size(), 1u);
  EXPECT_EQ(assume_calls()[0].key, "AKIDBASE");
}

TEST_F(AssumeRoleTest, CredentialSources) {
  write_config("[profile env]\nrole_arn = " + kRoleA +
               "\ncredential_source = Environment\n[profile ec2]\nrole_arn = " + kRoleA +
               "\ncredential_source = ec2instancemetadata\n[profile ecs]\nrole_arn = " + kRoleA +
               "\ncredential_source = EcsContainer\n");
  set("AWS_ACCESS_KEY_ID", "AKIDENV");
  set("AWS_SECRET_ACCESS_KEY", "env-secret");
  ASSERT_TRUE(AssumeRoleProvider("env").load());
  ::unsetenv("AWS_EC2_METADATA_DISABLED");
  set("AWS_EC2_METADATA_SERVICE_ENDPOINT", server_->url());
  ASSERT_TRUE(AssumeRoleProvider("ec2").load());
  set("AWS_CONTAINER_CREDENTIALS_FULL_URI", server_->url("/container/creds"));
  ASSERT_TRUE(AssumeRoleProvider("ecs").load());
  auto calls = assume_calls();
  ASSERT_EQ(calls.size(), 3u);
  EXPECT_EQ(calls[0].key, "AKIDENV");
  EXPECT_EQ(calls[1].key, "AKIDFAKE");  // the fake IMDS role's keys
  EXPECT_EQ(calls[2].key, "AKIDFAKE");  // the fake container endpoint's keys
  EXPECT_EQ(server_->count("/latest/meta-data/iam/security-credentials/"), 2u);
  EXPECT_EQ(server_->count("/container/"), 1u);
}

TEST_F(AssumeRoleTest, MisconfiguredProfilesAreClearErrors) {
  write_config(
      "[profile both]\nrole_arn = " + kRoleA + "\nsource_profile = base\ncredential_source = Environment\n" +
      "[profile neither]\nrole_arn = " + kRoleA + "\n[profile badsource]\nrole_arn = " + kRoleA +
      "\ncredential_source = Laptop\n[profile missing]\nrole_arn = " + kRoleA +
      "\nsource_profile = ghost\n[profile empty]\nregion = eu-west-1\n[profile nokeys]\nrole_arn = " +
      kRoleA + "\nsource_profile = empty\n[profile mfa]\nrole_arn = " + kRoleA +
      "\nsource_profile = base\nmfa_serial = arn:aws:iam::1:mfa/me\n[profile longer]\nrole_arn = " + kRoleA +
      "\nsource_profile = base\nduration_seconds = 1h\n");
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"both", "both source_profile and credential_source"},
      {"neither", "neither source_profile nor credential_source"},
      {"badsource", "credential_source 'Laptop' is not valid"},
      {"missing", "source_profile 'ghost' does not exist"},
      {"nokeys", "source_profile 'empty' has no credentials"},
      {"mfa", "mfa_serial"},
      {"longer", "duration_seconds must be a whole number"},
  };
  for (const auto& [profile, expected] : cases) {
    SCOPED_TRACE(profile);
    try {
      AssumeRoleProvider(profile).load();
      ADD_FAILURE() << "expected CredentialsError";
    } catch (const CredentialsError& e) {
      EXPECT_NE(std::string(e.what()).find(expected), std::string::npos) << e.what();
      EXPECT_NE(std::string(e.what()).find("'" + profile + "'"), std::string::npos) << e.what();
    }
  }
  EXPECT_TRUE(assume_calls().empty());
  EXPECT_FALSE(AssumeRoleProvider("empty").load());  // not an assume-role profile
}

TEST_F(AssumeRoleTest, RefusalsAreConfigurationErrorsOutagesAreTransient) {
  write_config("[profile arch]\nrole_arn = " + kRoleA +
               "\nsource_profile = base\n[profile wrongkey]\nrole_arn = " + kRoleA +
               "\nsource_profile = badkey\n");
  write_credentials(
      "[base]\naws_access_key_id = AKIDBASE\naws_secret_access_key = base-secret\n"
      "[badkey]\naws_access_key_id = AKIDBASE\naws_secret_access_key = not-the-secret\n");
  server_->config({{"assume_status", 403}, {"assume_code", "AccessDenied"}});
  try {
    AssumeRoleProvider("arch").load();
    FAIL() << "expected CredentialsError";
  } catch (const CredentialsError& e) {
    EXPECT_NE(std::string(e.what()).find("AccessDenied"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find(kRoleA), std::string::npos) << e.what();
  }
  EXPECT_EQ(assume_calls().size(), 1u);  // not retried
  server_->config({{"assume_status", 200}});
  std::string m = error_of([] { AssumeRoleProvider("wrongkey").load(); });
  EXPECT_NE(m.find("SignatureDoesNotMatch"), std::string::npos) << m;
  EXPECT_NO_SECRET(m, "not-the-secret");

  server_->reset();
  server_->config({{"sts_keys", {{"AKIDBASE", "base-secret"}}}, {"fail_first", 10}});
  try {
    AssumeRoleProvider("arch", std::nullopt, seconds(2), 2).load();
    FAIL() << "expected CredentialsTransientError";
  } catch (const CredentialsTransientError& e) {
    EXPECT_EQ(e.category(), ErrorCategory::Transient);
    EXPECT_NE(std::string(e.what()).find("HTTP 500"), std::string::npos) << e.what();
  }
  EXPECT_EQ(server_->requests().size(), 2u);
}

TEST_F(AssumeRoleTest, RefreshedInTheBackgroundBeforeExpiry) {
  write_config("[profile arch]\nrole_arn = " + kRoleA + "\nsource_profile = base\nduration_seconds = 900\n");
  system_clock::time_point now = system_clock::now();
  RefreshingProvider p(
      std::make_shared<AssumeRoleProvider>("arch"), minutes(5), [&] { return now; }, minutes(15));
  ASSERT_TRUE(p.load());
  now += minutes(6);  // 9 minutes left: the cache answers
  ASSERT_TRUE(p.load());
  p.wait_idle();
  EXPECT_EQ(assume_calls().size(), 1u);
  now += minutes(2);  // 7 minutes left: past the advisory point (half of a 15-minute session)
  EXPECT_EQ(p.load()->access_key_id, role_access_key(kRoleA));  // served at once...
  p.wait_idle();
  EXPECT_EQ(assume_calls().size(), 2u);  // ...while one background reload ran
  EXPECT_EQ(p.reload_count(), 2u);
  ASSERT_TRUE(p.load());  // not reloaded again and again
  p.wait_idle();
  EXPECT_EQ(assume_calls().size(), 2u);
  now += minutes(3);  // 4 minutes left (the fake clock ran ahead of STS): reloaded before use
  ASSERT_TRUE(p.load());
  EXPECT_EQ(assume_calls().size(), 3u);
}

}  // namespace
}  // namespace s3tar::s3::test
