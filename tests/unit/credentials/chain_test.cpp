#include "s3tar/s3/credentials/chain_provider.h"
#include "s3tar/s3/credentials/refreshing_provider.h"
#include "tests/unit/credentials/test_support.h"

namespace s3tar::s3::test {
namespace {

class ChainTest : public ServerTest {
 protected:
  void env_keys() {
    set("AWS_ACCESS_KEY_ID", "AKIDENV");
    set("AWS_SECRET_ACCESS_KEY", "env-secret");
  }
  std::string process_script(const std::string& key) {
    auto p = path("proc-" + key + ".sh");
    write_file(
        p, "#!/bin/sh\necho '{\"Version\":1,\"AccessKeyId\":\"" + key + "\",\"SecretAccessKey\":\"s\"}'\n",
        true);
    return p.string();
  }
  std::string load_key(std::optional<std::string> profile = std::nullopt) {
    auto c = make_default_chain(std::move(profile))->load();
    return c ? c->access_key_id : "";
  }
};

TEST_F(ChainTest, DefaultOrder) {
  std::vector<std::string> names;
  auto chain = make_default_chain();
  for (const auto& p : chain->providers()) names.push_back(p->name());
  EXPECT_EQ(names, (std::vector<std::string>{"environment", "assume-role", "web-identity", "sso",
                                             "shared-credentials-file", "credential-process", "config-file",
                                             "container", "imds"}));
  // An explicit profile leaves the environment's keys out, as the AWS CLI's --profile does.
  names.clear();
  auto explicit_chain = make_default_chain("p");
  for (const auto& p : explicit_chain->providers()) names.push_back(p->name());
  EXPECT_EQ(names, (std::vector<std::string>{"assume-role", "web-identity", "sso", "shared-credentials-file",
                                             "credential-process", "config-file", "container", "imds"}));
}

TEST_F(ChainTest, EnvironmentWinsOverProfile) {
  write_credentials("[default]\naws_access_key_id = AKIDFILE\naws_secret_access_key = s\n");
  env_keys();
  auto chain = make_default_chain();
  auto c = chain->load();
  EXPECT_EQ(c->access_key_id, "AKIDENV");
  EXPECT_EQ(c->provider, "environment");
  EXPECT_EQ(chain->last_provider(), "environment");
}

TEST_F(ChainTest, ProfileWhenNoEnvironment) {
  write_credentials("[default]\naws_access_key_id = AKIDFILE\naws_secret_access_key = s\n");
  auto c = make_default_chain()->load();
  EXPECT_EQ(c->access_key_id, "AKIDFILE");
  EXPECT_EQ(c->provider, "shared-credentials-file");
}

TEST_F(ChainTest, CredentialsFileThenProcessThenConfigKeys) {
  write_config("[profile p]\ncredential_process = " + process_script("AKIDPROC") +
               "\naws_access_key_id = AKIDCFG\naws_secret_access_key = s\n");
  EXPECT_EQ(load_key("p"), "AKIDPROC");
  write_credentials("[p]\naws_access_key_id = AKIDCRED\naws_secret_access_key = s\n");
  EXPECT_EQ(load_key("p"), "AKIDCRED");
  write_credentials("");
  write_config("[profile p]\naws_access_key_id = AKIDCFG\naws_secret_access_key = s\n");
  EXPECT_EQ(load_key("p"), "AKIDCFG");
}

TEST_F(ChainTest, WebIdentityBeforeProfileKeys) {
  write_credentials("[default]\naws_access_key_id = AKIDFILE\naws_secret_access_key = s\n");
  write_file(path("token"), "web-identity-token");
  set("AWS_WEB_IDENTITY_TOKEN_FILE", path("token").string());
  set("AWS_ROLE_ARN", "arn:aws:iam::1:role/r");
  set("AWS_ENDPOINT_URL_STS", server_->url("/sts"));
  auto c = make_default_chain()->load();
  EXPECT_EQ(c->provider, "web-identity");
  EXPECT_EQ(c->access_key_id, "AKIDFAKE");
}

TEST_F(ChainTest, ContainerThenImds) {
  ::unsetenv("AWS_EC2_METADATA_DISABLED");
  set("AWS_EC2_METADATA_SERVICE_ENDPOINT", server_->url());
  EXPECT_EQ(make_default_chain()->load()->provider, "imds");
  set("AWS_CONTAINER_CREDENTIALS_FULL_URI", server_->url("/container/creds"));
  EXPECT_EQ(make_default_chain()->load()->provider, "container");
}

TEST_F(ChainTest, NothingFoundListsTheSourcesTried) {
  try {
    make_default_chain()->load();
    FAIL() << "expected CredentialsError";
  } catch (const CredentialsError& e) {
    std::string m = e.what();
    for (const char* n : {"environment", "web-identity", "shared-credentials-file", "credential-process",
                          "config-file", "container", "imds"}) {
      EXPECT_NE(m.find(n), std::string::npos) << n << " missing from: " << m;
    }
  }
}

TEST_F(ChainTest, BrokenSourceStopsTheChain) {
  write_config("[default]\ncredential_process = " + path("missing").string() + "\n");
  ::unsetenv("AWS_EC2_METADATA_DISABLED");
  set("AWS_EC2_METADATA_SERVICE_ENDPOINT", server_->url());
  EXPECT_THROW(make_default_chain()->load(), CredentialsError);
  EXPECT_EQ(server_->requests().size(), 0u);
}

TEST_F(ChainTest, ExplicitProfileBeatsEnvironmentKeys) {
  write_credentials("[prod]\naws_access_key_id = AKIDPROD\naws_secret_access_key = s\n");
  env_keys();
  auto c = make_default_chain("prod")->load();
  EXPECT_EQ(c->access_key_id, "AKIDPROD");
  EXPECT_EQ(c->provider, "shared-credentials-file");
  EXPECT_EQ(load_key(""), "AKIDENV");  // an empty option is no choice
}

TEST_F(ChainTest, AwsProfileStillLosesToEnvironmentKeys) {
  // botocore keeps the environment provider when the profile comes from AWS_PROFILE: keys set
  // in the environment are the more specific choice.
  write_credentials("[prod]\naws_access_key_id = AKIDPROD\naws_secret_access_key = s\n");
  set("AWS_PROFILE", "prod");
  EXPECT_EQ(load_key(), "AKIDPROD");
  env_keys();
  EXPECT_EQ(load_key(), "AKIDENV");
}

TEST_F(ChainTest, ExplicitProfileIgnoresEnvironmentWebIdentity) {
  write_credentials("[prod]\naws_access_key_id = AKIDPROD\naws_secret_access_key = s\n");
  write_file(path("token"), "web-identity-token");
  set("AWS_WEB_IDENTITY_TOKEN_FILE", path("token").string());
  set("AWS_ROLE_ARN", "arn:aws:iam::1:role/r");
  set("AWS_ENDPOINT_URL_STS", server_->url("/sts"));
  EXPECT_EQ(load_key("prod"), "AKIDPROD");
  EXPECT_EQ(server_->requests().size(), 0u);
}

TEST_F(ChainTest, MissingSelectedProfileFailsEvenWithEnvironmentKeys) {
  env_keys();
  write_credentials("[default]\naws_access_key_id = AKIDFILE\naws_secret_access_key = s\n");
  for (bool via_env : {false, true}) {
    SCOPED_TRACE(via_env ? "AWS_PROFILE" : "--profile");
    if (via_env) set("AWS_PROFILE", "nosuch");
    try {
      make_default_chain(via_env ? std::nullopt : std::optional<std::string>("nosuch"))->load();
      FAIL() << "expected CredentialsError";
    } catch (const CredentialsError& e) {
      EXPECT_NE(std::string(e.what()).find("the config profile (nosuch) could not be found"),
                std::string::npos)
          << e.what();
      EXPECT_EQ(e.category(), ErrorCategory::Usage);
    }
  }
}

TEST_F(ChainTest, DefaultProviderCachesAndReportsTheSource) {
  write_credentials("[default]\naws_access_key_id = AKIDFILE\naws_secret_access_key = s\n");
  auto p = make_default_provider();
  EXPECT_EQ(p->load()->access_key_id, "AKIDFILE");
  EXPECT_EQ(p->last_provider(), "shared-credentials-file");
  write_credentials("[default]\naws_access_key_id = AKIDNEW\naws_secret_access_key = s\n");
  EXPECT_EQ(p->load()->access_key_id, "AKIDFILE");  // long-term keys: cached
  p->invalidate();
  EXPECT_EQ(p->load()->access_key_id, "AKIDNEW");
}

}  // namespace
}  // namespace s3tar::s3::test
