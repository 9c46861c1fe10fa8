// A bucket in another region than the client's, against the scripted peer (no local server
// refuses a request for its signing region): each of S3's wrong-region answers is retried once
// for the bucket's region, the region is remembered for the bucket, and a second refusal is an
// error that asks for a configuration change.
#include <gtest/gtest.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <regex>
#include <string>
#include <vector>

#include "s3tar/s3/client.h"
#include "tests/unit/http/scripted_peer.h"

namespace s3tar::s3 {
namespace {

using nlohmann::json;
using testing::ScriptedPeer;

class Keys : public CredentialsProvider {
 public:
  std::optional<Credentials> load() override {
    Credentials c;
    c.access_key_id = "AKIDREGIONTEST";
    c.secret_access_key = "region-test-secret";
    return c;
  }
  std::string name() const override { return "fixed"; }
};

std::unique_ptr<S3Client> client_for(const ScriptedPeer& peer, int max_attempts = 1) {
  ClientConfig c;
  c.region = "us-east-1";
  c.endpoint_url = peer.base_url();
  c.path_style = true;
  c.retry.max_attempts = max_attempts;
  c.retry.base = std::chrono::milliseconds(1);
  return std::make_unique<S3Client>(c, std::make_shared<Keys>());
}

// Matches requests whose SigV4 scope names `region`.
json signed_for(const std::string& region) { return {{"authorization", "/" + region + "/s3/aws4_request"}}; }

// The region each logged request was signed for.
std::vector<std::string> signing_regions(const ScriptedPeer& peer) {
  std::vector<std::string> out;
  const std::regex scope("Credential=[^/]+/[0-9]{8}/([^/]+)/s3/");
  for (const auto& r : peer.log()) {
    std::smatch m;
    const std::string auth = r["headers"].value("authorization", "");
    out.push_back(std::regex_search(auth, m, scope) ? m[1].str() : "?");
  }
  return out;
}

const std::string kListing =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<ListBucketResult><Name>far</Name><KeyCount>1</KeyCount>"
    "<IsTruncated>false</IsTruncated><Contents><Key>k</Key><Size>3</Size><ETag>\"e\"</ETag>"
    "<LastModified>2025-11-20T13:45:07.000Z</LastModified><StorageClass>STANDARD</StorageClass></Contents>"
    "</ListBucketResult>";

json permanent_redirect(const std::string& region) {
  return {
      {"status", 301},
      {"headers", {{"Content-Type", "application/xml"}, {"x-amz-bucket-region", region}}},
      {"body",
       "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>PermanentRedirect</Code><Message>The bucket "
       "you are attempting to access must be addressed using the specified endpoint.</Message>"
       "<Endpoint>far.s3." +
           region + ".amazonaws.com</Endpoint><Bucket>far</Bucket><RequestId>R301</RequestId></Error>"}};
}

json authorization_malformed(const std::string& region) {
  return {
      {"status", 400},
      {"headers", {{"Content-Type", "application/xml"}}},
      {"body",
       "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>AuthorizationHeaderMalformed</Code><Message>"
       "The authorization header is malformed; the region 'us-east-1' is wrong; expecting '" +
           region + "'</Message><Region>" + region + "</Region><RequestId>R400</RequestId></Error>"}};
}

json listing_only_for(const std::string& region, const json& refusal) {
  return json::array({{{"method", "GET"},
                       {"path", "/far"},
                       {"headers", signed_for(region)},
                       {"responses", {{{"status", 200}, {"body", kListing}}}}},
                      {{"method", "GET"}, {"path", "/far"}, {"responses", {refusal}}}});
}

TEST(RegionRedirect, PermanentRedirectIsRetriedOnceForTheRegionItNames) {
  ScriptedPeer peer(listing_only_for("eu-west-1", permanent_redirect("eu-west-1")));
  auto client = client_for(peer);  // max_attempts 1: the redirect is not a retry
  const ListPage page = client->list_objects_v2("far", "").get();
  ASSERT_EQ(page.objects.size(), 1u);
  EXPECT_EQ(page.objects[0].key, "k");
  EXPECT_EQ(signing_regions(peer), (std::vector<std::string>{"us-east-1", "eu-west-1"}));
}

TEST(RegionRedirect, AuthorizationHeaderMalformedIsRetriedForTheRegionOfItsBody) {
  ScriptedPeer peer(listing_only_for("ap-southeast-2", authorization_malformed("ap-southeast-2")));
  auto client = client_for(peer);
  EXPECT_EQ(client->list_objects_v2("far", "").get().objects.size(), 1u);
  EXPECT_EQ(signing_regions(peer), (std::vector<std::string>{"us-east-1", "ap-southeast-2"}));
}

TEST(RegionRedirect, HeadWithBucketRegionHeaderIsRetriedForThatRegion) {
  for (const int status : {301, 400}) {
    SCOPED_TRACE(status);
    ScriptedPeer peer(json::array(
        {{{"method", "HEAD"},
          {"headers", signed_for("eu-central-1")},
          {"responses", {{{"status", 200}, {"headers", {{"Content-Length", "3"}, {"ETag", "\"e\""}}}}}}},
         {{"method", "HEAD"},
          {"responses", {{{"status", status}, {"headers", {{"x-amz-bucket-region", "eu-central-1"}}}}}}}}));
    auto client = client_for(peer);
    EXPECT_EQ(client->head_object({"far", "k", ""}).get().etag, "e");
    EXPECT_EQ(signing_regions(peer), (std::vector<std::string>{"us-east-1", "eu-central-1"}));
  }
}

TEST(RegionRedirect, TheHeaderWinsOverTheBody) {
  json refusal = authorization_malformed("us-west-2");
  refusal["headers"]["x-amz-bucket-region"] = "eu-west-3";
  ScriptedPeer peer(listing_only_for("eu-west-3", refusal));
  auto client = client_for(peer);
  EXPECT_EQ(client->list_objects_v2("far", "").get().objects.size(), 1u);
  EXPECT_EQ(signing_regions(peer), (std::vector<std::string>{"us-east-1", "eu-west-3"}));
}

TEST(RegionRedirect, AnAnswerWithoutTheRegionIsFollowedByAHeadOnTheBucket) {
  json bare = permanent_redirect("x");
  bare["headers"].erase("x-amz-bucket-region");
  ScriptedPeer peer(json::array(
      {{{"method", "GET"},
        {"path", "/far"},
        {"headers", signed_for("sa-east-1")},
        {"responses", {{{"status", 200}, {"body", kListing}}}}},
       {{"method", "GET"}, {"path", "/far"}, {"responses", {bare}}},
       {{"method", "HEAD"},
        {"path", "/far"},
        {"responses", {{{"status", 301}, {"headers", {{"x-amz-bucket-region", "sa-east-1"}}}}}}}}));
  auto client = client_for(peer);
  EXPECT_EQ(client->list_objects_v2("far", "").get().objects.size(), 1u);
  const auto log = peer.log();
  ASSERT_EQ(log.size(), 3u);
  EXPECT_EQ(log[1]["method"], "HEAD");
  EXPECT_EQ(signing_regions(peer), (std::vector<std::string>{"us-east-1", "us-east-1", "sa-east-1"}));
}

TEST(RegionRedirect, TheLearnedRegionIsUsedForTheBucketsNextRequests) {
  ScriptedPeer peer(listing_only_for("eu-west-1", permanent_redirect("eu-west-1")));
  auto client = client_for(peer);
  client->list_objects_v2("far", "").get();
  client->list_objects_v2("far", "", "", "", 10).get();
  EXPECT_EQ(signing_regions(peer), (std::vector<std::string>{"us-east-1", "eu-west-1", "eu-west-1"}));
}

TEST(RegionRedirect, OnlyOneRedirectPerRequestThenAWrongRegionError) {
  // The bucket claims another region each time: the second refusal is not followed.
  ScriptedPeer peer(
      json::array({{{"method", "GET"},
                    {"path", "/far"},
                    {"headers", signed_for("eu-west-1")},
                    {"responses", {permanent_redirect("eu-north-1")}}},
                   {{"method", "GET"}, {"path", "/far"}, {"responses", {permanent_redirect("eu-west-1")}}}}));
  auto client = client_for(peer, 3);
  try {
    client->list_objects_v2("far", "").get();
    FAIL() << "a second wrong-region answer must fail the call";
  } catch (const S3Error& e) {
    EXPECT_EQ(e.reason(), S3ErrorReason::WrongRegion);
    EXPECT_EQ(e.category(), ErrorCategory::Usage);
    EXPECT_EQ(e.status(), 301);
  }
  EXPECT_EQ(signing_regions(peer), (std::vector<std::string>{"us-east-1", "eu-west-1"}));
}

TEST(RegionRedirect, ABadRequestOtherThanAHeadIsNotARegionAnswer) {
  ScriptedPeer peer(
      json::array({{{"method", "GET"},
                    {"responses",
                     {{{"status", 400},
                       {"body", "<Error><Code>InvalidArgument</Code><Message>no</Message></Error>"},
                       {"headers", {{"x-amz-bucket-region", "eu-west-1"}}}}}}}}));
  auto client = client_for(peer, 3);
  EXPECT_THROW(client->list_objects_v2("far", "").get(), S3Error);
  EXPECT_EQ(peer.log().size(), 1u);
}

}  // namespace
}  // namespace s3tar::s3
