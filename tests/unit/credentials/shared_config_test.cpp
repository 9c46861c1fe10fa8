#include "s3tar/s3/credentials/shared_config.h"

#include "s3tar/s3/credentials/profile_provider.h"
#include "s3tar/s3/credentials/support.h"
#include "tests/unit/credentials/test_support.h"

namespace s3tar::s3::test {
namespace {

using SharedConfigTest = CredentialsTest;

TEST(ParseIni, SectionsCommentsWhitespaceAndDelimiters) {
  auto ini = parse_ini(
      "# leading comment\n"
      "; another comment\n"
      "\n"
      "[default]\n"
      "  aws_access_key_id   =   AKID  \n"
      "AWS_Secret_Access_Key=sec=ret\r\n"
      "region: eu-west-1\n"
      "[  profile   dev  ]\n"
      "role_arn = arn:aws:iam::123456789012:role/x\n"
      "s3 =\n"
      "  max_concurrent_requests = 20\n"
      "  addressing_style = path\n"
      "output = json\n",
      "test");
  ASSERT_EQ(ini.count("default"), 1u);
  EXPECT_EQ(ini["default"]["aws_access_key_id"], "AKID");
  EXPECT_EQ(ini["default"]["aws_secret_access_key"], "sec=ret");
  EXPECT_EQ(ini["default"]["region"], "eu-west-1");
  ASSERT_EQ(ini.count("profile   dev"), 1u);
  auto& dev = ini["profile   dev"];
  EXPECT_EQ(dev["role_arn"], "arn:aws:iam::123456789012:role/x");
  EXPECT_EQ(dev["s3"], "");
  EXPECT_EQ(dev["s3.max_concurrent_requests"], "20");
  EXPECT_EQ(dev["s3.addressing_style"], "path");
  EXPECT_EQ(dev["output"], "json");
}

TEST(ParseIni, MalformedLineNamesTheLineButNotItsContent) {
  try {
    parse_ini("[default]\naws_secret_access_key = ok\nthis-line-holds-a-secret-XYZ\n", "cfg");
    FAIL() << "expected CredentialsError";
  } catch (const CredentialsError& e) {
    EXPECT_NE(std::string(e.what()).find("cfg:3"), std::string::npos) << e.what();
    EXPECT_NO_SECRET(e.what(), "this-line-holds-a-secret-XYZ");
  }
  EXPECT_THROW(parse_ini("key = value\n", "cfg"), CredentialsError);
  EXPECT_THROW(parse_ini("[unclosed\n", "cfg"), CredentialsError);
}

TEST_F(SharedConfigTest, DefaultProfileFromCredentialsFile) {
  write_credentials("[default]\naws_access_key_id = AKIDDEF\naws_secret_access_key = def-secret\n");
  auto c = ProfileProvider().load();
  ASSERT_TRUE(c);
  EXPECT_EQ(c->access_key_id, "AKIDDEF");
  EXPECT_EQ(c->secret_access_key, "def-secret");
  EXPECT_TRUE(c->session_token.empty());
  EXPECT_EQ(c->provider, "profile");
}

TEST_F(SharedConfigTest, NamedProfileFromOptionWinsOverAwsProfile) {
  write_credentials(
      "[default]\naws_access_key_id = AKIDDEF\naws_secret_access_key = s0\n"
      "[dev]\naws_access_key_id = AKIDDEV\naws_secret_access_key = s1\naws_session_token = t1\n"
      "[prod]\naws_access_key_id = AKIDPROD\naws_secret_access_key = s2\n");
  set("AWS_PROFILE", "prod");
  EXPECT_EQ(ProfileProvider().load()->access_key_id, "AKIDPROD");
  auto dev = ProfileProvider("dev").load();
  ASSERT_TRUE(dev);
  EXPECT_EQ(dev->access_key_id, "AKIDDEV");
  EXPECT_EQ(dev->session_token, "t1");
}

TEST_F(SharedConfigTest, ConfigFileUsesProfilePrefix) {
  write_config(
      "[default]\nregion = us-west-2\n"
      "[profile dev]\naws_access_key_id = AKIDCFG\naws_secret_access_key = cfg-secret\n"
      "[prod]\naws_access_key_id = AKIDIGNORED\naws_secret_access_key = x\n");
  EXPECT_EQ(ProfileProvider("dev").load()->access_key_id, "AKIDCFG");
  // "[prod]" without the "profile" prefix is not a profile in the config file.
  EXPECT_THROW(ProfileProvider("prod").load(), CredentialsError);
  EXPECT_FALSE(ProfileProvider().load());  // default exists but has no keys
}

TEST_F(SharedConfigTest, CredentialsFileWinsOverConfigFile) {
  write_config("[profile dev]\naws_access_key_id = AKIDCFG\naws_secret_access_key = cfg-secret\n");
  write_credentials("[dev]\naws_access_key_id = AKIDCRED\naws_secret_access_key = cred-secret\n");
  EXPECT_EQ(ProfileProvider("dev").load()->access_key_id, "AKIDCRED");
  EXPECT_EQ(ProfileProvider("dev", ProfileProvider::Source::ConfigFile).load()->access_key_id, "AKIDCFG");
  EXPECT_EQ(ProfileProvider("dev", ProfileProvider::Source::CredentialsFile).load()->provider,
            "shared-credentials-file");
}

TEST_F(SharedConfigTest, MissingExplicitProfileIsAnError) {
  write_credentials("[default]\naws_access_key_id = A\naws_secret_access_key = B\n");
  try {
    ProfileProvider("nosuch").load();
    FAIL() << "expected CredentialsError";
  } catch (const CredentialsError& e) {
    EXPECT_NE(std::string(e.what()).find("the config profile (nosuch) could not be found"), std::string::npos)
        << e.what();
  }
  set("AWS_PROFILE", "alsomissing");
  EXPECT_THROW(ProfileProvider().load(), CredentialsError);
}

TEST_F(SharedConfigTest, AwsDefaultProfileWinsOverAwsProfile) {
  // botocore reads AWS_DEFAULT_PROFILE before AWS_PROFILE; the option beats both.
  set("AWS_PROFILE", "b");
  EXPECT_EQ(resolve_profile_name(std::nullopt), "b");
  set("AWS_DEFAULT_PROFILE", "a");
  EXPECT_EQ(resolve_profile_name(std::nullopt), "a");
  EXPECT_TRUE(profile_explicitly_selected(std::nullopt));
  EXPECT_EQ(resolve_profile_name(std::string("c")), "c");
}

TEST_F(SharedConfigTest, SsoSessionAndServicesSectionsAreNotProfiles) {
  write_config(
      "[profile dev]\nservices = local\nsso_session = corp\n"
      "[sso-session corp]\nsso_start_url = https://corp.awsapps.com/start\nsso_region = eu-west-1\n"
      "[services local]\ns3 =\n  endpoint_url = http://127.0.0.1:9000\nsts =\n  endpoint_url = "
      "http://127.0.0.1:9001\n"
      "[profile \"with space\"]\nregion = eu-north-1\n");
  auto cfg = SharedConfig::load(std::string("dev"));
  ASSERT_NE(cfg.sso_session("corp"), nullptr);
  EXPECT_EQ(cfg.sso_session("corp")->at("sso_region"), "eu-west-1");
  EXPECT_EQ(cfg.sso_session("nope"), nullptr);
  EXPECT_EQ(cfg.service_value("s3", "endpoint_url"), "http://127.0.0.1:9000");
  EXPECT_EQ(cfg.service_value("sts", "endpoint_url"), "http://127.0.0.1:9001");
  EXPECT_EQ(cfg.service_value("sso", "endpoint_url"), std::nullopt);
  EXPECT_FALSE(cfg.has_profile("corp"));
  EXPECT_FALSE(cfg.has_profile("local"));
  EXPECT_TRUE(cfg.has_profile("with space"));
  EXPECT_EQ(profile_setting("with space", "region"), "eu-north-1");
  write_config("[profile dev]\nservices = gone\n");
  EXPECT_THROW(SharedConfig::load(std::string("dev")).service_value("s3", "endpoint_url"), CredentialsError);
}

TEST_F(SharedConfigTest, MissingDefaultProfileOrFilesIsNotConfigured) {
  EXPECT_FALSE(ProfileProvider().load());
  write_credentials("[other]\naws_access_key_id = A\naws_secret_access_key = B\n");
  EXPECT_FALSE(ProfileProvider().load());
}

TEST_F(SharedConfigTest, PathsOverriddenByEnvironment) {
  write_file(path("my-creds"), "[default]\naws_access_key_id = AKIDALT\naws_secret_access_key = alt\n");
  write_file(path("my-config"), "[profile x]\nregion = ap-south-1\n");
  set("AWS_SHARED_CREDENTIALS_FILE", path("my-creds").string());
  set("AWS_CONFIG_FILE", path("my-config").string());
  EXPECT_EQ(ProfileProvider().load()->access_key_id, "AKIDALT");
  EXPECT_EQ(profile_setting("x", "region"), "ap-south-1");
  EXPECT_EQ(config_file_path(), path("my-config").string());
  EXPECT_EQ(credentials_file_path(), path("my-creds").string());
}

TEST_F(SharedConfigTest, HalfAPairIsAnErrorWithoutTheSecret) {
  write_credentials("[default]\naws_secret_access_key = lonely-secret-123\n");
  try {
    ProfileProvider().load();
    FAIL() << "expected CredentialsError";
  } catch (const CredentialsError& e) {
    EXPECT_NO_SECRET(e.what(), "lonely-secret-123");
  }
}

TEST_F(SharedConfigTest, ProfileSettingForTheClient) {
  write_config(
      "[default]\nregion = eu-central-1\nmax_attempts = 7\n"
      "[profile minio]\nregion = us-east-1\nendpoint_url = http://localhost:9000\nretry_mode = standard\n"
      "s3 =\n  addressing_style = path\n");
  EXPECT_EQ(profile_setting(std::nullopt, "region"), "eu-central-1");
  EXPECT_EQ(profile_setting(std::nullopt, "max_attempts"), "7");
  EXPECT_EQ(profile_setting("minio", "endpoint_url"), "http://localhost:9000");
  EXPECT_EQ(profile_setting("minio", "REGION"), "us-east-1");
  EXPECT_EQ(profile_setting("minio", "s3.addressing_style"), "path");
  EXPECT_EQ(profile_setting("minio", "max_attempts"), std::nullopt);
  EXPECT_EQ(profile_setting("nosuch", "region"), std::nullopt);
  set("AWS_PROFILE", "minio");
  EXPECT_EQ(profile_setting(std::nullopt, "retry_mode"), "standard");
  EXPECT_EQ(resolve_profile_name(std::nullopt), "minio");
  EXPECT_EQ(resolve_profile_name(std::string("cli")), "cli");
}

TEST(Iso8601, Formats) {
  using credentials_detail::parse_iso8601;
  using namespace std::chrono;
  auto base = parse_iso8601("2024-05-01T12:34:56Z");
  ASSERT_TRUE(base);
  EXPECT_EQ(duration_cast<seconds>(base->time_since_epoch()).count(), 1714566896);
  EXPECT_EQ(parse_iso8601("2024-05-01T12:34:56.250Z").value() - *base, milliseconds(250));
  EXPECT_EQ(parse_iso8601("2024-05-01T14:34:56+02:00"), base);
  EXPECT_EQ(parse_iso8601("2024-05-01T12:34:56"), base);
  EXPECT_EQ(parse_iso8601("2024-05-01T11:34:56-0100"), base);
  EXPECT_EQ(parse_iso8601("2024-05-01T12:34:56UTC"), base);  // older AWS CLI SSO caches
  EXPECT_FALSE(parse_iso8601("2024-05-01"));
  EXPECT_FALSE(parse_iso8601("tomorrow"));
  EXPECT_FALSE(parse_iso8601("2024-13-01T00:00:00Z"));
  EXPECT_FALSE(parse_iso8601("2024-05-01T12:34:56Zjunk"));
}

// "Never expires" is written as a date past what system_clock holds (2262): clamped, not an
// overflow (UBSan caught one with an SSO token cache's 2999-01-01).
TEST(Iso8601, DatesPastTheClocksRangeAreClampedToTheFarFuture) {
  using credentials_detail::parse_iso8601;
  using namespace std::chrono;
  const auto far = parse_iso8601("2999-01-01T00:00:00Z");
  ASSERT_TRUE(far);
  EXPECT_EQ(duration_cast<seconds>(far->time_since_epoch()).count(), 7258118400);  // 2200-01-01
  EXPECT_GT(*far, *parse_iso8601("2199-12-31T23:59:59Z"));
}

}  // namespace
}  // namespace s3tar::s3::test
