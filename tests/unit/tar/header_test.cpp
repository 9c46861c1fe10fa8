#include "s3tar/archive/tar/header.h"

#include <archive.h>
#include <archive_entry.h>
#include <gtest/gtest.h>

#include <clocale>
#include <random>
#include <string>

namespace s3tar::tar {
namespace {

struct ReadBack {
  std::string name;
  std::int64_t size = -1;
  std::int64_t mtime = 0;
  int mode = 0;
  std::int64_t uid = -1, gid = -1;
  bool atime_set = true, ctime_set = true;
  std::string uname, gname;
};

// Parses header + (zero) data + end blocks with libarchive's reader.
ReadBack read_back(const std::string& header, std::uint64_t size) {
  std::string tar = header;
  // Keep the buffer small for huge sizes: the reader only needs the header.
  tar.append(std::min<std::uint64_t>(size + padding_size(size), 4096), '\0');
  tar.append(kEndOfArchiveSize, '\0');
  struct archive* a = archive_read_new();
  archive_read_support_format_tar(a);
  EXPECT_EQ(archive_read_open_memory(a, tar.data(), tar.size()), ARCHIVE_OK);
  archive_entry* e = nullptr;
  ReadBack r;
  // WARN: the name is not representable in the test's locale; the UTF-8 form is still there.
  EXPECT_GE(archive_read_next_header(a, &e), ARCHIVE_WARN) << archive_error_string(a);
  if (e) {
    const char* utf8 = archive_entry_pathname_utf8(e);
    r.name = utf8 ? utf8 : archive_entry_pathname(e);
    r.size = archive_entry_size(e);
    r.mtime = archive_entry_mtime(e);
    r.mode = archive_entry_mode(e);
    r.uid = archive_entry_uid(e);
    r.gid = archive_entry_gid(e);
    r.atime_set = archive_entry_atime_is_set(e);
    r.ctime_set = archive_entry_ctime_is_set(e);
    r.uname = archive_entry_uname(e) ? archive_entry_uname(e) : "";
    r.gname = archive_entry_gname(e) ? archive_entry_gname(e) : "";
  }
  archive_read_free(a);
  return r;
}

bool contains(const std::string& hay, std::string_view needle) {
  return hay.find(needle) != std::string::npos;
}

class HeaderTest : public ::testing::TestWithParam<Format> {};

TEST_P(HeaderTest, ShortNameIsOnePlainUstarBlock) {
  MemberHeaderInfo info{"logs/2025/11/20/a.gz", 48213, 1763646307};
  std::string h = make_header(info, GetParam());
  ASSERT_EQ(h.size(), 512u);
  EXPECT_EQ(h.substr(0, info.name.size()), info.name);
  EXPECT_EQ(h[156], '0');  // regular file
  if (GetParam() == Format::Pax)
    EXPECT_EQ(h.substr(257, 6), std::string("ustar\0", 6));
  else
    EXPECT_EQ(h.substr(257, 8), "ustar  " + std::string(1, '\0'));
  ReadBack r = read_back(h, info.size);
  EXPECT_EQ(r.name, info.name);
  EXPECT_EQ(r.size, 48213);
  EXPECT_EQ(r.mtime, 1763646307);
  EXPECT_EQ(r.mode & 07777, 0644);
  EXPECT_EQ(r.uid, 0);
  EXPECT_EQ(r.gid, 0);
  EXPECT_EQ(r.uname, "");
  EXPECT_EQ(r.gname, "");
  EXPECT_FALSE(r.atime_set);
  EXPECT_FALSE(r.ctime_set);
  EXPECT_EQ(header_size(info, GetParam()), 512u);
}

TEST_P(HeaderTest, HundredByteNameStillFitsOneBlock) {
  MemberHeaderInfo info{std::string(100, 'n'), 1, 1};
  EXPECT_EQ(make_header(info, GetParam()).size(), 512u);
  EXPECT_EQ(read_back(make_header(info, GetParam()), 1).name, info.name);
}

TEST_P(HeaderTest, LongNamesRoundTrip) {
  for (std::size_t n : {101u, 150u, 255u, 256u, 300u, 1024u}) {
    // With and without slashes (ustar can split some at a slash; the others need records).
    for (bool slashes : {false, true}) {
      std::string name;
      for (std::size_t i = 0; name.size() < n; ++i)
        name += (slashes && i % 40 == 39) ? '/' : char('a' + i % 26);
      MemberHeaderInfo info{name, 12345, 1700000000};
      std::string h = make_header(info, GetParam());
      EXPECT_EQ(h.size() % 512, 0u);
      EXPECT_EQ(read_back(h, info.size).name, name) << n;
      EXPECT_EQ(read_back(h, info.size).size, 12345);
      EXPECT_EQ(header_size(info, GetParam()), h.size());
      if (GetParam() == Format::Gnu) {
        EXPECT_TRUE(contains(h, "././@LongLink"));
      }
      if (GetParam() == Format::Pax && !slashes) {
        EXPECT_TRUE(contains(h, "path=" + name + "\n"));
        // No pid, no time in the extended header's name.
        EXPECT_TRUE(h.starts_with("PaxHeader/"));
      }
    }
  }
}

TEST_P(HeaderTest, UnicodeNames) {
  const std::string name = "données/日本語/emoji-😀 é.txt";
  MemberHeaderInfo info{name, 3, 1700000000};
  std::string h = make_header(info, GetParam());
  EXPECT_EQ(read_back(h, 3).name, name);
  EXPECT_EQ(header_size(info, GetParam()), h.size());
  if (GetParam() == Format::Pax) {
    EXPECT_TRUE(contains(h, "path=" + name + "\n"));
    EXPECT_FALSE(contains(h, "hdrcharset"));
  }
}

TEST_P(HeaderTest, SizesOf8GiBAndMore) {
  for (std::uint64_t size : {(8ull << 30) - 1, 8ull << 30, 5ull << 40}) {
    MemberHeaderInfo info{"big.bin", size, 1700000000};
    std::string h = make_header(info, GetParam());
    EXPECT_EQ(read_back(h, size).size, static_cast<std::int64_t>(size));
    EXPECT_EQ(header_size(info, GetParam()), h.size());
    if (GetParam() == Format::Pax) {
      const bool record = size >= (8ull << 30);
      EXPECT_EQ(contains(h, " size=" + std::to_string(size) + "\n"), record) << size;
      EXPECT_EQ(h.size(), record ? 1536u : 512u);
    } else {
      EXPECT_EQ(h.size(), 512u);
    }
  }
}

TEST_P(HeaderTest, OnlyTheRecordsThatAreNeeded) {
  std::string h = make_header({std::string(200, 'x'), 9ull << 30, 1700000000}, GetParam());
  for (std::string_view record : {"atime=", "ctime=", "mtime=", "uname=", "gname=", "uid=", "gid="})
    EXPECT_FALSE(contains(h, record)) << record;
}

TEST_P(HeaderTest, ByteIdenticalAcrossCallsAndLocales) {
  const MemberHeaderInfo infos[] = {
      {"a", 0, 0},
      {std::string(300, 'z'), 1, 1700000000},
      {"ü/" + std::string(120, 'y'), 10ull << 30, 1700000000},
  };
  for (const auto& info : infos) {
    std::string first = make_header(info, GetParam());
    EXPECT_EQ(make_header(info, GetParam()), first);
    const char* previous = std::setlocale(LC_ALL, nullptr);
    std::string saved = previous ? previous : "C";
    for (const char* loc : {"C", "C.UTF-8", "POSIX"}) {
      if (std::setlocale(LC_ALL, loc)) {
        EXPECT_EQ(make_header(info, GetParam()), first) << loc;
      }
    }
    std::setlocale(LC_ALL, saved.c_str());
  }
}

TEST_P(HeaderTest, HeaderSizeMatchesMakeHeader) {
  std::mt19937_64 rng(7);
  const std::string alphabet = "abc/._-% +é";
  for (int i = 0; i < 300; ++i) {
    std::string name;
    std::size_t len = rng() % 260 + 1;
    while (name.size() < len) name += alphabet[rng() % alphabet.size()];
    std::uint64_t size = rng() % 4 == 0 ? (rng() % (16ull << 30)) : rng() % 100000;
    std::int64_t mtime = static_cast<std::int64_t>(rng() % 5000000000ull);
    MemberHeaderInfo info{name, size, mtime};
    EXPECT_EQ(header_size(info, GetParam()), make_header(info, GetParam()).size()) << name;
  }
}

INSTANTIATE_TEST_SUITE_P(Formats, HeaderTest, ::testing::Values(Format::Pax, Format::Gnu),
                         [](const auto& info) { return info.param == Format::Pax ? "Pax" : "Gnu"; });

TEST(Padding, ToNext512) {
  EXPECT_EQ(padding_size(0), 0u);
  EXPECT_EQ(padding_size(1), 511u);
  EXPECT_EQ(padding_size(512), 0u);
  EXPECT_EQ(padding_size(513), 511u);
}

}  // namespace
}  // namespace s3tar::tar
