// The compact member gives back exactly what it was given, whatever the ETag looks like.
#include "s3tar/archive/plan/member.h"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <thread>
#include <vector>

#include "s3tar/archive/plan/plan.h"
#include "s3tar/archive/tar/toc.h"
#include "s3tar/errors.h"

namespace s3tar::plan {
namespace {

TEST(Member, IsSixteenBytesPlusOneBlock) {
  // The daily job holds millions: size inline, everything else in one heap block.
  EXPECT_EQ(sizeof(Member), 16u);
}

TEST(Member, GivesBackWhatItWasGiven) {
  const std::string md5 = "9b2cf535f27731c974343645a3985328";
  for (const std::string& etag : std::vector<std::string>{
           {md5, md5 + "-2", md5 + "-10000", md5 + "-65534", md5 + "-65535", md5 + "-0", md5 + "-01",
            md5 + "-", md5 + "-2x", "9B2CF535F27731C974343645A3985328", "\"" + md5 + "\"", md5.substr(0, 31),
            md5 + "0", "", "e6-2", "etag-17", "\"quoted,etag\"", std::string(300, 'e')}}) {
    const Member m("src-bucket", "logs/a b+c/é.txt", "3HL4kqtJlcpXroDTDmJ+rmSpXd3dIbrHY", etag, 48213,
                   1763646307);
    EXPECT_EQ(m.etag(), etag);
    EXPECT_EQ(m.bucket(), "src-bucket");
    EXPECT_EQ(m.key(), "logs/a b+c/é.txt");
    EXPECT_EQ(m.version_id(), "3HL4kqtJlcpXroDTDmJ+rmSpXd3dIbrHY");
    EXPECT_EQ(m.size, 48213u);
    EXPECT_EQ(m.mtime(), 1763646307);
    EXPECT_EQ(m.etag_is_md5(), etag == md5) << etag;
    // The planner sizes TOC rows from these without producing the text: a binary ETag is
    // never quoted in CSV.
    EXPECT_EQ(m.etag_size(), etag.size()) << etag;
    if (m.etag_is_binary()) {
      EXPECT_EQ(tar::csv_field_size(etag), etag.size()) << etag;
    }
    EXPECT_EQ(m.etag_is_binary(),
              etag == md5 || etag == md5 + "-2" || etag == md5 + "-10000" || etag == md5 + "-65534")
        << etag;
    const Member copy = m;
    EXPECT_EQ(copy, m);
    EXPECT_EQ(copy.etag(), etag);
  }
}

TEST(Member, EmptyAndDefault) {
  const Member d;
  EXPECT_EQ(d.bucket(), "");
  EXPECT_EQ(d.key(), "");
  EXPECT_EQ(d.version_id(), "");
  EXPECT_EQ(d.etag(), "");
  EXPECT_EQ(d.etag_size(), 0u);
  EXPECT_FALSE(d.etag_is_binary());
  EXPECT_EQ(d.mtime(), 0);
  EXPECT_EQ(d, Member("", "", "", "", 0, 0));
  const Member m("b", "", "", "", 0, -5);  // mtimes before 1970 stay what they are
  EXPECT_EQ(m.mtime(), -5);
}

TEST(Member, EqualityLooksAtEveryField) {
  const Member a("b", "k", "v", "0123456789abcdef0123456789abcdef", 1, 2);
  EXPECT_EQ(a, Member("b", "k", "v", "0123456789abcdef0123456789abcdef", 1, 2));
  EXPECT_NE(a, Member("c", "k", "v", "0123456789abcdef0123456789abcdef", 1, 2));
  EXPECT_NE(a, Member("b", "kk", "v", "0123456789abcdef0123456789abcdef", 1, 2));
  EXPECT_NE(a, Member("b", "k", "", "0123456789abcdef0123456789abcdef", 1, 2));
  EXPECT_NE(a, Member("b", "k", "v", "0123456789abcdef0123456789abcdee", 1, 2));
  EXPECT_NE(a, Member("b", "k", "v", "0123456789abcdef0123456789abcdef-1", 1, 2));
  EXPECT_NE(a, Member("b", "k", "v", "0123456789abcdef0123456789abcdef", 3, 2));
  EXPECT_NE(a, Member("b", "k", "v", "0123456789abcdef0123456789abcdef", 1, 3));
  // The key and version id are not confused where they meet in the block.
  EXPECT_NE(Member("b", "ab", "c", "", 1, 2), Member("b", "a", "bc", "", 1, 2));
}

TEST(Member, MovesAndAssignments) {
  Member a("b", "k", "v", "e", 1, 2);
  Member b = std::move(a);
  EXPECT_EQ(b.key(), "k");
  Member c;
  c = b;
  EXPECT_EQ(c, b);
  c = c;  // self-assignment keeps it
  EXPECT_EQ(c.key(), "k");
}

TEST(Member, KeysLongerThanTheBlockCanSayAreRefused) {
  EXPECT_NO_THROW(Member("b", std::string(65535, 'k'), "", "", 1, 0));
  EXPECT_THROW(Member("b", std::string(65536, 'k'), "", "", 1, 0), BadInputError);
  EXPECT_THROW(Member("b", "k", std::string(65536, 'v'), "", 1, 0), BadInputError);
  EXPECT_THROW(Member("b", "k", "", std::string(65536, 'e'), 1, 0), BadInputError);
}

TEST(Member, BucketIdsAreSharedAcrossThreads) {
  std::vector<std::thread> threads;
  std::vector<std::uint16_t> ids(8);
  for (int t = 0; t < 8; ++t)
    threads.emplace_back([&, t] {
      for (int i = 0; i < 1000; ++i) ids[t] = bucket_id(i % 2 ? "shared-bucket-x" : "shared-bucket-y");
    });
  for (auto& t : threads) t.join();
  for (auto id : ids) EXPECT_EQ(bucket_name(id), "shared-bucket-x");  // the last of 1000 is odd
  EXPECT_NE(bucket_id("shared-bucket-x"), bucket_id("shared-bucket-y"));
  EXPECT_EQ(bucket_name(bucket_id("shared-bucket-x")), "shared-bucket-x");
}

// Runs of whole small members are held as one piece each: the plan of many small members holds
// a few pieces per part, not three per member, and expands back to exactly those three.
TEST(PlanPieces, SmallMembersAreHeldAsRuns) {
  std::vector<Member> members;
  for (int i = 0; i < 5000; ++i)
    members.emplace_back("b", "logs/" + std::to_string(100000 + i), "", "0123456789abcdef0123456789abcdef",
                         static_cast<std::uint64_t>(i % 7 == 0 ? 512 : 700 + i), 1763646307);
  members.emplace_back("b", "big", "", "e", 40 * MiB, 1763646307);
  Options o;
  o.upload_part_target = 5 * MiB;
  const Plan p = make_plan(members, o);
  ASSERT_EQ(p.volumes.size(), 1u);
  const Volume& v = p.volumes[0];
  std::size_t held = 0, expanded = 0, headers = 0;
  for (const Part& part : v.parts) {
    held += part.pieces.size();
    for (const Piece& piece : expand_pieces(v, part)) {
      ++expanded;
      EXPECT_NE(piece.kind, PieceKind::Members);
      if (piece.kind == PieceKind::Header) {
        ++headers;
        EXPECT_EQ(piece.length, header_size(v, piece.member));
      }
    }
  }
  EXPECT_EQ(headers, members.size());
  EXPECT_GT(expanded, 2 * members.size());
  EXPECT_LT(held, 20u) << "pieces held: one run per part, not three per member";
  EXPECT_GE(v.stats.requests.get_object, members.size() - 1);  // every small one (+ the big one's top-up)
  EXPECT_LE(v.stats.requests.get_object, members.size());
}

}  // namespace
}  // namespace s3tar::plan
