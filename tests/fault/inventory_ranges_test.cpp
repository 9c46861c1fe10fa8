// Ranged GETs streamed to a sink, and the inventory reads built on them, against the scripted
// peer: a range cut off mid-body and sent again, and answers shorter than the range, which no
// real test server gives.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>

#include "scheduler/s3_store.h"
#include "tests/fault/peer_client.h"

namespace s3tar::scheduler {
namespace {

using nlohmann::json;

constexpr std::uint64_t kRange = 64 * 1024;
constexpr std::uint64_t kObjectSize = 2 * kRange + 18928;
const std::string kEtag = "0123456789abcdef0123456789abcdef";

// The peer's bodies repeat "0123456789abcdef" from their first byte; ranges starting at
// multiples of 16 put together give the same pattern over the whole object.
std::string pattern(std::uint64_t size) {
  std::string s;
  while (s.size() < size) s += "0123456789abcdef";
  s.resize(size);
  return s;
}

json range_answer(std::uint64_t first, std::uint64_t size) {
  return {{"status", 206},
          {"headers",
           {{"ETag", "\"" + kEtag + "\""},
            {"Content-Range", "bytes " + std::to_string(first) + "-" + std::to_string(first + size - 1) +
                                  "/" + std::to_string(kObjectSize)}}},
          {"body_size", size}};
}

// One rule per range of "/bkt/inv.csv.gz" (matched on the Range header: the reads after the
// first are in flight together); `first_range` answers the first one.
json script(const json& first_range) {
  auto rule = [](std::uint64_t first, const json& responses) {
    return json{{"method", "GET"},
                {"path", "/bkt/inv.csv.gz"},
                {"headers", {{"range", "^bytes=" + std::to_string(first) + "-"}}},
                {"responses", responses}};
  };
  return json::array({rule(0, first_range), rule(kRange, json::array({range_answer(kRange, kRange)})),
                      rule(2 * kRange, json::array({range_answer(2 * kRange, kObjectSize - 2 * kRange)}))});
}

std::string read_all(S3ObjectStore& store) {
  std::string bytes;
  store.read("bkt", "inv.csv.gz", [&](const char* data, std::size_t n) { bytes.append(data, n); });
  return bytes;
}

TEST(InventoryRanges, ARangeCutOffMidBodyIsReadWholeOnTheRetry) {
  json truncated = range_answer(0, kRange);
  truncated["action"] = "truncate";  // headers and half the body, then a reset
  testing::ScriptedPeer peer(script(json::array({truncated, range_answer(0, kRange)})));
  auto client = testing::client_for(peer, 3);
  S3ObjectStore store(*client, kRange);
  // The second attempt writes the range's buffer again from its first byte.
  EXPECT_TRUE(read_all(store) == pattern(kObjectSize));
  EXPECT_EQ(peer.log().size(), 4u);
}

TEST(InventoryRanges, ARetryThatStreamsNothingDoesNotPassForTheRange) {
  // The first attempt streams half the range into the buffer and is cut off; the retry answers
  // the range's headers with no body. The half from the first attempt must not count.
  json truncated = range_answer(0, kRange);
  truncated["action"] = "truncate";
  json empty = range_answer(0, kRange);
  empty.erase("body_size");
  testing::ScriptedPeer peer(script(json::array({truncated, empty})));
  auto client = testing::client_for(peer, 2);
  S3ObjectStore store(*client, kRange);
  try {
    read_all(store);
    ADD_FAILURE() << "a range whose last attempt streamed nothing was accepted";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("short read"), std::string::npos) << e.what();
  }
  EXPECT_EQ(peer.log().size(), 2u);  // nothing after the first range is asked for
}

TEST(InventoryRanges, AStreamedRangeShorterThanAskedIsAnError) {
  // A server whose Content-Range claims the whole range but whose body is shorter: a sink
  // streams every byte it gets, so only the count tells that some are missing.
  json short_answer = range_answer(0, kRange);
  short_answer["body_size"] = kRange / 2;
  testing::ScriptedPeer peer(script(json::array({short_answer})));
  auto client = testing::client_for(peer, 1);
  s3::GetRequest req;
  req.object = {"bkt", "inv.csv.gz", ""};
  req.range = s3::ByteRange{0, kRange - 1};
  std::uint64_t streamed = 0;
  req.sink = [&](std::uint64_t, const char*, std::size_t n) {
    streamed += n;
    return true;
  };
  try {
    client->get_object(std::move(req)).get();
    ADD_FAILURE() << "a range answered with " << streamed << " of " << kRange << " bytes was accepted";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("short read"), std::string::npos) << e.what();
  }
  EXPECT_EQ(streamed, kRange / 2);
}

}  // namespace
}  // namespace s3tar::scheduler
