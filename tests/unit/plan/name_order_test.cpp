// order_by_name against the plain stable sort it replaces, on keys chosen to hit its edges:
// prefixes of each other, zero bytes, bytes >= 0x80, shared prefixes over several 8-byte chunks,
// equal keys with different or equal version ids, several buckets.
#include "s3tar/archive/plan/name_order.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <numeric>
#include <random>
#include <string>
#include <vector>

namespace s3tar::plan {
namespace {

std::vector<std::uint32_t> reference_order(const std::vector<Member>& members) {
  std::vector<std::uint32_t> idx(members.size());
  std::iota(idx.begin(), idx.end(), 0u);
  std::stable_sort(idx.begin(), idx.end(), [&](std::uint32_t a, std::uint32_t b) {
    const Member& x = members[a];
    const Member& y = members[b];
    if (x.bucket() != y.bucket()) return x.bucket() < y.bucket();
    if (x.key() != y.key()) return x.key() < y.key();
    return x.version_id() < y.version_id();
  });
  return idx;
}

Member member(const std::string& bucket, const std::string& key, const std::string& version = "") {
  return Member(bucket, key, version, "9b2cf535f27731c974343645a3985328", 1, 0);
}

TEST(OrderByName, EdgesOfTheChunks) {
  const std::string z(1, '\0');
  std::vector<Member> m;
  for (const std::string& key :
       {std::string("ab"), "ab" + z, "ab" + z + z, std::string("abcdefgh"), std::string("abcdefgh") + z,
        std::string("abcdefg"), std::string("abcdefghi"), std::string("abcdefgh\x80"), std::string("\xff"),
        std::string("a\x7f"), std::string("a\x80"), std::string("abcdefghabcdefgh"),
        std::string("abcdefghabcdefg"), std::string("abcdefghabcdefgh") + z, std::string("ab"),
        std::string("logs/2025/11/20/host-001/x"), std::string("logs/2025/11/20/host-001/w")})
    m.push_back(member("b", key));
  m.push_back(member("a", "zzz"));
  m.push_back(member("c", "a"));
  m.push_back(member("b", "ab", "v2"));
  m.push_back(member("b", "ab", "v1"));
  m.push_back(member("b", "ab", "v1"));
  EXPECT_EQ(order_by_name(m), reference_order(m));
}

TEST(OrderByName, MatchesTheStableSortOnRandomKeys) {
  std::mt19937 rng(20251120);
  for (int round = 0; round < 20; ++round) {
    std::vector<Member> m;
    const int n = 1 + static_cast<int>(rng() % 3000);
    // Few distinct bytes and lengths around the chunk size make ties and prefixes common.
    const std::string alphabet = std::string("ab/\x80\xff") + std::string(1, '\0');
    const std::string shared = round % 2 ? "web/2025/11/20/host-" : "";
    for (int i = 0; i < n; ++i) {
      std::string key = shared;
      const std::size_t len = rng() % 20;
      for (std::size_t k = 0; k < len; ++k) key.push_back(alphabet[rng() % alphabet.size()]);
      if (key.empty()) key = "k";
      const std::string bucket = rng() % 4 ? "logs" : (rng() % 2 ? "alpha" : "zulu");
      const std::string version = rng() % 3 ? "" : std::to_string(rng() % 3);
      m.push_back(member(bucket, key, version));
    }
    ASSERT_EQ(order_by_name(m), reference_order(m)) << "round " << round;
  }
}

TEST(OrderByName, EmptyAndSingle) {
  EXPECT_TRUE(order_by_name({}).empty());
  std::vector<Member> one;
  one.push_back(member("b", "k"));
  EXPECT_EQ(order_by_name(one), std::vector<std::uint32_t>{0});
}

}  // namespace
}  // namespace s3tar::plan
