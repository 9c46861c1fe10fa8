#include "s3tar/s3/client_config.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "s3tar/errors.h"
#include "s3tar/s3/client.h"

namespace s3tar::s3 {
namespace {

// Runs each test with a clean AWS environment and a private config file.
class ClientConfigTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const char* v : {"AWS_REGION", "AWS_DEFAULT_REGION", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3",
                          "AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_MAX_ATTEMPTS", "AWS_RETRY_MODE",
                          "AWS_CA_BUNDLE", "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"})
      unsetenv(v);
    dir_ = std::filesystem::temp_directory_path() / ("s3tar-cfg-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_);
    std::ofstream(dir_ / "config")
        << "[default]\nregion = eu-west-1\n\n[profile other]\nregion = ap-south-1\n"
           "endpoint_url = http://127.0.0.1:9/\nmax_attempts = 4\n";
    setenv("AWS_CONFIG_FILE", (dir_ / "config").c_str(), 1);
    setenv("AWS_SHARED_CREDENTIALS_FILE", (dir_ / "credentials").c_str(), 1);
  }
  void write_config(const std::string& text) { std::ofstream(dir_ / "config") << text; }
  void TearDown() override {
    for (const char* v : {"AWS_REGION", "AWS_DEFAULT_REGION", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3",
                          "AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_MAX_ATTEMPTS", "AWS_RETRY_MODE",
                          "AWS_CA_BUNDLE", "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"})
      unsetenv(v);
    unsetenv("AWS_CONFIG_FILE");
    unsetenv("AWS_SHARED_CREDENTIALS_FILE");
    std::filesystem::remove_all(dir_);
  }
  std::filesystem::path dir_;
};

TEST_F(ClientConfigTest, RegionPrecedenceIsFlagEnvProfile) {
  EXPECT_EQ(resolve_client_config({}).region, "eu-west-1");
  setenv("AWS_DEFAULT_REGION", "us-west-1", 1);
  EXPECT_EQ(resolve_client_config({}).region, "us-west-1");
  setenv("AWS_REGION", "us-west-2", 1);
  EXPECT_EQ(resolve_client_config({}).region, "us-west-2");
  ConnectionOptions o;
  o.region = "sa-east-1";
  EXPECT_EQ(resolve_client_config(o).region, "sa-east-1");
}

TEST_F(ClientConfigTest, ProfileSuppliesRegionEndpointAndAttempts) {
  ConnectionOptions o;
  o.profile = "other";
  const ClientConfig c = resolve_client_config(o);
  EXPECT_EQ(c.region, "ap-south-1");
  EXPECT_EQ(c.endpoint_url, "http://127.0.0.1:9");
  EXPECT_TRUE(c.path_style);  // custom endpoints default to path-style
  EXPECT_EQ(c.retry.max_attempts, 4);
}

TEST_F(ClientConfigTest, EndpointPrecedenceAndAddressing) {
  EXPECT_TRUE(resolve_client_config({}).endpoint_url.empty());
  EXPECT_FALSE(resolve_client_config({}).path_style);  // AWS: virtual-hosted
  setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:1", 1);
  EXPECT_EQ(resolve_client_config({}).endpoint_url, "http://127.0.0.1:1");
  setenv("AWS_ENDPOINT_URL_S3", "http://127.0.0.1:2/", 1);
  EXPECT_EQ(resolve_client_config({}).endpoint_url, "http://127.0.0.1:2");
  ConnectionOptions o;
  o.endpoint_url = "https://s3.example.test";
  o.path_style = false;
  const ClientConfig c = resolve_client_config(o);
  EXPECT_EQ(c.endpoint_url, "https://s3.example.test");
  EXPECT_FALSE(c.path_style);
  unsetenv("AWS_ENDPOINT_URL");
  unsetenv("AWS_ENDPOINT_URL_S3");
}

TEST_F(ClientConfigTest, BadValuesAreOneLineUsageErrors) {
  ConnectionOptions o;
  o.endpoint_url = "localhost:9000";
  EXPECT_THROW(resolve_client_config(o), UsageError);
  ConnectionOptions a;
  a.max_attempts = 0;
  EXPECT_THROW(resolve_client_config(a), UsageError);
  setenv("AWS_MAX_ATTEMPTS", "x", 1);
  EXPECT_THROW(resolve_client_config({}), UsageError);
  unsetenv("AWS_MAX_ATTEMPTS");
  setenv("AWS_RETRY_MODE", "sometimes", 1);
  EXPECT_THROW(resolve_client_config({}), UsageError);
  unsetenv("AWS_RETRY_MODE");
  write_config("[default]\nmax_attempts = many\n");
  EXPECT_THROW(resolve_client_config({}), UsageError);
  write_config("[default]\ns3 =\n  addressing_style = sideways\n");
  EXPECT_THROW(resolve_client_config({}), UsageError);
}

TEST_F(ClientConfigTest, SelectedProfileMustExist) {
  ConnectionOptions o;
  o.profile = "nosuch";
  setenv("AWS_ACCESS_KEY_ID", "AKID", 1);  // keys in the environment do not make it optional
  try {
    resolve_client_config(o);
    FAIL() << "expected a usage error";
  } catch (const UsageError& e) {
    EXPECT_NE(std::string(e.what()).find("the config profile (nosuch) could not be found"), std::string::npos)
        << e.what();
  }
  unsetenv("AWS_ACCESS_KEY_ID");
  setenv("AWS_PROFILE", "alsonot", 1);
  EXPECT_THROW(resolve_client_config({}), UsageError);
  unsetenv("AWS_PROFILE");
  std::filesystem::remove(dir_ / "config");
  EXPECT_NO_THROW(resolve_client_config({}));  // no files at all: the default profile is optional
}

TEST_F(ClientConfigTest, RetryModeAndAttemptsPrecedence) {
  // Attempts: flag, AWS_MAX_ATTEMPTS, profile max_attempts, the mode's default (10; legacy 5).
  write_config("[default]\nretry_mode = legacy\n");
  RetryConfig r = resolve_client_config({}).retry;
  EXPECT_EQ(r.mode, RetryMode::Legacy);
  EXPECT_EQ(r.max_attempts, 5);
  write_config("[default]\nretry_mode = legacy\nmax_attempts = 7\n");
  EXPECT_EQ(resolve_client_config({}).retry.max_attempts, 7);
  setenv("AWS_RETRY_MODE", "adaptive", 1);  // the environment's mode wins, the profile's count stays
  r = resolve_client_config({}).retry;
  EXPECT_EQ(r.mode, RetryMode::Adaptive);
  EXPECT_EQ(r.max_attempts, 7);
  setenv("AWS_MAX_ATTEMPTS", "3", 1);
  EXPECT_EQ(resolve_client_config({}).retry.max_attempts, 3);
  ConnectionOptions o;
  o.max_attempts = 2;
  EXPECT_EQ(resolve_client_config(o).retry.max_attempts, 2);
  write_config("[default]\n");
  unsetenv("AWS_RETRY_MODE");
  unsetenv("AWS_MAX_ATTEMPTS");
  r = resolve_client_config({}).retry;
  EXPECT_EQ(r.mode, RetryMode::Standard);
  EXPECT_EQ(r.max_attempts, 10);
}

TEST_F(ClientConfigTest, AddressingStyleFromTheS3Section) {
  write_config(
      "[default]\nendpoint_url = http://127.0.0.1:9\ns3 =\n  addressing_style = virtual\n"
      "[profile aws]\ns3 =\n  addressing_style = path\n[profile auto]\ns3 =\n  addressing_style = auto\n");
  EXPECT_FALSE(resolve_client_config({}).path_style);  // the profile beats the custom-endpoint default
  ConnectionOptions flag;
  flag.path_style = true;  // the flag beats the profile
  EXPECT_TRUE(resolve_client_config(flag).path_style);
  ConnectionOptions aws;
  aws.profile = "aws";
  EXPECT_TRUE(resolve_client_config(aws).path_style);
  ConnectionOptions automatic;
  automatic.profile = "auto";
  EXPECT_FALSE(resolve_client_config(automatic).path_style);  // AWS: virtual-hosted
}

TEST_F(ClientConfigTest, EndpointFromTheServicesSection) {
  // botocore: AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL, services section, profile endpoint_url.
  write_config(
      "[default]\nendpoint_url = http://127.0.0.1:4\nservices = local\n"
      "[services local]\ns3 =\n  endpoint_url = http://127.0.0.1:3/\n");
  EXPECT_EQ(resolve_client_config({}).endpoint_url, "http://127.0.0.1:3");
  EXPECT_TRUE(resolve_client_config({}).path_style);
  setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:2", 1);
  EXPECT_EQ(resolve_client_config({}).endpoint_url, "http://127.0.0.1:2");
  setenv("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "true", 1);
  EXPECT_EQ(resolve_client_config({}).endpoint_url, "");
  ConnectionOptions o;
  o.endpoint_url = "http://127.0.0.1:1";  // the flag is never ignored
  EXPECT_EQ(resolve_client_config(o).endpoint_url, "http://127.0.0.1:1");
}

TEST_F(ClientConfigTest, CaBundlePrecedence) {
  write_config("[default]\nca_bundle = /etc/profile-ca.pem\n");
  EXPECT_EQ(resolve_client_config({}).http.ca_bundle, "/etc/profile-ca.pem");
  setenv("AWS_CA_BUNDLE", "/etc/env-ca.pem", 1);
  EXPECT_EQ(resolve_client_config({}).http.ca_bundle, "/etc/env-ca.pem");
  ConnectionOptions o;
  o.ca_bundle = "/etc/flag-ca.pem";
  EXPECT_EQ(resolve_client_config(o).http.ca_bundle, "/etc/flag-ca.pem");
}

TEST_F(ClientConfigTest, TlsVerificationIsOnByDefault) {
  EXPECT_TRUE(resolve_client_config({}).http.verify_tls);
  ConnectionOptions o;
  o.no_verify_tls = true;
  EXPECT_FALSE(resolve_client_config(o).http.verify_tls);
}

TEST(MultipartEtag, IsTheMd5OfThePartMd5s) {
  // Two parts whose MD5s are those of "a" and "b"; checked against Python:
  // hashlib.md5(bytes.fromhex(md5("a")) + bytes.fromhex(md5("b"))).hexdigest() + "-2"
  EXPECT_EQ(multipart_etag({"0cc175b9c0f1b6a831c399e269772661", "92eb5ffee6ae2fec3ad71c777531578f"}),
            "96e024ba2074fe77e8e965ba43a704be-2");
  EXPECT_THROW(multipart_etag({"nothex"}), std::invalid_argument);
}

TEST(StripQuotes, AcceptsQuotedAndUnquotedEtags) {
  EXPECT_EQ(strip_quotes("\"abc\""), "abc");
  EXPECT_EQ(strip_quotes("abc"), "abc");
  EXPECT_EQ(strip_quotes("&quot;abc&quot;"), "abc");
}

TEST(ParseHttpTime, ReadsIso8601AndRfc1123) {
  EXPECT_EQ(parse_http_time("2025-11-20T13:45:07.000Z"), 1763646307);
  EXPECT_EQ(parse_http_time("Thu, 20 Nov 2025 13:45:07 GMT"), 1763646307);
  EXPECT_EQ(parse_http_time("garbage"), 0);
}

}  // namespace
}  // namespace s3tar::s3
