// The members' block arena: alignment, blocks that do not overlap over many chunks, blocks that
// outlive the thread that carved them, and blocks released on other threads.
#include "s3tar/archive/plan/block_arena.h"

#include <gtest/gtest.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <random>
#include <thread>
#include <vector>

#include "s3tar/archive/plan/member.h"

namespace s3tar::plan {
namespace {

struct Block {
  unsigned char* p;
  std::size_t n;
  unsigned char fill;
};

Block carve(std::size_t n, unsigned char fill) {
  auto* p = static_cast<unsigned char*>(block_arena::allocate(n));
  std::memset(p, fill, n);
  return {p, n, fill};
}

bool intact(const Block& b) {
  return std::all_of(b.p, b.p + b.n, [&](unsigned char c) { return c == b.fill; });
}

TEST(BlockArena, BlocksAreAlignedAndDoNotOverlapAcrossManyChunks) {
  std::vector<Block> blocks;
  std::size_t total = 0;
  for (std::size_t i = 0; total < 5 * block_arena::kChunkBytes; ++i) {
    const std::size_t n = 1 + i % 200;
    blocks.push_back(carve(n, static_cast<unsigned char>(i)));
    total += n;
    EXPECT_EQ(reinterpret_cast<std::uintptr_t>(blocks.back().p) % block_arena::kAlignment, 0u) << n;
  }
  for (const Block& b : blocks) ASSERT_TRUE(intact(b));
  std::shuffle(blocks.begin(), blocks.end(), std::mt19937(7));
  for (std::size_t i = 0; i < blocks.size(); ++i) {
    if (i % 1000 == 0) {
      ASSERT_TRUE(intact(blocks.back()));  // the rest stays while some go
    }
    block_arena::release(blocks[i].p);
  }
}

TEST(BlockArena, ABlockBiggerThanCarvedOnesGetsAChunkOfItsOwn) {
  const Block small = carve(100, 1);
  const Block big = carve(3 * block_arena::kChunkBytes / 2, 2);  // more than a chunk
  const Block after = carve(100, 3);
  EXPECT_EQ(reinterpret_cast<std::uintptr_t>(big.p) % block_arena::kAlignment, 0u);
  EXPECT_TRUE(intact(small));
  EXPECT_TRUE(intact(big));
  EXPECT_TRUE(intact(after));
  for (const Block& b : {small, big, after}) block_arena::release(b.p);
}

TEST(BlockArena, BlocksOutliveTheirThreadAndAreReleasedOnAnother) {
  std::vector<Block> blocks;
  std::thread carver([&] {
    for (int i = 0; i < 20000; ++i) blocks.push_back(carve(120, static_cast<unsigned char>(i)));
  });
  carver.join();  // its chunks now live as long as their blocks
  for (const Block& b : blocks) ASSERT_TRUE(intact(b));
  std::thread releaser([&] {
    for (const Block& b : blocks) block_arena::release(b.p);
  });
  releaser.join();
}

// Pages of [from, to) that are in memory.
std::size_t resident_pages(const unsigned char* from, const unsigned char* to) {
  const auto page = static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
  std::vector<unsigned char> in_core((static_cast<std::size_t>(to - from) + page - 1) / page);
  EXPECT_EQ(::mincore(const_cast<unsigned char*>(from), static_cast<std::size_t>(to - from), in_core.data()),
            0);
  return static_cast<std::size_t>(
      std::count_if(in_core.begin(), in_core.end(), [](unsigned char c) { return c & 1; }));
}

TEST(BlockArena, AThreadsLastChunkKeepsOnlyThePagesItCarved) {
  // New chunks are mapped whole ahead of their blocks; a worker's last chunk outlives it with
  // its blocks, and must not keep the pages it never carved.
  Block block{};
  std::thread carver([&] { block = carve(120, 7); });
  carver.join();
  const auto* chunk = reinterpret_cast<const unsigned char*>(reinterpret_cast<std::uintptr_t>(block.p) &
                                                             ~(block_arena::kChunkBytes - 1));
  const auto page = static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
  const auto* carved_end = reinterpret_cast<const unsigned char*>(
      (reinterpret_cast<std::uintptr_t>(block.p + block.n) + page - 1) / page * page);
  EXPECT_TRUE(intact(block));
  EXPECT_EQ(resident_pages(carved_end, chunk + block_arena::kChunkBytes), 0u);
  block_arena::release(block.p);
}

TEST(BlockArena, ThreadsCarveAndReleaseEachOthersBlocksAtOnce) {
  constexpr int kThreads = 4, kBlocks = 30000;
  std::vector<std::vector<Block>> made(kThreads);
  std::vector<std::thread> pool;
  for (int t = 0; t < kThreads; ++t)
    pool.emplace_back([&, t] {
      for (int i = 0; i < kBlocks; ++i)
        made[t].push_back(carve(8 + (i % 17) * 8, static_cast<unsigned char>(t)));
    });
  for (auto& th : pool) th.join();
  pool.clear();
  for (int t = 0; t < kThreads; ++t)
    pool.emplace_back([&, t] {
      for (const Block& b : made[(t + 1) % kThreads]) {
        EXPECT_TRUE(intact(b));
        block_arena::release(b.p);
      }
    });
  for (auto& th : pool) th.join();
}

TEST(BlockArena, MembersMadeOnAWorkerOutliveItAndCopyFreely) {
  std::vector<Member> members;
  std::thread worker([&] {
    for (int i = 0; i < 10000; ++i)
      members.emplace_back("bucket", "key/" + std::to_string(i), "v" + std::to_string(i),
                           "0123456789abcdef0123456789abcdef", static_cast<std::uint64_t>(i), i);
  });
  worker.join();
  std::vector<Member> kept;
  for (std::size_t i = 0; i < members.size(); i += 3) kept.push_back(members[i]);  // copies
  members.erase(members.begin(), members.begin() + 5000);                          // some dropped
  ASSERT_EQ(kept.size(), 3334u);
  for (std::size_t j = 0; j < kept.size(); ++j) {
    EXPECT_EQ(kept[j].key(), "key/" + std::to_string(3 * j));
    EXPECT_EQ(kept[j].mtime(), static_cast<std::int64_t>(3 * j));
  }
  EXPECT_EQ(members.front().version_id(), "v5000");
}

}  // namespace
}  // namespace s3tar::plan
