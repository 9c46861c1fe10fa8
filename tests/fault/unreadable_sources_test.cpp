// Sources that vanish while their volume is being written: the write stops at the first one,
// every other unreadable member of the volume is found at once, and the volume is rewritten
// once, whatever their number. (Sources that vanished before the run are covered end to end
// against the real servers; vanishing in the middle of a write needs a scripted peer.)
#include <gtest/gtest.h>

#include <atomic>
#include <nlohmann/json.hpp>
#include <set>

#include "s3tar/archive/exec/archive_writer.h"
#include "s3tar/archive/exec/source_probe.h"
#include "s3tar/s3/digest.h"
#include "tests/fault/peer_client.h"

namespace s3tar {
namespace {

using nlohmann::json;

json rule(const std::string& method, const std::string& path, const std::string& query, json responses) {
  json r = {{"method", method}, {"path", path}, {"responses", std::move(responses)}};
  if (!query.empty()) r["query"] = query;
  return r;
}

json error_body(int status, const std::string& code) {
  return {{"status", status}, {"body", "<Error><Code>" + code + "</Code><Message>m</Message></Error>"}};
}

std::string byte_of(int i) { return std::string(1, static_cast<char>('0' + i)); }

std::string listing(const std::vector<int>& present) {
  std::string xml = "<ListBucketResult>";
  for (int i : present)
    xml += "<Contents><Key>k" + std::to_string(i) + "</Key><Size>1</Size><ETag>\"" + s3::md5_hex(byte_of(i)) +
           "\"</ETag><StorageClass>STANDARD</StorageClass></Contents>";
  return xml + "<IsTruncated>false</IsTruncated></ListBucketResult>";
}

TEST(UnreadableSources, SourcesVanishingDuringAWriteCostOneRewrite) {
  constexpr int kMembers = 6;
  const std::set<int> vanished = {1, 3, 5};
  std::vector<plan::Member> members;
  for (int i = 0; i < kMembers; ++i)
    members.push_back({"src", "k" + std::to_string(i), "", s3::md5_hex(byte_of(i)), 1, 0});
  exec::WriteRequest req;
  req.bucket = "dst";
  req.plan.archive_key = "out.tar";
  req.plan.limits.min_part = 1024;
  req.plan.limits.max_part = 1 << 20;
  req.plan.upload_part_target = 1024;  // about one member per part
  req.exec.max_parts_in_flight = 1;    // in order: the first vanished source stops the write
  req.skip_unreadable = true;

  // The volume as it must be rewritten: the readable members, in the planned order.
  std::vector<plan::Member> rest;
  for (int i = 0; i < kMembers; ++i)
    if (!vanished.count(i)) rest.push_back(members[static_cast<size_t>(i)]);
  plan::Options again = req.plan;
  again.order = plan::Order::Input;
  const uint64_t rewritten_size = plan::make_plan(rest, again).volumes.at(0).total_size;

  // Before the write every source is listed; then three vanish.
  json rules = json::array(
      {rule("GET", "/src", "list-type=2",
            {{{"body", listing({0, 1, 2, 3, 4, 5})}}, {{"body", listing({0, 2, 4})}}}),
       rule("POST", "/dst/out\\.tar", "(^|&)uploads(=|&|$)",
            {{{"body",
               "<InitiateMultipartUploadResult><UploadId>u</UploadId></InitiateMultipartUploadResult>"}}}),
       rule("PUT", "/dst/out\\.tar", "partNumber=", {{{"headers", {{"ETag", "\"p\""}}}}}),
       rule("POST", "/dst/out\\.tar", "uploadId=",
            {{{"body",
               "<CompleteMultipartUploadResult><ETag>\"x-1\"</ETag></CompleteMultipartUploadResult>"}}}),
       rule("DELETE", "/dst/out\\.tar", "uploadId=", {{{"status", 204}}}),
       rule("HEAD", "/dst/out\\.tar", "",
            {{{"headers", {{"Content-Length", std::to_string(rewritten_size)}, {"ETag", "\"x-1\""}}}}}),
       rule("PUT", "/dst/out\\.tar\\.index\\.json", "", {{{"headers", {{"ETag", "\"i\""}}}}})});
  for (int i = 0; i < kMembers; ++i) {
    const std::string path = "/src/k" + std::to_string(i);
    if (vanished.count(i)) {
      rules.push_back(rule("GET", path, "", {error_body(404, "NoSuchKey")}));
      rules.push_back(rule("HEAD", path, "", {{{"status", 404}}}));
    } else {
      rules.push_back(
          rule("GET", path, "",
               {{{"body", byte_of(i)}, {"headers", {{"ETag", "\"" + s3::md5_hex(byte_of(i)) + "\""}}}}}));
    }
  }
  testing::ScriptedPeer peer(rules);
  auto client = testing::client_for(peer);
  std::atomic<bool> stop{false};
  exec::WriteOutcome out = exec::write_plan(*client, plan::make_plan(members, req.plan), req, stop);

  std::set<std::string> skipped;
  for (const auto& p : out.skipped) skipped.insert(p.key);
  EXPECT_EQ(skipped, (std::set<std::string>{"k1", "k3", "k5"}));
  ASSERT_EQ(out.written.size(), 1u);
  EXPECT_EQ(out.written[0].members, 3u);
  const auto& c = client->counters();
  EXPECT_EQ(c.by_op[static_cast<int>(s3::Op::CreateMultipartUpload)].load(), 2u) << "one write, one rewrite";
  EXPECT_EQ(c.by_op[static_cast<int>(s3::Op::CompleteMultipartUpload)].load(), 1u);
}

TEST(UnreadableSources, StartAfterListsTheKeyNext) {
  EXPECT_EQ(exec::start_after_for("logs/a.log"), "logs/a.lo");
  EXPECT_EQ(exec::start_after_for("x"), "");
  // The last character is cut whole: the value stays valid UTF-8.
  EXPECT_EQ(exec::start_after_for("caf\xC3\xA9"), "caf");
  EXPECT_EQ(exec::start_after_for("\xE2\x98\x83"), "");
  for (const std::string key : {"logs/a.log", "caf\xC3\xA9", "b"}) EXPECT_LT(exec::start_after_for(key), key);
}

}  // namespace
}  // namespace s3tar
