// Sources that vanish while their volume is being written: the write stops at the first one,
// every other unreadable member of the volume is found at once, and the volume is rewritten
// once, whatever their number. (Sources that vanished before the run are covered end to end
// against the real servers; vanishing in the middle of a write needs a scripted peer.)
#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "s3tar/archive/exec/archive_writer.h"
#include "s3tar/archive/exec/source_probe.h"
#include "s3tar/s3/digest.h"
#include "s3tar/s3/sigv4/sigv4.h"
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

// A volume of `n` one-byte members "k0".."k{n-1}" whose rewrite (after `vanished` turn out
// missing during the write) must read no source a second time.
struct RereadCase {
  int members = 0;
  std::set<int> vanished;
  std::set<int> slow;  // answered late, so that their part is still being assembled at the failure
};

std::vector<json> write_with_vanishing(const RereadCase& c, const exec::WriteRequest& req,
                                       exec::WriteOutcome& out) {
  std::vector<plan::Member> members;
  for (int i = 0; i < c.members; ++i)
    members.push_back({"src", "k" + std::to_string(i), "", s3::md5_hex(byte_of(i)), 1, 0});
  std::vector<plan::Member> rest;
  std::vector<int> present;
  for (int i = 0; i < c.members; ++i)
    if (!c.vanished.count(i)) {
      rest.push_back(members[static_cast<size_t>(i)]);
      present.push_back(i);
    }
  std::vector<int> all;
  for (int i = 0; i < c.members; ++i) all.push_back(i);
  plan::Options again = req.plan;
  again.order = plan::Order::Input;
  const uint64_t rewritten_size = plan::make_plan(rest, again).volumes.at(0).total_size;
  json rules = json::array(
      {rule("GET", "/src", "list-type=2", {{{"body", listing(all)}}, {{"body", listing(present)}}}),
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
  for (int i = 0; i < c.members; ++i) {
    const std::string path = "/src/k" + std::to_string(i);
    if (c.vanished.count(i)) {
      rules.push_back(rule("GET", path, "", {error_body(404, "NoSuchKey")}));
      rules.push_back(rule("HEAD", path, "", {{{"status", 404}}}));
      continue;
    }
    json ok = {{"body", byte_of(i)}, {"headers", {{"ETag", "\"" + s3::md5_hex(byte_of(i)) + "\""}}}};
    if (c.slow.count(i)) ok["delay"] = 0.3;
    rules.push_back(rule("GET", path, "", {ok}));
  }
  testing::ScriptedPeer peer(rules);
  auto client = testing::client_for(peer);
  std::atomic<bool> stop{false};
  out = exec::write_plan(*client, plan::make_plan(members, req.plan), req, stop);
  return peer.log();
}

size_t gets_of(const std::vector<json>& log, int i) {
  size_t n = 0;
  for (const auto& r : log)
    if (r["method"] == "GET" && r["path"] == "/src/k" + std::to_string(i)) ++n;
  return n;
}

exec::WriteRequest small_parts_request(uint64_t part_target, size_t parts_in_flight) {
  exec::WriteRequest req;
  req.bucket = "dst";
  req.plan.archive_key = "out.tar";
  req.plan.limits.min_part = 1024;
  req.plan.limits.max_part = 1 << 20;
  req.plan.upload_part_target = part_target;
  req.exec.max_parts_in_flight = parts_in_flight;
  req.exec.max_upload_parts_in_flight = parts_in_flight;
  req.skip_unreadable = true;
  return req;
}

TEST(UnreadableSources, TheRewriteDoesNotReadAgainWhatTheFailedPartRead) {
  // One upload part holds every member: k2 is missing, the seven others were read once.
  const RereadCase c{8, {2}, {}};
  exec::WriteOutcome out;
  const auto log = write_with_vanishing(c, small_parts_request(1 << 20, 1), out);
  ASSERT_EQ(out.written.size(), 1u);
  EXPECT_EQ(out.written[0].members, 7u);
  for (int i = 0; i < c.members; ++i) {
    if (!c.vanished.count(i)) {
      EXPECT_EQ(gets_of(log, i), 1u) << "k" << i << " was read again";
    }
  }
  // What the rewrite sent is the archive of the seven, byte for byte.
  std::vector<json> parts;
  for (const auto& r : log)
    if (r["method"] == "PUT" && r["path"] == "/dst/out.tar") parts.push_back(r);
  ASSERT_EQ(parts.size(), 1u) << "the failed attempt uploads nothing";
  std::vector<plan::Member> rest;
  for (int i = 0; i < c.members; ++i)
    if (!c.vanished.count(i))
      rest.push_back({"src", "k" + std::to_string(i), "", s3::md5_hex(byte_of(i)), 1, 0});
  plan::Options again = small_parts_request(1 << 20, 1).plan;
  again.order = plan::Order::Input;
  const std::string expected = plan::render_volume_reference(
      plan::make_plan(rest, again).volumes.at(0),
      [](const plan::Member& m, uint64_t, uint64_t) { return byte_of(m.key()[1] - '0'); });
  EXPECT_EQ(parts[0]["body_len"], expected.size());
  EXPECT_EQ(parts[0]["body_sha256"], s3::sha256_hex(expected))
      << "the rewritten archive is not the seven members";
}

TEST(UnreadableSources, PartsInFlightAtTheFailureKeepWhatTheyReadForTheRewrite) {
  // Parts of about two members, two in flight: k0 is missing; the part of k2 and k3 is still
  // being read when k0's part fails, so it is not uploaded, and nothing is read twice but what
  // a part uploaded before the failure held (none here: k1 shares k0's part).
  const RereadCase c{8, {0}, {2, 3}};
  exec::WriteOutcome out;
  const auto log = write_with_vanishing(c, small_parts_request(2048, 2), out);
  ASSERT_EQ(out.written.size(), 1u);
  EXPECT_EQ(out.written[0].members, 7u);
  for (int i = 1; i < 4; ++i) EXPECT_EQ(gets_of(log, i), 1u) << "k" << i << " was read again";
}

// The parts the rewrite uploaded (those after its CreateMultipartUpload), by part number.
std::map<int, json> rewritten_parts(const std::vector<json>& log) {
  std::map<int, json> parts;
  int creates = 0;
  for (const auto& r : log) {
    const std::string query = r["query"];
    if (r["method"] == "POST" && query.find("uploads") != std::string::npos) ++creates;
    const auto number = query.find("partNumber=");
    if (creates == 2 && r["method"] == "PUT" && r["path"] == "/dst/out.tar" && number != std::string::npos)
      parts[std::stoi(query.substr(number + 11))] = r;
  }
  return parts;
}

// The rewrite sent the archive of the members but `vanished`, part for part.
void expect_rewrite_is_the_clean_archive(const std::vector<json>& log, const RereadCase& c,
                                         const exec::WriteRequest& req) {
  // The members in the order the first plan put them (k10 may come before k2), less the vanished.
  std::vector<plan::Member> all;
  for (int i = 0; i < c.members; ++i)
    all.push_back({"src", "k" + std::to_string(i), "", s3::md5_hex(byte_of(i)), 1, 0});
  std::vector<plan::Member> rest;
  const plan::Plan first = plan::make_plan(all, req.plan);
  for (const auto& m : first.volumes.at(0).members)
    if (!c.vanished.count(std::stoi(std::string(m.key().substr(1))))) rest.push_back(m);
  plan::Options again = req.plan;
  again.order = plan::Order::Input;
  const plan::Volume volume = plan::make_plan(rest, again).volumes.at(0);
  const std::string expected =
      plan::render_volume_reference(volume, [](const plan::Member& m, uint64_t, uint64_t) {
        return byte_of(std::stoi(std::string(m.key().substr(1))));
      });
  const auto parts = rewritten_parts(log);
  ASSERT_EQ(parts.size(), volume.parts.size());
  for (const auto& p : volume.parts) {
    const json& sent = parts.at(static_cast<int>(p.number));
    EXPECT_EQ(sent["body_sha256"], s3::sha256_hex(expected.substr(p.archive_offset, p.size)))
        << "part " << p.number << " of the rewrite is not the archive without the vanished";
  }
}

TEST(UnreadableSources, PartsUploadedBeforeTheFailureAreNotReadAgain) {
  // Parts of about two members, one at a time, so the parts before the last are uploaded when
  // the last member, k7, turns out missing. The rewrite changes every part (toc.csv leads the
  // archive), yet reads nothing again: the uploaded parts stayed in memory (eight fit).
  const RereadCase c{8, {7}, {}};
  exec::WriteRequest req = small_parts_request(2048, 1);
  req.exec.max_upload_parts_in_flight = 8;
  exec::WriteOutcome out;
  const auto log = write_with_vanishing(c, req, out);
  ASSERT_EQ(out.written.size(), 1u);
  EXPECT_EQ(out.written[0].members, 7u);
  for (int i = 0; i < 7; ++i) EXPECT_EQ(gets_of(log, i), 1u) << "k" << i << " was read again";
  ASSERT_GT(rewritten_parts(log).size(), 2u) << "the case needs parts uploaded before the failure";
  expect_rewrite_is_the_clean_archive(log, c, req);
}

size_t requests_to(const std::vector<json>& log, const std::string& method, const std::string& query_part) {
  size_t n = 0;
  for (const auto& r : log)
    if (r["method"] == method && r["query"].get<std::string>().find(query_part) != std::string::npos) ++n;
  return n;
}

TEST(UnreadableSources, PartsPushedOutOfMemoryAreNotReadAgain) {
  // Parts of about two members, one at a time, and two memory slots: by the time the last
  // member (k9: keys sort as text) turns out missing, ten of the eleven uploaded parts were
  // pushed out of memory (to the spool file). The rewrite reads none of their sources again.
  const RereadCase c{24, {9}, {}};
  exec::WriteRequest req = small_parts_request(2048, 1);
  req.exec.max_upload_parts_in_flight = 2;
  exec::WriteOutcome out;
  const auto log = write_with_vanishing(c, req, out);
  ASSERT_EQ(out.written.size(), 1u);
  EXPECT_EQ(out.written[0].members, 23u);
  for (int i = 0; i < c.members; ++i)
    if (!c.vanished.count(i)) {
      EXPECT_EQ(gets_of(log, i), 1u) << "k" << i << " was read again";
    }
  EXPECT_EQ(requests_to(log, "DELETE", "uploadId="), 1u) << "the first upload is aborted";
  EXPECT_EQ(requests_to(log, "POST", "uploadId="), 1u) << "one upload completed";
  ASSERT_GT(rewritten_parts(log).size(), 4u) << "the case needs more parts than memory slots";
  expect_rewrite_is_the_clean_archive(log, c, req);
}

size_t gets_of_remaining(const std::vector<json>& log, const RereadCase& c) {
  size_t n = 0;
  for (int i = 0; i < c.members; ++i)
    if (!c.vanished.count(i)) n += gets_of(log, i);
  return n;
}

TEST(UnreadableSources, PartsPastTheSpoolLimitAreReadFromS3Again) {
  // Room in the spool for about three of the ten parts pushed out of memory: those are read
  // back from it, the others' sources from S3 again; the archive is the same.
  const RereadCase c{24, {9}, {}};
  exec::WriteRequest req = small_parts_request(2048, 1);
  req.exec.max_upload_parts_in_flight = 2;
  req.exec.spool_limit = 3 * 2560;
  exec::WriteOutcome out;
  const auto log = write_with_vanishing(c, req, out);
  ASSERT_EQ(out.written.size(), 1u);
  EXPECT_EQ(out.written[0].members, 23u);
  EXPECT_EQ(gets_of(log, 0), 1u) << "the first part pushed out is in the spool";
  EXPECT_GT(gets_of_remaining(log, c), 23u + 4u) << "past the limit, sources are read again";
  EXPECT_LT(gets_of_remaining(log, c), 2u * 23u - 4u);
  EXPECT_EQ(requests_to(log, "DELETE", "uploadId="), 1u);
  expect_rewrite_is_the_clean_archive(log, c, req);
}

TEST(UnreadableSources, ASpoolThatCannotBeWrittenReadsFromS3AgainAndWritesTheArchive) {
  // A spool directory that does not exist stands for a full or unwritable disk.
  const RereadCase c{24, {9}, {}};
  exec::WriteRequest req = small_parts_request(2048, 1);
  req.exec.max_upload_parts_in_flight = 2;
  req.exec.spool_dir = "/nonexistent/s3tar-spool-test";
  exec::WriteOutcome out;
  const auto log = write_with_vanishing(c, req, out);
  ASSERT_EQ(out.written.size(), 1u);
  EXPECT_EQ(out.written[0].members, 23u);
  EXPECT_GT(gets_of_remaining(log, c), 23u + 10u) << "the sources of parts pushed out are read again";
  EXPECT_EQ(requests_to(log, "DELETE", "uploadId="), 1u);
  expect_rewrite_is_the_clean_archive(log, c, req);
}

// A volume with large members copied server-side: [k0, big1, k1, k3, big2, k2] in this order,
// one part at a time, so that k1 turns out missing after big1's copy part was stored and before
// big2's ran. `k2_vanishes_later`: k2 is listed by the probe after the failure but missing
// when the rewrite reads it (a second failure).
struct CopiedCase {
  bool k2_vanishes_later = false;
};

std::vector<json> write_with_copies(const CopiedCase& c, std::exception_ptr& error) {
  auto small = [](int i) {
    return plan::Member{"src", "k" + std::to_string(i), "", s3::md5_hex(byte_of(i)), 1, 0};
  };
  const std::string big(4096, 'B');
  auto large = [&](const std::string& key) {
    return plan::Member{"src", key, "", s3::md5_hex(big), 4096, 0};
  };
  std::vector<plan::Member> members = {small(0), large("big1"), small(1), small(3), large("big2"), small(2)};
  exec::WriteRequest req = small_parts_request(1024, 1);
  req.plan.order = plan::Order::Input;
  std::vector<plan::Member> rest = {members[0], members[1], members[3], members[4], members[5]};
  const uint64_t rewritten_size = plan::make_plan(rest, req.plan).volumes.at(0).total_size;
  auto listing_of = [&](const std::vector<plan::Member>& ms) {
    std::string xml = "<ListBucketResult>";
    for (const auto& m : ms)
      xml += "<Contents><Key>" + std::string(m.key()) + "</Key><Size>" + std::to_string(m.size) +
             "</Size><ETag>\"" + m.etag() + "\"</ETag><StorageClass>STANDARD</StorageClass></Contents>";
    return xml + "<IsTruncated>false</IsTruncated></ListBucketResult>";
  };
  json rules = json::array(
      {rule("GET", "/src", "list-type=2", {{{"body", listing_of(members)}}, {{"body", listing_of(rest)}}}),
       rule("POST", "/dst/out\\.tar", "(^|&)uploads(=|&|$)",
            {{{"body",
               "<InitiateMultipartUploadResult><UploadId>u</UploadId></InitiateMultipartUploadResult>"}}}),
       rule("PUT", "/dst/out\\.tar",
            "partNumber=", {{{"body", "<CopyPartResult><ETag>\"c1\"</ETag></CopyPartResult>"}}})});
  rules.back()["headers"] = {{"x-amz-copy-source", "big"}};
  for (const json& r : json::array(
           {rule("PUT", "/dst/out\\.tar", "partNumber=", {{{"headers", {{"ETag", "\"p\""}}}}}),
            rule("POST", "/dst/out\\.tar", "uploadId=",
                 {{{"body",
                    "<CompleteMultipartUploadResult><ETag>\"x-3\"</ETag></CompleteMultipartUploadResult>"}}}),
            rule("DELETE", "/dst/out\\.tar", "uploadId=", {{{"status", 204}}}),
            rule("HEAD", "/dst/out\\.tar", "",
                 {{{"headers", {{"Content-Length", std::to_string(rewritten_size)}, {"ETag", "\"x-3\""}}}}}),
            rule("PUT", "/dst/out\\.tar\\.index\\.json", "", {{{"headers", {{"ETag", "\"i\""}}}}}),
            rule("GET", "/src/k1", "", {error_body(404, "NoSuchKey")}),
            rule("HEAD", "/src/k1", "", {{{"status", 404}}})}))
    rules.push_back(r);
  for (int i : {0, 2, 3}) {
    json ok = {{"body", byte_of(i)}, {"headers", {{"ETag", "\"" + s3::md5_hex(byte_of(i)) + "\""}}}};
    rules.push_back(rule("GET", "/src/k" + std::to_string(i), "",
                         {i == 2 && c.k2_vanishes_later ? error_body(404, "NoSuchKey") : ok}));
  }
  rules.push_back(rule("GET", "/src/big[12]", "",
                       {{{"body", big}, {"headers", {{"ETag", "\"" + s3::md5_hex(big) + "\""}}}}}));
  testing::ScriptedPeer peer(rules);
  auto client = testing::client_for(peer);
  std::atomic<bool> stop{false};
  try {
    exec::write_plan(*client, plan::make_plan(members, req.plan), req, stop);
  } catch (...) {
    error = std::current_exception();
  }
  return peer.log();
}

size_t copies_of(const std::vector<json>& log, const std::string& key) {
  size_t n = 0;
  for (const auto& r : log)
    if (r["method"] == "PUT" && r["headers"].contains("x-amz-copy-source") &&
        r["headers"]["x-amz-copy-source"].get<std::string>().find(key) != std::string::npos)
      ++n;
  return n;
}

TEST(UnreadableSources, TheRewriteKeepsTheCopyPartsTheUploadHolds) {
  std::exception_ptr error;
  const auto log = write_with_copies({}, error);
  ASSERT_FALSE(error);
  EXPECT_EQ(copies_of(log, "big1"), 1u) << "big1's copy part was sent again";
  EXPECT_EQ(copies_of(log, "big2"), 1u);
  EXPECT_EQ(requests_to(log, "POST", "uploads"), 1u) << "the rewrite goes into the same upload";
  EXPECT_EQ(requests_to(log, "DELETE", "uploadId="), 0u);
  ASSERT_EQ(requests_to(log, "POST", "uploadId="), 1u);
  for (const auto& r : log)
    if (r["method"] == "POST" && r["query"].get<std::string>().find("uploadId=") != std::string::npos) {
      const std::string body = r["body"];
      const auto part = body.find("<PartNumber>3</PartNumber>");
      ASSERT_NE(part, std::string::npos) << body;
      EXPECT_NE(body.substr(body.find("<ETag>", part), 16).find("c1"), std::string::npos)
          << "Complete does not list the kept copy part with its ETag: " << body;
    }
}

TEST(UnreadableSources, ASecondFailureInTheKeptUploadAbortsIt) {
  std::exception_ptr error;
  const auto log = write_with_copies({true}, error);
  ASSERT_TRUE(error);
  try {
    std::rethrow_exception(error);
  } catch (const Error& e) {
    EXPECT_EQ(e.category(), ErrorCategory::Transient) << e.what();
  }
  EXPECT_EQ(requests_to(log, "POST", "uploads"), 1u);
  EXPECT_EQ(requests_to(log, "DELETE", "uploadId="), 1u) << "the upload kept open is aborted";
  EXPECT_EQ(requests_to(log, "POST", "uploadId="), 0u) << "nothing completed";
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
