#include "s3tar/archive/tar/names.h"

#include <gtest/gtest.h>

#include <random>
#include <set>

namespace s3tar::tar {
namespace {

TEST(MemberName, OrdinaryKeysAreKept) {
  for (std::string key : {"a", "logs/2025/11/20/access log + errors.gz", "x.y/..z/.hidden", "a%20b",
                          "日本/語", "dir/file..", "...", "a/b%"})
    EXPECT_EQ(member_name_for_key(key), key);
}

TEST(MemberName, UnsafeSegmentsAreEscaped) {
  EXPECT_EQ(member_name_for_key("/etc/passwd"), "%/etc/passwd");
  EXPECT_EQ(member_name_for_key("a/../../b"), "a/%2E%2E/%2E%2E/b");
  EXPECT_EQ(member_name_for_key(".."), "%2E%2E");
  EXPECT_EQ(member_name_for_key("./x"), "%2E/x");
  EXPECT_EQ(member_name_for_key("a//b"), "a/%/b");
  EXPECT_EQ(member_name_for_key("//"), "%/%/%");
  EXPECT_EQ(member_name_for_key("dir/"), "dir/%");
  EXPECT_EQ(member_name_for_key(""), "%");
  // Segments that start with '%' are escaped so that escaped names stay unambiguous.
  EXPECT_EQ(member_name_for_key("%2E%2E/x"), "%252E%252E/x");
  EXPECT_EQ(member_name_for_key("%"), "%25");
}

TEST(MemberName, NoUnsafeSegmentSurvives) {
  for (std::string key : {"/", "/..", "../x", "a/./b", "a/..", "x//", "///..//."}) {
    std::string name = member_name_for_key(key);
    EXPECT_NE(name.front(), '/') << key;
    std::size_t start = 0;
    while (true) {
      std::size_t slash = name.find('/', start);
      std::string seg = name.substr(start, slash == std::string::npos ? std::string::npos : slash - start);
      EXPECT_TRUE(seg != "" && seg != "." && seg != "..") << key << " -> " << name;
      if (slash == std::string::npos) break;
      start = slash + 1;
    }
  }
}

TEST(MemberName, InvertibleAndCollisionFree) {
  std::mt19937_64 rng(42);
  const std::string alphabet = "/.%2Ea5";
  std::set<std::string> keys, names;
  for (int i = 0; i < 20000; ++i) {
    std::string key;
    std::size_t len = rng() % 9;
    for (std::size_t j = 0; j < len; ++j) key += alphabet[rng() % alphabet.size()];
    std::string name = member_name_for_key(key);
    EXPECT_EQ(key_for_member_name(name), key) << key << " -> " << name;
    if (keys.insert(key).second) {
      EXPECT_TRUE(names.insert(name).second) << key << " collides as " << name;
    }
  }
}

}  // namespace
}  // namespace s3tar::tar
