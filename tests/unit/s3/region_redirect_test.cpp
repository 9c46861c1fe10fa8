// The pure part of following a bucket to its region: which answers say "wrong region", where the
// region comes from, and where the request goes then.
#include "s3tar/s3/region_redirect.h"

#include <gtest/gtest.h>

namespace s3tar::s3 {
namespace {

HttpResponse answer(long status, HeaderList headers = {}, std::string body = {}) {
  HttpResponse r;
  r.status = status;
  r.headers = std::move(headers);
  r.body = std::move(body);
  return r;
}

TEST(WrongRegion, RegionFromTheHeaderThenTheBody) {
  const auto r = answer(400, {{"x-amz-bucket-region", "eu-west-3"}},
                        "<Error><Code>AuthorizationHeaderMalformed</Code><Region>us-west-2</Region></Error>");
  ASSERT_TRUE(wrong_region(Op::GetObject, 400, "AuthorizationHeaderMalformed", r));
  EXPECT_EQ(wrong_region(Op::GetObject, 400, "AuthorizationHeaderMalformed", r)->region, "eu-west-3");
  const auto body_only =
      answer(400, {}, "<Error><Code>AuthorizationHeaderMalformed</Code><Region>us-west-2</Region></Error>");
  EXPECT_EQ(wrong_region(Op::GetObject, 400, "AuthorizationHeaderMalformed", body_only)->region, "us-west-2");
}

TEST(WrongRegion, WhichAnswersAreAboutTheRegion) {
  EXPECT_TRUE(wrong_region(Op::PutObject, 301, "PermanentRedirect", answer(301)));
  EXPECT_TRUE(wrong_region(Op::GetObject, 307, "TemporaryRedirect", answer(307)));
  EXPECT_TRUE(wrong_region(Op::HeadObject, 400, "BadRequest", answer(400)));
  EXPECT_TRUE(wrong_region(Op::PutObject, 400, "IllegalLocationConstraintException", answer(400)));
  // AuthorizationHeaderMalformed for another reason than the region (no <Region>).
  EXPECT_FALSE(wrong_region(Op::GetObject, 400, "AuthorizationHeaderMalformed",
                            answer(400, {}, "<Error><Code>AuthorizationHeaderMalformed</Code></Error>")));
  EXPECT_FALSE(
      wrong_region(Op::GetObject, 400, "BadRequest", answer(400, {{"x-amz-bucket-region", "eu-west-1"}})));
  EXPECT_FALSE(wrong_region(Op::GetObject, 403, "AccessDenied", answer(403)));
  EXPECT_FALSE(wrong_region(Op::GetObject, 0, "TransportError", answer(0)));
}

TEST(WrongRegion, ARegionThatIsNoRegionNameIsUnknown) {
  const auto r = answer(301, {{"x-amz-bucket-region", "evil.example.com/"}});
  ASSERT_TRUE(wrong_region(Op::GetObject, 301, "PermanentRedirect", r));
  EXPECT_EQ(wrong_region(Op::GetObject, 301, "PermanentRedirect", r)->region, "");
  EXPECT_TRUE(valid_region_name("ap-southeast-2"));
  EXPECT_FALSE(valid_region_name(""));
  EXPECT_FALSE(valid_region_name("-eu"));
  EXPECT_FALSE(valid_region_name("eu.west"));
  EXPECT_FALSE(valid_region_name(std::string(64, 'a')));
}

TEST(Readdress, AnAwsEndpointFollowsTheRegionACustomOneStays) {
  HttpRequest aws = address_request({"", "us-east-1", false}, "GET", "far", "a b");
  readdress(aws, {"", "eu-west-1", false}, "far");
  EXPECT_EQ(aws.base_url, "https://far.s3.eu-west-1.amazonaws.com");
  EXPECT_EQ(aws.host, "far.s3.eu-west-1.amazonaws.com");
  EXPECT_EQ(aws.encoded_path, "/a%20b");

  HttpRequest custom = address_request({"http://127.0.0.1:9000", "us-east-1", true}, "GET", "far", "k");
  readdress(custom, {"http://127.0.0.1:9000", "eu-west-1", true}, "far");
  EXPECT_EQ(custom.base_url, "http://127.0.0.1:9000");
  EXPECT_EQ(custom.encoded_path, "/far/k");
}

TEST(BucketRegions, RemembersPerBucketAndSaysWhenItLearnedSomething) {
  BucketRegions regions;
  EXPECT_EQ(regions.region_of("a", "us-east-1"), "us-east-1");
  EXPECT_TRUE(regions.learn("a", "eu-west-1"));
  EXPECT_FALSE(regions.learn("a", "eu-west-1"));
  EXPECT_EQ(regions.region_of("a", "us-east-1"), "eu-west-1");
  EXPECT_EQ(regions.region_of("b", "us-east-1"), "us-east-1");
  EXPECT_TRUE(regions.learn("a", "eu-north-1"));
}

}  // namespace
}  // namespace s3tar::s3
