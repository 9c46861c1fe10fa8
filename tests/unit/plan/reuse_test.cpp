// Re-planning a volume for its rewrite in the same upload, keeping the stored copy parts
// (plan/reuse.h): pure, no server.
#include "s3tar/archive/plan/reuse.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <map>
#include <random>
#include <set>

#include "support.h"

namespace s3tar::plan {
namespace {

using testing::content;

Options small_options() {
  Options o;
  o.limits.min_part = 5 * KiB;
  o.limits.max_part = 20 * KiB;
  o.limits.max_parts = 1000;
  o.limits.max_object = 1000 * 20 * KiB;
  o.upload_part_target = 8 * KiB;
  o.order = Order::Input;
  o.archive_key = "a.tar";
  return o;
}

Member member(const std::string& key, std::uint64_t size) {
  return Member{"src", key, "", "e-" + key, size, 0};
}

struct Case {
  Volume old, fresh, rewrite;
  std::vector<std::uint32_t> stored;
};

// Plans `all`, then the rewrite without `vanished`, the upload holding the parts `stored`
// (all of them when empty).
Case replan(const std::vector<Member>& all, const std::set<std::string>& vanished,
            std::vector<std::uint32_t> stored = {}, const Options& o = small_options()) {
  Case c;
  c.old = make_plan(all, o).volumes.at(0);
  std::vector<Member> rest;
  for (const Member& m : c.old.members)
    if (!vanished.count(std::string(m.key()))) rest.push_back(m);
  Options again = o;  // the rewrite keeps the first plan's order
  again.order = Order::Input;
  c.fresh = make_plan(rest, again).volumes.at(0);
  if (stored.empty())
    for (const Part& p : c.old.parts) stored.push_back(p.number);
  c.stored = stored;
  c.rewrite = replan_keeping_copies(c.old, c.fresh, stored, o);
  return c;
}

// Numbers of the parts of `all`'s first plan that `held` says the upload holds.
template <typename Held>
std::vector<std::uint32_t> stored_parts_where(const std::vector<Member>& all, Held held) {
  const Volume old = make_plan(all, small_options()).volumes.at(0);
  std::vector<std::uint32_t> stored;
  for (const Part& p : old.parts)
    if (held(old, p)) stored.push_back(p.number);
  return stored;
}

std::string bytes(const Volume& v) { return render_volume_reference(v, content); }

// The rules every rewrite honours: the archive of the survivors byte for byte, parts in number
// order covering it, every non-last part at least min_part, every stored number listed.
void expect_valid(const Case& c, const Options& o = small_options()) {
  EXPECT_EQ(bytes(c.rewrite), bytes(c.fresh)) << "not the archive of the members left";
  std::set<std::uint32_t> numbers;
  std::uint64_t pos = 0;
  for (std::size_t i = 0; i < c.rewrite.parts.size(); ++i) {
    const Part& p = c.rewrite.parts[i];
    EXPECT_EQ(p.archive_offset, pos);
    pos += p.size;
    if (i + 1 < c.rewrite.parts.size()) {
      EXPECT_GE(p.size, o.limits.min_part) << "part " << p.number;
    }
    EXPECT_LE(p.size, o.limits.max_part);
    if (i > 0) {
      EXPECT_GT(p.number, c.rewrite.parts[i - 1].number);
    }
    numbers.insert(p.number);
  }
  EXPECT_EQ(pos, c.rewrite.total_size);
  if (reused_parts(c.rewrite) > 0) {
    for (std::uint32_t n : c.stored) EXPECT_TRUE(numbers.count(n)) << "stored part " << n << " not listed";
  }
}

// Old copy parts (number -> range) of members other than `except`.
std::map<std::uint32_t, std::pair<std::string, std::uint64_t>> copies(const Volume& v,
                                                                      const std::string& except = "") {
  std::map<std::uint32_t, std::pair<std::string, std::uint64_t>> out;
  for (const Part& p : v.parts)
    if (p.kind == PartKind::Copy && v.members[p.copy.member].key() != except)
      out[p.number] = {std::string(v.members[p.copy.member].key()), p.copy.offset};
  return out;
}

std::map<std::uint32_t, std::pair<std::string, std::uint64_t>> reused(const Volume& v) {
  std::map<std::uint32_t, std::pair<std::string, std::uint64_t>> out;
  for (const Part& p : v.parts)
    if (p.reused) out[p.number] = {std::string(v.members[p.copy.member].key()), p.copy.offset};
  return out;
}

// s000..s(n-1) of `small` bytes, with large members of `large` bytes after every `every`.
std::vector<Member> mixed(int n, std::uint64_t small, int every, std::uint64_t large) {
  std::vector<Member> out;
  for (int i = 0; i < n; ++i) {
    out.push_back(member(fmt::format("s{:03}", i), small));
    if ((i + 1) % every == 0) out.push_back(member(fmt::format("s{:03}-large", i), large));
  }
  return out;
}

TEST(ReplanKeepingCopies, KeepsEveryCopyPartUnderItsNumber) {
  // Large members split over several copy parts; a small member of the last region vanishes.
  const auto all = mixed(40, 700, 10, 50 * KiB);
  const Case c = replan(all, {"s039"});
  ASSERT_EQ(copies(c.old).size(), 12u) << "three copy parts per large member";
  EXPECT_EQ(reused(c.rewrite), copies(c.old));
  EXPECT_EQ(c.rewrite.stats.requests.upload_part_copy, 0u) << "nothing copied again";
  expect_valid(c);
}

TEST(ReplanKeepingCopies, TheTocRegionShrinks) {
  // Members of the first region vanish: toc.csv and the region before the first copy shrink,
  // the region stays at least min_part.
  const auto all = mixed(40, 700, 10, 50 * KiB);
  const Case c = replan(all, {"s001", "s002"});
  EXPECT_LT(c.fresh.toc_size, c.old.toc_size);
  EXPECT_EQ(reused(c.rewrite), copies(c.old));
  expect_valid(c);
}

TEST(ReplanKeepingCopies, ARegionTooSmallCopiesThatPartAgain) {
  // Before the first large member only ~5.6 KiB: without five of its members the region falls
  // below min_part, so the first copy part of that member is copied again; the others are kept.
  const auto all = mixed(8, 700, 8, 50 * KiB);
  const Case c = replan(all, {"s001", "s002", "s003", "s004", "s005"});
  auto expected = copies(c.old);
  const std::uint32_t first = expected.begin()->first;
  expected.erase(first);
  EXPECT_EQ(reused(c.rewrite), expected);
  // Only that part's bytes are copied again (in two requests here: the stored numbers of its
  // gap, three, are all used again).
  EXPECT_EQ(c.rewrite.stats.bytes_copied, c.old.parts.at(first - 1).size);
  expect_valid(c);
}

TEST(ReplanKeepingCopies, AVanishedLargeMembersPartsAreNotListed) {
  // s019-large vanished before its copies ran (its parts are not stored); the others are kept.
  const auto all = mixed(40, 700, 10, 50 * KiB);
  const auto stored = stored_parts_where(all, [](const Volume& old, const Part& p) {
    return p.kind != PartKind::Copy || old.members[p.copy.member].key() != "s019-large";
  });
  const Case c = replan(all, {"s019-large"}, stored);
  EXPECT_EQ(reused(c.rewrite), copies(c.old, "s019-large"));
  expect_valid(c);
}

TEST(ReplanKeepingCopies, StoredPartsOfAVanishedMemberAreReplaced) {
  // Its copy parts were stored: their numbers are used again by other parts (a Complete that
  // leaves out a stored part is refused by RGW), and the archive is still the survivors'.
  const auto all = mixed(40, 700, 10, 50 * KiB);
  const Case c = replan(all, {"s019-large"});
  EXPECT_GT(reused_parts(c.rewrite), 0u);
  for (const auto& [number, copy] : reused(c.rewrite)) EXPECT_NE(copy.first, "s019-large");
  expect_valid(c);
}

TEST(ReplanKeepingCopies, OnlyStoredCopyPartsAreKept) {
  // The write stopped after the first large member: its copy parts are kept, the later large
  // members are copied for the first time.
  const auto all = mixed(40, 700, 10, 50 * KiB);
  const auto stored = stored_parts_where(all, [](const Volume&, const Part& p) { return p.number <= 5; });
  const Case c = replan(all, {"s005"}, stored);
  std::map<std::uint32_t, std::pair<std::string, std::uint64_t>> expected;
  for (const auto& [number, copy] : copies(c.old))
    if (number <= 5) expected[number] = copy;
  ASSERT_FALSE(expected.empty());
  EXPECT_EQ(reused(c.rewrite), expected);
  EXPECT_EQ(c.rewrite.stats.requests.upload_part_copy, copies(c.old).size() - expected.size());
  expect_valid(c);
}

TEST(ReplanKeepingCopies, NothingStoredNothingReused) {
  const auto all = mixed(40, 700, 10, 50 * KiB);
  const Case c = replan(all, {"s005"}, {1});
  EXPECT_EQ(reused_parts(c.rewrite), 0u);
  EXPECT_EQ(c.rewrite.parts.size(), c.fresh.parts.size());
}

TEST(ReplanKeepingCopies, FewNumbersInAGapGiveUpTheNextCopyPart) {
  // Small upload parts (target = min_part): the gap before each large member holds few numbers.
  // A copy part whose region needs more numbers than its gap has is copied again, never the
  // whole volume.
  Options o = small_options();
  o.upload_part_target = 5 * KiB;
  std::vector<Member> all = {member("a", 60 * KiB), member("b", 3 * KiB), member("c", 60 * KiB)};
  for (int i = 0; i < 30; ++i) all.push_back(member(fmt::format("d{:02}", i), 1000));
  const Case c = replan(all, {"d29"}, {}, o);
  EXPECT_GT(reused_parts(c.rewrite), 0u);
  expect_valid(c, o);
}

TEST(ReplanKeepingCopies, RandomVolumesKeepTheRules) {
  std::mt19937_64 rng(8);
  int rounds_keeping = 0;
  for (int round = 0; round < 150; ++round) {
    Options o = small_options();
    o.upload_part_target = (5 + rng() % 8) * KiB;
    if (round % 3 == 0) o.order = Order::Interleaved;
    std::vector<Member> all;
    const int n = 5 + static_cast<int>(rng() % 40);
    for (int i = 0; i < n; ++i) {
      const bool large = rng() % 5 == 0;
      all.push_back(member(fmt::format("m{:03}", i), large ? 10 * KiB + rng() % (70 * KiB) : rng() % 3000));
    }
    std::set<std::string> vanished;
    for (int i = 0; i < n; ++i)
      if (rng() % 6 == 0) vanished.insert(fmt::format("m{:03}", i));
    if (vanished.size() == static_cast<std::size_t>(n)) vanished.erase(vanished.begin());
    const Volume old = make_plan(all, o).volumes.at(0);
    std::vector<std::uint32_t> stored;
    const std::uint32_t upto = 1 + static_cast<std::uint32_t>(rng() % (old.parts.size() + 1));
    for (const Part& p : old.parts)
      if (p.number <= upto && rng() % 8 != 0) stored.push_back(p.number);
    const Case c = replan(all, vanished, stored.empty() ? std::vector<std::uint32_t>{1} : stored, o);
    SCOPED_TRACE(::testing::Message() << "round " << round);
    expect_valid(c, o);
    if (::testing::Test::HasFailure()) return;
    rounds_keeping += reused_parts(c.rewrite) > 0 ? 1 : 0;
  }
  EXPECT_GT(rounds_keeping, 40) << "the cases must exercise keeping copy parts";
}

}  // namespace
}  // namespace s3tar::plan
