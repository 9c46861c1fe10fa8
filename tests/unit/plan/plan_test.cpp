#include "s3tar/archive/plan/plan.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <random>
#include <set>
#include <sstream>

#include "s3tar/archive/tar/names.h"
#include "support.h"

namespace s3tar::plan {
namespace {

using testing::content;
using testing::reference_archive;
using testing::render;

Limits small_limits() {
  Limits l;
  l.min_part = 5 * KiB;
  l.max_part = 20 * KiB;
  l.max_parts = 50;
  l.max_object = 50 * 20 * KiB;
  return l;
}

std::string random_key(std::mt19937_64& rng, int i) {
  static const char* pieces[] = {"logs", "a b", "x+y", "日本", "é", "..", ".", "", "%2E", "dir", "q,\"r\""};
  std::string key;
  const int segments = 1 + static_cast<int>(rng() % 4);
  for (int s = 0; s < segments; ++s) {
    if (s) key += '/';
    key += pieces[rng() % std::size(pieces)];
  }
  if (rng() % 8 == 0) key += std::string(100 + rng() % 200, 'L');
  return key.append("-").append(std::to_string(i));  // unique keys
}

std::uint64_t random_size(std::mt19937_64& rng, const Limits& l) {
  const std::uint64_t m = l.min_part;
  switch (rng() % 12) {
    case 0:
      return 0;
    case 1:
      return 1 + rng() % 600;
    case 2:
      return m - 1 - rng() % 3;
    case 3:
      return m + rng() % 3;
    case 4:
      return 2 * m - 1 - rng() % 3;
    case 5:
      return 2 * m + rng() % 3;
    case 6:
      return l.max_part + rng() % 3;
    case 7:
      return l.max_part * (2 + rng() % 3) + rng() % 1000;
    case 8:
      return 512 * (1 + rng() % 20);
    default:
      return rng() % (3 * m);
  }
}

std::vector<Member> random_members(std::mt19937_64& rng, const Limits& l, std::size_t n) {
  std::vector<Member> members;
  for (std::size_t i = 0; i < n; ++i) {
    const std::string bucket = rng() % 5 == 0 ? "other-bucket" : "bucket";
    const std::string key = random_key(rng, static_cast<int>(i));
    const std::string version = rng() % 3 == 0 ? fmt::format("v{}", rng() % 100) : "";
    const std::string etag = rng() % 7 == 0 ? "\"quoted,etag\"" : "0123456789abcdef0123456789abcdef";
    const std::uint64_t size = random_size(rng, l);
    members.emplace_back(bucket, key, version, etag, size,
                         1600000000 + static_cast<std::int64_t>(rng() % 100000000));
  }
  return members;
}

// Structural checks of one volume against the limits.
void check_volume(const Volume& v, const Options& o) {
  const Limits& l = o.limits;
  ASSERT_FALSE(v.parts.empty());
  EXPECT_LE(v.parts.size(), l.max_parts);
  EXPECT_LE(v.total_size, l.max_object);
  if (o.size_limit > 0 && v.members.size() > 1) {
    EXPECT_LE(v.total_size, o.size_limit);
  }
  EXPECT_EQ(v.single_put, v.total_size < l.min_part);
  if (v.single_put) {
    EXPECT_EQ(v.parts.size(), 1u);
  }
  std::uint64_t pos = 0;
  std::map<std::uint32_t, std::uint64_t> downloaded;
  for (std::size_t i = 0; i < v.parts.size(); ++i) {
    const Part& p = v.parts[i];
    EXPECT_EQ(p.number, i + 1);
    EXPECT_EQ(p.archive_offset, pos);
    EXPECT_LE(p.size, l.max_part);
    if (i + 1 < v.parts.size()) {
      EXPECT_GE(p.size, l.min_part) << "part " << p.number;
    }
    if (p.kind == PartKind::Copy) {
      EXPECT_GE(p.size, l.min_part);
      EXPECT_EQ(p.copy.length, p.size);
      ASSERT_LT(p.copy.member, v.members.size());
      EXPECT_LE(p.copy.offset + p.copy.length, v.members[p.copy.member].size);
      EXPECT_EQ(v.data_offsets[p.copy.member] + p.copy.offset, p.archive_offset);
    } else {
      std::uint64_t sum = 0;
      bool only_headers = true;
      for (const Piece& piece : expand_pieces(v, p)) {
        EXPECT_GT(piece.length, 0u);
        sum += piece.length;
        if (piece.kind != PieceKind::Header) only_headers = false;
        if (piece.kind == PieceKind::Source) {
          ASSERT_LT(piece.member, v.members.size());
          EXPECT_LE(piece.offset + piece.length, v.members[piece.member].size);
          downloaded[piece.member] += piece.length;
        }
      }
      EXPECT_EQ(sum, p.size);
      EXPECT_FALSE(only_headers) << "part " << p.number << " is only headers";
    }
    pos += p.size;
  }
  EXPECT_EQ(pos, v.total_size);
  // A copied member costs at most a min_part top-up download.
  for (std::size_t i = 0; i < v.members.size(); ++i) {
    const std::uint64_t threshold = std::max(o.copy_threshold, 2 * l.min_part);
    if (v.members[i].size >= threshold) {
      EXPECT_LE(downloaded[static_cast<std::uint32_t>(i)], l.min_part);
    }
  }
  // Stats agree with the parts.
  std::uint64_t copies = 0, uploads = 0, gets = 0, copied = 0, got = 0;
  for (const Part& p : v.parts) {
    if (p.kind == PartKind::Copy) {
      ++copies;
      copied += p.size;
    } else {
      ++uploads;
      for (const Piece& piece : expand_pieces(v, p))
        if (piece.kind == PieceKind::Source) {
          ++gets;
          got += piece.length;
        }
    }
  }
  EXPECT_EQ(v.stats.requests.upload_part_copy, copies);
  EXPECT_EQ(v.stats.requests.upload_part, v.single_put ? 0 : uploads);
  EXPECT_EQ(v.stats.requests.put_object, v.single_put ? 1u : 0u);
  EXPECT_EQ(v.stats.requests.create_multipart_upload, v.single_put ? 0u : 1u);
  EXPECT_EQ(v.stats.requests.complete_multipart_upload, v.single_put ? 0u : 1u);
  EXPECT_EQ(v.stats.requests.get_object, gets);
  EXPECT_EQ(v.stats.bytes_copied, copied);
  EXPECT_EQ(v.stats.bytes_downloaded, got);
  EXPECT_EQ(v.stats.bytes_uploaded + v.stats.bytes_copied, v.total_size);
}

// The bytes the parts produce are the reference archive, and toc.csv points at every member's data.
void check_bytes(const Volume& v) {
  const std::string bytes = render(v);
  ASSERT_EQ(bytes.size(), v.total_size);
  const std::string reference = reference_archive(v);
  ASSERT_EQ(bytes.size(), reference.size()) << v.key;
  ASSERT_TRUE(bytes == reference) << v.key << ": parts differ from the libarchive reference";
  const std::string toc_header =
      tar::make_header({std::string(tar::kTocName), v.toc_data_size, v.toc_mtime, 0644}, v.format);
  ASSERT_EQ(bytes.substr(0, toc_header.size()), toc_header);
  const auto rows = tar::parse_toc(std::string_view(bytes).substr(toc_header.size(), v.toc_data_size));
  EXPECT_EQ(rows, toc_entries(v));
  ASSERT_EQ(rows.size(), v.members.size());
  for (std::size_t i = 0; i < rows.size(); ++i) {
    EXPECT_EQ(rows[i].name, std::string(v.members[i].key()));
    EXPECT_EQ(bytes.substr(rows[i].offset, rows[i].size), content(v.members[i], 0, v.members[i].size));
    const std::string header = tar::make_header(header_info(v, i), v.format);
    EXPECT_EQ(bytes.substr(rows[i].offset - header.size(), header.size()), header);
  }
  // The archive ends with exactly two zero blocks after the last member's padding.
  EXPECT_EQ(bytes.substr(bytes.size() - 1024), std::string(1024, '\0'));
}

std::string describe(const Plan& plan) {
  std::ostringstream out;
  for (const Volume& v : plan.volumes) {
    out << v.key << ':' << v.total_size << ':' << v.toc_size << '\n';
    for (const Member& m : v.members)
      out << ' ' << m.bucket() << '/' << std::string(m.key()) << '@' << std::string(m.version_id()) << '\n';
    for (const Part& p : v.parts) {
      out << " part " << p.number << ' ' << p.archive_offset << '+' << p.size
          << (p.kind == PartKind::Copy ? " copy" : " upload");
      for (const Piece& piece : expand_pieces(v, p))
        out << ' ' << static_cast<int>(piece.kind) << ':' << piece.member << ':' << piece.offset << ':'
            << piece.length;
      out << '\n';
    }
  }
  return out.str();
}

TEST(PlanProperty, RandomMemberListsWithSmallLimits) {
  std::mt19937_64 rng(20251120);
  int volumes_seen = 0, multi_volume_plans = 0, copies_seen = 0;
  for (int c = 0; c < 300; ++c) {
    SCOPED_TRACE(::testing::Message() << "case " << c);
    Options o;
    o.limits = small_limits();
    if (rng() % 4 == 0) o.limits.max_parts = 12 + static_cast<std::uint32_t>(rng() % 10);
    o.upload_part_target = o.limits.min_part + rng() % (o.limits.max_part - o.limits.min_part);
    o.max_upload_part_target = rng() % 2 ? o.upload_part_target : o.limits.max_part;
    o.format = rng() % 2 ? tar::Format::Pax : tar::Format::Gnu;
    o.order = static_cast<Order>(rng() % 3);
    o.size_limit = rng() % 3 == 0 ? 20 * KiB + rng() % (200 * KiB) : 0;
    o.archive_key = "out/archive.tar";
    auto members = random_members(rng, o.limits, rng() % 40 + 1);
    const auto input = members;
    Plan plan = make_plan(std::move(members), o);
    ASSERT_FALSE(plan.volumes.empty());
    volumes_seen += static_cast<int>(plan.volumes.size());
    multi_volume_plans += plan.volumes.size() > 1;
    // Every member exactly once.
    std::multiset<std::string> in, out;
    for (const Member& m : input)
      in.insert(m.bucket() + "/" + std::string(m.key()) + "@" + std::string(m.version_id()));
    Stats sum;
    for (std::size_t i = 0; i < plan.volumes.size(); ++i) {
      const Volume& v = plan.volumes[i];
      if (plan.volumes.size() == 1) {
        EXPECT_EQ(v.key, "out/archive.tar");
      } else {
        char expected[64];
        std::snprintf(expected, sizeof expected, "out/archive.%02zu.tar", i);
        EXPECT_EQ(v.key, expected);
      }
      for (const Member& m : v.members)
        out.insert(m.bucket() + "/" + std::string(m.key()) + "@" + std::string(m.version_id()));
      check_volume(v, o);
      check_bytes(v);
      copies_seen += static_cast<int>(v.stats.requests.upload_part_copy);
      sum += v.stats;
    }
    EXPECT_EQ(in, out);
    EXPECT_EQ(sum.requests.total(), plan.stats.requests.total());
    EXPECT_EQ(sum.archive_bytes, plan.stats.archive_bytes);
    if (::testing::Test::HasFatalFailure() || ::testing::Test::HasNonfatalFailure()) return;
  }
  // The generator must exercise what the properties are about.
  EXPECT_GT(multi_volume_plans, 30);
  EXPECT_GT(copies_seen, 300);
  EXPECT_GT(volumes_seen, 300);
}

TEST(PlanProperty, SameInputSamePlan) {
  std::mt19937_64 rng(5);
  for (int c = 0; c < 30; ++c) {
    Options o;
    o.limits = small_limits();
    o.size_limit = 100 * KiB;
    auto members = random_members(rng, o.limits, 30);
    auto shuffled = members;
    std::shuffle(shuffled.begin(), shuffled.end(), rng);
    const std::string a = describe(make_plan(members, o));
    EXPECT_EQ(describe(make_plan(members, o)), a);
    // Sorted orders do not depend on the input order.
    EXPECT_EQ(describe(make_plan(shuffled, o)), a);
    o.order = Order::Sorted;
    EXPECT_EQ(describe(make_plan(shuffled, o)), describe(make_plan(members, o)));
  }
}

TEST(PlanProperty, TocFixedPointAtBlockBoundaries) {
  // Vary the key length so that toc.csv's text crosses 512-byte boundaries, including landing
  // exactly on one (no extra padding block then), and check the bytes each time.
  Options o;
  o.limits = small_limits();
  int exact = 0;
  for (std::size_t len = 1; len < 700; ++len) {
    std::vector<Member> members;
    for (int i = 0; i < 3; ++i)
      members.push_back(Member{"b", std::string(len, 'k') + std::to_string(i), "", "e", 700, 1700000000});
    Plan plan = make_plan(members, o);
    const Volume& v = plan.volumes.at(0);
    if (v.toc_data_size % 512 == 0) {
      ++exact;
      EXPECT_EQ(v.toc_size, 512 + v.toc_data_size);
    }
    if (len % 7 == 0 || v.toc_data_size % 512 == 0) check_bytes(v);
  }
  EXPECT_GT(exact, 0);
}

std::vector<Member> uniform(std::size_t n, std::uint64_t size) {
  std::vector<Member> members;
  for (std::size_t i = 0; i < n; ++i) {
    char key[64];
    std::snprintf(key, sizeof key, "data/2025/11/20/object-%06zu.bin", i);
    members.push_back(Member{"src", key, "", "0123456789abcdef0123456789abcdef", size, 1763600000});
  }
  return members;
}

TEST(PlanRequests, ThousandSmallObjects) {
  Plan plan = make_plan(uniform(1000, 256 * KiB), Options{});
  ASSERT_EQ(plan.volumes.size(), 1u);
  const Requests& r = plan.stats.requests;
  const double per_object = static_cast<double>(r.total()) / 1000.0;
  RecordProperty("requests_per_object", std::to_string(per_object));
  std::printf(
      "1000 x 256 KiB: %llu requests (%llu GET, %llu UploadPart, %llu copy), %.4f per object, $%.6f\n",
      static_cast<unsigned long long>(r.total()), static_cast<unsigned long long>(r.get_object),
      static_cast<unsigned long long>(r.upload_part), static_cast<unsigned long long>(r.upload_part_copy),
      per_object, plan.stats.cost_usd());
  EXPECT_LE(per_object, 1.05);
  EXPECT_EQ(r.get_object, 1000u);
  EXPECT_EQ(r.upload_part_copy, 0u);
  EXPECT_EQ(plan.stats.bytes_copied, 0u);
  check_volume(plan.volumes[0], Options{});
}

TEST(PlanRequests, FiftyLargeObjects) {
  Plan plan = make_plan(uniform(50, 20 * MiB), Options{});
  ASSERT_EQ(plan.volumes.size(), 1u);
  const Volume& v = plan.volumes[0];
  const Requests& r = plan.stats.requests;
  // Fixed per archive: Create, Complete and the last upload part (padding + end blocks).
  const std::uint64_t per_archive = 3;
  const double per_object = static_cast<double>(r.total() - per_archive) / 50.0;
  std::printf(
      "50 x 20 MiB: %llu requests (%llu GET, %llu UploadPart, %llu copy), %.4f per object + %llu, "
      "%.2f MiB downloaded per object, $%.6f\n",
      static_cast<unsigned long long>(r.total()), static_cast<unsigned long long>(r.get_object),
      static_cast<unsigned long long>(r.upload_part), static_cast<unsigned long long>(r.upload_part_copy),
      per_object, static_cast<unsigned long long>(per_archive),
      static_cast<double>(plan.stats.bytes_downloaded) / 50.0 / MiB, plan.stats.cost_usd());
  EXPECT_LE(per_object, 3.0);
  EXPECT_LE(plan.stats.bytes_downloaded, 50 * 5 * MiB);
  check_volume(v, Options{});
}

TEST(PlanRequests, SmallObjectsFillTheGapsBeforeLargeOnes) {
  // 10 large and 400 small objects: the small ones go in front of the large ones, so no large
  // object's head needs downloading.
  auto members = uniform(10, 64 * MiB);
  auto small = uniform(400, 256 * KiB);
  for (auto& m : small)
    m = Member(m.bucket(), "small/" + std::string(m.key()), m.version_id(), m.etag(), m.size, m.mtime());
  members.insert(members.end(), small.begin(), small.end());
  Options o;
  Plan interleaved = make_plan(members, o);
  o.order = Order::Sorted;
  Plan sorted = make_plan(members, o);
  const std::uint64_t small_bytes = 400 * 256 * KiB;
  EXPECT_EQ(interleaved.stats.bytes_downloaded, small_bytes);
  EXPECT_GT(sorted.stats.bytes_downloaded, small_bytes + 9 * 5 * MiB);
  EXPECT_LT(interleaved.stats.requests.total(), sorted.stats.requests.total());
  check_volume(interleaved.volumes.at(0), o);
}

TEST(PlanVolumes, SizeLimitSplitsAndNamesVolumes) {
  Options o;
  o.archive_key = "2025-11-20/logs.tar";
  o.size_limit = 100 * MiB;
  Plan plan = make_plan(uniform(1000, 256 * KiB), o);
  ASSERT_EQ(plan.volumes.size(), 3u);
  EXPECT_EQ(plan.volumes[0].key, "2025-11-20/logs.00.tar");  // numbered as the Go s3tar does
  EXPECT_EQ(plan.volumes[2].key, "2025-11-20/logs.02.tar");
  std::size_t members = 0;
  for (const auto& v : plan.volumes) {
    EXPECT_LE(v.total_size, o.size_limit);
    members += v.members.size();
    check_volume(v, o);
  }
  EXPECT_EQ(members, 1000u);
  EXPECT_EQ(plan.stats.requests.create_multipart_upload, 3u);
}

// A day's plan holds millions of members: its volumes are ranges of one vector, in archive
// order, that stays alive as long as any volume (or a copy of one) does.
TEST(PlanVolumes, VolumesShareOneMemberVector) {
  Options o;
  o.size_limit = 100 * MiB;
  Volume kept;
  std::vector<std::string> keys;
  {
    const Plan plan = make_plan(uniform(1000, 256 * KiB), o);
    ASSERT_EQ(plan.volumes.size(), 3u);
    for (std::size_t g = 0; g + 1 < plan.volumes.size(); ++g)
      EXPECT_EQ(&plan.volumes[g + 1].members[0],
                &plan.volumes[g].members[0] + plan.volumes[g].members.size());
    kept = plan.volumes[1];
    for (const Member& m : plan.volumes[1].members) keys.emplace_back(m.key());
  }
  ASSERT_EQ(kept.members.size(), keys.size());
  for (std::size_t i = 0; i < keys.size(); ++i) EXPECT_EQ(kept.members[i].key(), keys[i]);
  EXPECT_THROW(kept.members.at(keys.size()), std::out_of_range);
  const MemberRange own({Member("b", "k", "", "", 1, 0)});
  EXPECT_EQ(own.size(), 1u);
  EXPECT_EQ(own.at(0).key(), "k");
}

TEST(PlanVolumes, PartTargetGrowsToStayWithinMaxParts) {
  Options o;
  o.limits = small_limits();
  o.limits.max_parts = 10;
  o.upload_part_target = 5 * KiB;
  o.max_upload_part_target = 20 * KiB;
  Plan plan = make_plan(uniform(60, 2 * KiB), o);  // ~150 KiB: 30 parts at the base target
  ASSERT_EQ(plan.volumes.size(), 1u);
  EXPECT_GT(plan.volumes[0].upload_part_target, 5 * KiB);
  check_volume(plan.volumes[0], o);
  check_bytes(plan.volumes[0]);
  // Without room to grow, the volume closes at max_parts instead.
  o.max_upload_part_target = 5 * KiB;
  Plan split = make_plan(uniform(60, 2 * KiB), o);
  EXPECT_GT(split.volumes.size(), 1u);
  for (const auto& v : split.volumes) check_volume(v, o);
}

TEST(PlanVolumes, MaxObjectClosesVolumes) {
  Options o;
  o.limits = small_limits();
  o.limits.max_object = 120 * KiB;
  Plan plan = make_plan(uniform(20, 30 * KiB), o);
  EXPECT_GT(plan.volumes.size(), 1u);
  for (const auto& v : plan.volumes) {
    EXPECT_LE(v.total_size, o.limits.max_object);
    check_bytes(v);
  }
}

TEST(PlanVolumes, SinglePutBelowMinPart) {
  Plan plan = make_plan(uniform(3, 1000), Options{});
  ASSERT_EQ(plan.volumes.size(), 1u);
  EXPECT_TRUE(plan.volumes[0].single_put);
  EXPECT_EQ(plan.stats.requests.put_object, 1u);
  EXPECT_EQ(plan.stats.requests.total(), 4u);  // 3 GETs + 1 PutObject
  check_bytes(plan.volumes[0]);
}

TEST(PlanVolumes, ObjectsOverMaxPartBecomeSeveralCopies) {
  Options o;
  o.limits = small_limits();
  Plan plan = make_plan(uniform(1, 95 * KiB), o);
  const Volume& v = plan.volumes.at(0);
  int copies = 0;
  for (const auto& p : v.parts) copies += p.kind == PartKind::Copy;
  EXPECT_EQ(copies, 5);  // 95 KiB - 5 KiB top-up = 90 KiB in ranges of at most 20 KiB
  check_volume(v, o);
  check_bytes(v);
}

TEST(PlanErrors, EmptyInvalidAndOversized) {
  EXPECT_TRUE(make_plan({}, Options{}).volumes.empty());
  Options bad;
  bad.limits.max_part = bad.limits.min_part;
  EXPECT_THROW(make_plan(uniform(1, 1), bad), PlanError);
  Options o;
  o.limits = small_limits();
  EXPECT_THROW(make_plan(uniform(1, 2 * MiB), o), PlanError);  // over max_object
  EXPECT_THROW(make_plan(uniform(1, ~std::uint64_t{0}), Options{}), PlanError);
  EXPECT_THROW(make_plan(uniform(1, 10000 * 5 * GiB), Options{}), PlanError);  // no room for headers
}

TEST(PlanRender, GeneratedPieces) {
  Plan plan = make_plan(uniform(2, 100), Options{});
  const Volume& v = plan.volumes.at(0);
  EXPECT_THROW(render_generated(v, Piece{PieceKind::Source, 0, 0, 1}), std::invalid_argument);
  EXPECT_EQ(render_generated(v, Piece{PieceKind::End, 0, 0, 1024}), std::string(1024, '\0'));
  EXPECT_EQ(render_generated(v, Piece{PieceKind::Toc, 0, 0, v.toc_size}), render_toc(v));
  EXPECT_EQ(render_generated(v, Piece{PieceKind::Header, 1, 0, 512}),
            tar::make_header(header_info(v, 1), v.format));
}

}  // namespace
}  // namespace s3tar::plan
