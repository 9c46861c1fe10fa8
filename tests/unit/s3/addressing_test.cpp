// Virtual-hosted or path-style, request by request: the expectations are what botocore (the AWS
// CLI) builds with s3 addressing_style = virtual for the same endpoint and bucket.
#include "s3tar/s3/addressing.h"

#include <gtest/gtest.h>

namespace s3tar::s3 {
namespace {

TEST(UseVirtualHost, PlainBucketNamesAreVirtualHostedUnlessPathStyle) {
  EXPECT_TRUE(use_virtual_host(false, "https", "s3.us-east-1.amazonaws.com", "my-bucket"));
  EXPECT_TRUE(use_virtual_host(false, "https", "s3.localhost", "xn--abc"));
  EXPECT_TRUE(use_virtual_host(false, "http", "s3.localhost", "abc-s3alias"));
  EXPECT_FALSE(use_virtual_host(true, "https", "s3.localhost", "my-bucket"));
  EXPECT_FALSE(use_virtual_host(false, "https", "s3.localhost", ""));
}

TEST(UseVirtualHost, DottedNamesArePathStyleOverHttpsOnly) {
  // BUCKET.s3.example has one label too many for a *.s3.example certificate.
  EXPECT_FALSE(use_virtual_host(false, "https", "s3.amazonaws.com", "dotted.bucket.name"));
  EXPECT_FALSE(use_virtual_host(false, "https", "s3.localhost", "dotted.bucket.name"));
  EXPECT_TRUE(use_virtual_host(false, "http", "s3.localhost", "dotted.bucket.name"));
  EXPECT_FALSE(use_virtual_host(false, "http", "s3.localhost", "a..b"));
  EXPECT_FALSE(use_virtual_host(false, "http", "s3.localhost", "a.-b"));
}

TEST(UseVirtualHost, NamesThatAreNotDnsLabelsArePathStyle) {
  for (const char* bucket : {"Upper-Case", "under_score", "ab", "-lead", "trail-", "192.168.1.1"}) {
    EXPECT_FALSE(use_virtual_host(false, "http", "s3.localhost", bucket)) << bucket;
    EXPECT_FALSE(use_virtual_host(false, "https", "s3.localhost", bucket)) << bucket;
  }
  EXPECT_FALSE(use_virtual_host(false, "https", "s3.localhost", std::string(64, 'x')));
  EXPECT_TRUE(use_virtual_host(false, "https", "s3.localhost", std::string(63, 'x')));
}

TEST(UseVirtualHost, IpAddressEndpointsArePathStyle) {
  EXPECT_FALSE(use_virtual_host(false, "https", "127.0.0.1", "my-bucket"));
  EXPECT_FALSE(use_virtual_host(false, "https", "[::1]", "my-bucket"));
  EXPECT_FALSE(use_virtual_host(false, "https", "::1", "my-bucket"));
  EXPECT_TRUE(use_virtual_host(false, "https", "localhost", "my-bucket"));
}

}  // namespace
}  // namespace s3tar::s3
