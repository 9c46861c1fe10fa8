// Which members a rewrite keeps without probing their source (volume_rewrite.h): pure, no
// server. The rewrite itself against servers: tests/e2e/test_vanished_during_write.py.
#include "s3tar/archive/exec/volume_rewrite.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "s3tar/archive/plan/reuse.h"

namespace s3tar::exec {
namespace {

constexpr std::uint64_t KiB = 1024;

plan::Options small_options() {
  plan::Options o;
  o.limits.min_part = 5 * KiB;
  o.limits.max_part = 20 * KiB;
  o.limits.max_parts = 1000;
  o.limits.max_object = 1000 * 20 * KiB;
  o.upload_part_target = 8 * KiB;
  o.order = plan::Order::Input;
  o.archive_key = "a.tar";
  return o;
}

plan::Member member(const std::string& key, std::uint64_t size) {
  return plan::Member{"src", key, "", "e-" + key, size, 0};
}

// What a failed attempt at `v` kept: every source piece of its upload parts (key, offset, length).
struct Kept {
  std::set<std::tuple<std::string, std::uint64_t, std::uint64_t>> pieces;
  bool holds(const plan::Member& m, std::uint64_t offset, std::uint64_t length) const {
    for (const auto& [key, at, n] : pieces)
      if (key == m.key() && at <= offset && offset + length <= at + n) return true;
    return false;
  }
};

Kept everything_read(const plan::Volume& v) {
  Kept k;
  for (const plan::Part& p : v.parts)
    if (p.kind == plan::PartKind::Upload)
      for (const plan::Piece& piece : plan::expand_pieces(v, p))
        if (piece.kind == plan::PieceKind::Source)
          k.pieces.insert({std::string(v.members[piece.member].key()), piece.offset, piece.length});
  return k;
}

std::set<std::string> keys_in_hand(const plan::Volume& v, const CopyHeldFn& copy_held, const Kept& kept) {
  std::set<std::string> out;
  const auto held = [&](const plan::Member& m, std::uint64_t o, std::uint64_t n) {
    return kept.holds(m, o, n);
  };
  for (std::size_t i : members_in_hand(v, copy_held, held)) out.insert(std::string(v.members[i].key()));
  return out;
}

// s000..s007 of 700 bytes, then a 50 KiB member copied in three parts, then an empty one.
std::vector<plan::Member> volume_members() {
  std::vector<plan::Member> all;
  for (int i = 0; i < 8; ++i) all.push_back(member(fmt::format("s{:03}", i), 700));
  all.push_back(member("large", 50 * KiB));
  all.push_back(member("empty", 0));
  return all;
}

TEST(MembersInHand, EveryByteReadOrStoredAndNotEmpty) {
  const plan::Volume old = plan::make_plan(volume_members(), small_options()).volumes.at(0);
  const Kept kept = everything_read(old);
  const auto stored = [](const plan::Part&) { return true; };
  std::set<std::string> expected;
  for (int i = 0; i < 8; ++i) expected.insert(fmt::format("s{:03}", i));
  expected.insert("large");
  EXPECT_EQ(keys_in_hand(old, stored, kept), expected) << "an empty member has nothing in hand";

  // No upload kept open: a large member's copies must be sent again, so it is probed.
  expected.erase("large");
  EXPECT_EQ(keys_in_hand(
                old, [](const plan::Part&) { return false; }, kept),
            expected);
  // A small member whose bytes were not kept is probed.
  Kept less = kept;
  std::erase_if(less.pieces, [](const auto& p) { return std::get<0>(p) == "s003"; });
  expected.erase("s003");
  EXPECT_EQ(keys_in_hand(
                old, [](const plan::Part&) { return false; }, less),
            expected);
}

TEST(MembersInHand, ACopyPartTheRewriteGivesUpMakesTheMemberProbed) {
  // Without s001..s005 the region before the large member falls below min_part: the rewrite
  // copies its first copy part again (reuse_test: ARegionTooSmallCopiesThatPartAgain), so the
  // large member needs its source after all and is checked then (rewrite_plan's second probe).
  const plan::Options o = small_options();
  const plan::Volume old = plan::make_plan(volume_members(), o).volumes.at(0);
  const Kept kept = everything_read(old);
  std::vector<plan::Member> rest;
  for (const plan::Member& m : old.members)
    if (m.key() < "s001" || m.key() > "s005") rest.push_back(m);
  plan::Volume fresh = plan::make_plan(rest, o).volumes.at(0);
  std::vector<std::uint32_t> stored;
  for (const plan::Part& p : old.parts) stored.push_back(p.number);
  const plan::Volume rewrite = plan::replan_keeping_copies(old, fresh, stored, o);
  ASSERT_GT(plan::reused_parts(rewrite), 0u) << "the other copy parts are kept";
  ASSERT_TRUE(std::any_of(rewrite.parts.begin(), rewrite.parts.end(), [](const plan::Part& p) {
    return p.kind == plan::PartKind::Copy && !p.reused;
  })) << "one copy part is sent again";
  const auto reused = [](const plan::Part& p) { return p.reused; };
  EXPECT_EQ(keys_in_hand(rewrite, reused, kept), (std::set<std::string>{"s000", "s006", "s007"}));
}

TEST(ReplanWithout, AMemberThatFailedInTwoPartsIsSkippedOnce) {
  // A small member split between two parts fails in both: one problem each, one skipped row.
  plan::Volume v = plan::make_plan(volume_members(), small_options()).volumes.at(0);
  const SourceProblem gone{"src", "s003", "", "missing", "NoSuchKey"};
  WriteRequest request;
  request.bucket = "dst";
  request.plan = small_options();
  std::vector<SourceProblem> skipped;
  ASSERT_TRUE(replan_without(v, {gone, gone}, request, skipped));
  ASSERT_EQ(skipped.size(), 1u);
  EXPECT_EQ(skipped[0].key, "s003");
  EXPECT_EQ(v.members.size(), volume_members().size() - 1);
}

}  // namespace
}  // namespace s3tar::exec
