// Endpoint parsing and bucket addressing.
#include "s3tar/s3/endpoint.h"

#include <gtest/gtest.h>

#include "s3tar/errors.h"

namespace s3tar::s3 {
namespace {

TEST(Endpoint, ParsesSchemeHostAndPort) {
  const Endpoint e = parse_endpoint("http://127.0.0.1:7480/ignored/path");
  EXPECT_EQ(e.scheme, "http");
  EXPECT_EQ(e.host, "127.0.0.1");
  EXPECT_EQ(e.port, "7480");
  const Endpoint v6 = parse_endpoint("https://[::1]");
  EXPECT_EQ(v6.host, "[::1]");
  EXPECT_EQ(v6.port, "");
  EXPECT_THROW(parse_endpoint("s3.amazonaws.com"), UsageError);
}

TEST(Endpoint, AwsEndpointsPerPartition) {
  EXPECT_EQ(aws_endpoint("eu-west-1"), "https://s3.eu-west-1.amazonaws.com");
  EXPECT_EQ(aws_endpoint("cn-north-1"), "https://s3.cn-north-1.amazonaws.com.cn");
}

TEST(AddressRequest, VirtualHostedForAwsPathStyleWhenAsked) {
  HttpRequest r = address_request({"", "us-east-1", false}, "GET", "bkt", "a b/c");
  EXPECT_EQ(r.host, "bkt.s3.us-east-1.amazonaws.com");
  EXPECT_EQ(r.base_url, "https://bkt.s3.us-east-1.amazonaws.com");
  EXPECT_EQ(r.encoded_path, "/a%20b/c");
  EXPECT_EQ(r.method, "GET");

  r = address_request({"http://127.0.0.1:9000", "us-east-1", true}, "PUT", "bkt", "k");
  EXPECT_EQ(r.host, "127.0.0.1:9000");
  EXPECT_EQ(r.encoded_path, "/bkt/k");
  r = address_request({"http://127.0.0.1:9000", "us-east-1", true}, "GET", "bkt", "");
  EXPECT_EQ(r.encoded_path, "/bkt");
}

TEST(AddressRequest, DottedBucketsGoPathStyleAndKeysStayLiteral) {
  HttpRequest r = address_request({"", "us-east-1", false}, "GET", "my.bucket", "a/../b//c");
  EXPECT_EQ(r.host, "s3.us-east-1.amazonaws.com");
  EXPECT_EQ(r.encoded_path, "/my.bucket/a/../b//c");
}

}  // namespace
}  // namespace s3tar::s3
