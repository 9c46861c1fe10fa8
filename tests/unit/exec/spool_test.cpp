// The spool file that keeps upload parts pushed out of memory for a volume's rewrite: what it
// takes reads back, nothing is left on disk, and past its limit or on a write error it takes
// nothing more (the rewrite then reads those sources from S3 again) without failing.
#include "s3tar/archive/exec/spool.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/resource.h>

#include <filesystem>
#include <string>

#include "s3tar/archive/exec/source_cache.h"

namespace s3tar::exec {
namespace {

namespace fs = std::filesystem;

class SpoolTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (fs::temp_directory_path() / "spool-test-XXXXXX").string();
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
  }
  void TearDown() override { fs::remove_all(dir_); }
  bool dir_empty() const { return fs::directory_iterator(dir_) == fs::directory_iterator(); }

  std::string dir_;
};

TEST_F(SpoolTest, WhatItTakesReadsBackAndNoFileIsLeftInTheDirectory) {
  Spool spool(1 << 20, dir_);
  const auto a = spool.append("first part");
  const auto b = spool.append(std::string(5000, 'x'));
  ASSERT_TRUE(a && b);
  EXPECT_EQ(*a, 0u);
  EXPECT_EQ(*b, 10u);
  EXPECT_EQ(spool.read(*a, 10).value(), "first part");
  EXPECT_EQ(spool.read(*b + 4990, 10).value(), std::string(10, 'x'));
  EXPECT_EQ(spool.read(1, 5).value(), "irst ");
  EXPECT_FALSE(spool.read(*b, 5001)) << "past what was written";
  EXPECT_TRUE(dir_empty()) << "the spool file is unlinked while open";
}

TEST_F(SpoolTest, PastItsLimitItTakesNothingMoreAndKeepsWhatItHas) {
  Spool spool(100, dir_);
  ASSERT_TRUE(spool.append(std::string(60, 'a')));
  EXPECT_FALSE(spool.append(std::string(60, 'b'))) << "past the limit";
  EXPECT_FALSE(spool.append("c")) << "a spool past its limit takes nothing more";
  EXPECT_EQ(spool.used(), 60u);
  EXPECT_EQ(spool.read(0, 60).value(), std::string(60, 'a'));
}

TEST_F(SpoolTest, ALimitOfZeroTakesNothing) {
  Spool spool(0, dir_);
  EXPECT_FALSE(spool.append("x"));
  EXPECT_TRUE(dir_empty());
}

TEST_F(SpoolTest, AFileThatCannotBeCreatedIsNoFailure) {
  Spool spool(1 << 20, dir_ + "/missing/dir");
  EXPECT_FALSE(spool.append("x"));
  EXPECT_FALSE(spool.read(0, 1));
}

TEST_F(SpoolTest, AWriteErrorLikeAFullDiskIsNoFailure) {
  // A file size limit makes writes past 4 KiB fail (EFBIG) as a full disk would (ENOSPC).
  Spool spool(1 << 20, dir_);
  ASSERT_TRUE(spool.append(std::string(1000, 'a')));
  struct rlimit old {};
  ASSERT_EQ(::getrlimit(RLIMIT_FSIZE, &old), 0);
  ::signal(SIGXFSZ, SIG_IGN);
  struct rlimit small = old;
  small.rlim_cur = 4096;
  ASSERT_EQ(::setrlimit(RLIMIT_FSIZE, &small), 0);
  const auto failed = spool.append(std::string(8192, 'b'));
  const auto after = spool.append("c");
  ::setrlimit(RLIMIT_FSIZE, &old);
  EXPECT_FALSE(failed) << "a part that cannot be written is not kept";
  EXPECT_FALSE(after) << "after a write error the spool takes nothing more";
  EXPECT_EQ(spool.read(0, 1000).value(), std::string(1000, 'a')) << "what it held stays readable";
}

TEST(SourceCacheRanges, ServesPiecesOfWhatItKeptUntilAllIsTaken) {
  // A rewrite cuts parts anew: a member kept whole may be asked for in two pieces, and the head
  // of a large member (its ranged GET) is kept on its own.
  SourceCache cache;
  const plan::Member small{"src", "s", "", "\"es\"", 10, 0};
  const plan::Member large{"src", "l", "", "\"el\"", 1000, 0};
  cache.keep(small, 0, "0123456789");
  cache.keep(large, 0, "head");
  cache.keep(large, 999, "yy");
  EXPECT_TRUE(cache.holds(small, 3, 7));
  EXPECT_FALSE(cache.holds(large, 2, 3)) << "beyond the kept head";
  EXPECT_FALSE(cache.holds(large, 999, 1)) << "a range past the member's size is not kept";
  EXPECT_EQ(cache.take(small, 0, 4).value(), "0123");
  EXPECT_EQ(cache.take(small, 4, 6).value(), "456789");
  EXPECT_FALSE(cache.holds(small, 0, 1)) << "let go once all its bytes were taken";
  EXPECT_EQ(cache.take(large, 0, 4).value(), "head");
  EXPECT_FALSE(cache.take(large, 0, 4));
  EXPECT_EQ(cache.reused(), 2u) << "two kept ranges used again whole";
}

TEST_F(SpoolTest, TheCacheReadsSpooledSourcesBackOnceAndFallsBackWhenItCannot) {
  ASSERT_EQ(::setenv("TMPDIR", dir_.c_str(), 1), 0);
  SourceCache cache(1 << 20);
  const plan::Member a{"src", "a", "", "\"ea\"", 5, 0};
  const plan::Member b{"src", "b", "", "\"eb\"", 5, 0};
  const auto offset = cache.spool().append("hdr..AAAAA");
  ASSERT_TRUE(offset);
  cache.keep_spooled(a, 0, 5, *offset + 5);
  cache.keep_spooled(b, 0, 5, *offset + 100);  // not in the file: read from S3 again
  EXPECT_EQ(cache.take(a, 0, 5).value(), "AAAAA");
  EXPECT_FALSE(cache.take(a, 0, 5)) << "taken once";
  EXPECT_FALSE(cache.take(b, 0, 5));
  EXPECT_EQ(cache.reused(), 1u);
  // A spooled range asked for in pieces: each read back at its place in the file.
  const plan::Member c{"src", "c", "", "\"ec\"", 8, 0};
  const auto at = cache.spool().append("hdr..ABCDEFGH");
  ASSERT_TRUE(at);
  cache.keep_spooled(c, 0, 8, *at + 5);
  cache.keep_spooled(c, 2, 3, *at + 7);  // inside the range kept: not kept twice
  EXPECT_EQ(cache.take(c, 2, 3).value(), "CDE");
  EXPECT_EQ(cache.take(c, 5, 3).value(), "FGH");
  EXPECT_TRUE(cache.holds(c, 0, 2));
  EXPECT_EQ(cache.take(c, 0, 2).value(), "AB");
  EXPECT_FALSE(cache.holds(c, 0, 1)) << "let go once all of it was taken";
  EXPECT_EQ(cache.reused(), 2u);
  ::unsetenv("TMPDIR");
}

}  // namespace
}  // namespace s3tar::exec
