// Where the chain's own calls go (STS, the SSO portal and OIDC), resolved like botocore.
#include "s3tar/s3/credentials/credentials.h"
#include "s3tar/s3/credentials/service_endpoints.h"
#include "tests/unit/credentials/test_support.h"

namespace s3tar::s3::test {
namespace {

using EndpointsTest = CredentialsTest;

SharedConfig profile(const char* name = nullptr) {
  return SharedConfig::load(name ? std::optional<std::string>(name) : std::nullopt);
}

TEST_F(EndpointsTest, StsIsRegional) {
  auto e = sts_endpoint(profile(), "eu-west-3");
  EXPECT_EQ(e.url, "https://sts.eu-west-3.amazonaws.com");
  EXPECT_EQ(e.signing_region, "eu-west-3");
  EXPECT_EQ(sts_endpoint(profile(), "cn-north-1").url, "https://sts.cn-north-1.amazonaws.com.cn");
  EXPECT_EQ(sts_endpoint(profile(), "aws-global").url, "https://sts.amazonaws.com");
}

TEST_F(EndpointsTest, StsLegacyGlobalEndpoint) {
  set("AWS_STS_REGIONAL_ENDPOINTS", "legacy");
  auto e = sts_endpoint(profile(), "eu-west-1");
  EXPECT_EQ(e.url, "https://sts.amazonaws.com");
  EXPECT_EQ(e.signing_region, "us-east-1");
  // Regions that never had the global endpoint stay regional.
  EXPECT_EQ(sts_endpoint(profile(), "af-south-1").url, "https://sts.af-south-1.amazonaws.com");
  ::unsetenv("AWS_STS_REGIONAL_ENDPOINTS");
  write_config("[default]\nsts_regional_endpoints = legacy\n");
  EXPECT_EQ(sts_endpoint(profile(), "us-west-2").url, "https://sts.amazonaws.com");
  write_config("[default]\nsts_regional_endpoints = sometimes\n");
  EXPECT_THROW(sts_endpoint(profile(), "us-west-2"), CredentialsError);
}

TEST_F(EndpointsTest, ConfiguredEndpointOrder) {
  // botocore: AWS_ENDPOINT_URL_<SERVICE>, AWS_ENDPOINT_URL, services section, profile endpoint_url.
  write_config(
      "[default]\nendpoint_url = http://127.0.0.1:4/\nservices = local\n"
      "[services local]\nsts =\n  endpoint_url = http://127.0.0.1:3\n");
  EXPECT_EQ(sts_endpoint(profile(), "eu-west-1").url, "http://127.0.0.1:3");
  EXPECT_EQ(sts_endpoint(profile(), "eu-west-1").signing_region, "eu-west-1");
  EXPECT_EQ(sso_portal_endpoint(profile(), "eu-west-1").url, "http://127.0.0.1:4");  // no sso entry
  set("AWS_ENDPOINT_URL", "http://127.0.0.1:2");
  EXPECT_EQ(sts_endpoint(profile(), "eu-west-1").url, "http://127.0.0.1:2");
  set("AWS_ENDPOINT_URL_STS", "http://127.0.0.1:1");
  EXPECT_EQ(sts_endpoint(profile(), "eu-west-1").url, "http://127.0.0.1:1");
  EXPECT_EQ(configured_endpoint_url(profile(), "s3"), "http://127.0.0.1:2");
  set("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "true");
  EXPECT_EQ(sts_endpoint(profile(), "eu-west-1").url, "https://sts.eu-west-1.amazonaws.com");
  EXPECT_EQ(configured_endpoint_url(profile(), "s3"), std::nullopt);
}

TEST_F(EndpointsTest, SsoEndpoints) {
  EXPECT_EQ(sso_portal_endpoint(profile(), "eu-central-1").url,
            "https://portal.sso.eu-central-1.amazonaws.com");
  EXPECT_EQ(sso_oidc_endpoint(profile(), "eu-central-1").url, "https://oidc.eu-central-1.amazonaws.com");
  set("AWS_ENDPOINT_URL_SSO", "http://127.0.0.1:7/sso/");
  set("AWS_ENDPOINT_URL_SSO_OIDC", "http://127.0.0.1:7/oidc");
  EXPECT_EQ(sso_portal_endpoint(profile(), "eu-central-1").url, "http://127.0.0.1:7/sso");
  EXPECT_EQ(sso_oidc_endpoint(profile(), "eu-central-1").url, "http://127.0.0.1:7/oidc");
}

TEST_F(EndpointsTest, BadUrlNamesTheSetting) {
  set("AWS_ENDPOINT_URL_STS", "sts.example.com");
  try {
    sts_endpoint(profile(), "eu-west-1");
    FAIL() << "expected CredentialsError";
  } catch (const CredentialsError& e) {
    EXPECT_NE(std::string(e.what()).find("AWS_ENDPOINT_URL_STS"), std::string::npos) << e.what();
  }
}

TEST_F(EndpointsTest, DefaultRegionAndCaBundle) {
  write_config("[default]\nregion = ap-south-1\nca_bundle = /etc/profile-ca.pem\n");
  EXPECT_EQ(default_region(profile()), "ap-south-1");
  EXPECT_EQ(ca_bundle_for(profile()), "/etc/profile-ca.pem");
  set("AWS_DEFAULT_REGION", "eu-west-2");
  set("AWS_CA_BUNDLE", "/etc/env-ca.pem");
  EXPECT_EQ(default_region(profile()), "eu-west-2");
  EXPECT_EQ(ca_bundle_for(profile()), "/etc/env-ca.pem");
  set("AWS_REGION", "eu-west-1");
  EXPECT_EQ(default_region(profile()), "eu-west-1");
}

}  // namespace
}  // namespace s3tar::s3::test
