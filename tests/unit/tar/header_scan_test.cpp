#include "s3tar/archive/tar/header_scan.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

#include "s3tar/archive/tar/header.h"
#include "s3tar/archive/tar/toc.h"
#include "s3tar/errors.h"

namespace s3tar::tar {
namespace {

// An archive of members with the given names and data, as the writer lays them out.
std::string archive_of(const std::vector<std::pair<std::string, std::string>>& members,
                       Format format = Format::Pax) {
  std::string out;
  for (const auto& [name, data] : members) {
    out += make_header({name, data.size(), 1700000000, 0644}, format);
    out += data;
    out.append(padding_size(data.size()), '\0');
  }
  out.append(kEndOfArchiveSize, '\0');
  return out;
}

// A reader over `bytes` that records the ranges asked for.
struct MemoryReader {
  const std::string& bytes;
  std::vector<std::pair<std::uint64_t, std::uint64_t>> calls;
  std::string operator()(std::uint64_t first, std::uint64_t last) {
    calls.emplace_back(first, last);
    return bytes.substr(first, last - first + 1);
  }
};

TEST(HeaderScan, ListsMembersWithOffsetsAndSkipsTheirData) {
  const std::string big(3 << 20, 'x');
  const std::string tar = archive_of({{"a.txt", "hello"}, {"big.bin", big}, {"c", ""}});
  MemoryReader reader{tar, {}};
  const auto members = scan_headers(
      tar.size(), [&](std::uint64_t f, std::uint64_t l) { return reader(f, l); }, "t.tar", 64 << 10);
  ASSERT_EQ(members.size(), 3u);
  EXPECT_EQ(members[0].name, "a.txt");
  EXPECT_EQ(members[0].header_offset, 0u);
  EXPECT_EQ(members[0].data_offset, 512u);
  EXPECT_EQ(members[0].size, 5u);
  EXPECT_EQ(members[1].name, "big.bin");
  EXPECT_EQ(members[1].data_offset, 1536u);
  EXPECT_EQ(members[1].size, big.size());
  EXPECT_EQ(members[2].header_offset, 1536u + big.size());
  EXPECT_TRUE(members[2].regular);
  // The 3 MiB of data were skipped: far fewer bytes were read than the archive holds.
  std::uint64_t read = 0;
  for (const auto& [f, l] : reader.calls) read += l - f + 1;
  EXPECT_LT(read, tar.size() / 4);
}

TEST(HeaderScan, GnuLongNames) {
  const std::string name(300, 'n');
  const std::string tar = archive_of({{name, "data"}}, Format::Gnu);
  MemoryReader reader{tar, {}};
  const auto members = scan_headers(
      tar.size(), [&](std::uint64_t f, std::uint64_t l) { return reader(f, l); }, "t.tar");
  ASSERT_EQ(members.size(), 1u);
  EXPECT_EQ(members[0].name, name);
}

TEST(HeaderScan, NotATarIsBadInputNamingTheArchive) {
  const std::string junk(2048, 'j');
  MemoryReader reader{junk, {}};
  try {
    scan_headers(
        junk.size(), [&](std::uint64_t f, std::uint64_t l) { return reader(f, l); }, "s3://b/k.tar");
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.category(), ErrorCategory::BadInput);
    EXPECT_NE(std::string(e.what()).find("s3://b/k.tar"), std::string::npos) << e.what();
  }
}

TEST(HeaderScan, TruncatedMemberIsBadInput) {
  std::string tar = archive_of({{"a", std::string(4096, 'a')}});
  tar.resize(512 + 1000);
  MemoryReader reader{tar, {}};
  EXPECT_THROW(scan_headers(
                   tar.size(), [&](std::uint64_t f, std::uint64_t l) { return reader(f, l); }, "t.tar"),
               BadInputError);
}

// A ustar header block of `type` claiming `size` data bytes, with a valid checksum.
std::string raw_header(std::string_view name, char type, std::uint64_t size) {
  std::string h(512, '\0');
  h.replace(0, name.size(), name);
  std::snprintf(&h[100], 8, "%07o", 0);
  std::snprintf(&h[108], 8, "%07o", 0);
  std::snprintf(&h[116], 8, "%07o", 0);
  std::snprintf(&h[124], 12, "%011llo", static_cast<unsigned long long>(size));
  std::snprintf(&h[136], 12, "%011o", 0);
  h[156] = type;
  h.replace(257, 8,
            std::string("ustar\0"
                        "00",
                        8));
  h.replace(148, 8, 8, ' ');
  unsigned sum = 0;
  for (unsigned char c : h) sum += c;
  std::snprintf(&h[148], 8, "%06o", sum);
  return h;
}

// Found by fuzz_tar_headers: libarchive fails this header without a message (a null string),
// which the error text dereferenced.
TEST(HeaderScan, PaxHeaderWithoutItsRecordsIsBadInput) {
  const std::string tar = raw_header("././@PaxHeader", 'x', 191);
  MemoryReader reader{tar, {}};
  try {
    scan_headers(
        tar.size(), [&](std::uint64_t f, std::uint64_t l) { return reader(f, l); }, "t.tar");
    FAIL() << "no error";
  } catch (const BadInputError& e) {
    EXPECT_NE(std::string(e.what()).find("t.tar: bad tar header after 0 members"), std::string::npos)
        << e.what();
  }
}

TEST(HeaderScan, ReaderErrorsPropagate) {
  struct Boom {};
  EXPECT_THROW(scan_headers(
                   4096, [](std::uint64_t, std::uint64_t) -> std::string { throw Boom(); }, "t.tar"),
               Boom);
}

TEST(HeaderScan, FindsTocAsTheFirstMember) {
  const std::string toc = render_toc_csv({{"a.txt", 1536, 5, "etag"}});
  const std::string tar = archive_of({{std::string(kTocName), toc}, {"a.txt", "hello"}});
  const auto span = find_toc(tar);
  ASSERT_TRUE(span);
  EXPECT_EQ(span->data_offset, 512u);
  EXPECT_EQ(span->size, toc.size());
  EXPECT_EQ(tar.substr(span->data_offset, span->size), toc);
}

TEST(HeaderScan, NoTocWhenTheFirstMemberIsAnotherOrTheBytesAreNoTar) {
  EXPECT_FALSE(find_toc(archive_of({{"a.txt", "hello"}, {std::string(kTocName), ""}})));
  EXPECT_FALSE(find_toc(std::string(1024, 'z')));
  EXPECT_FALSE(find_toc(""));
}

}  // namespace
}  // namespace s3tar::tar
