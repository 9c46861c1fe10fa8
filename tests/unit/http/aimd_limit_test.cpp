#include "s3tar/s3/http/aimd_limit.h"

#include <gtest/gtest.h>

namespace s3tar::s3 {
namespace {

TEST(AimdLimit, StartsAtTheMaximum) {
  AimdLimit l(64);
  EXPECT_EQ(l.limit(), 64u);
  EXPECT_EQ(l.max(), 64u);
  EXPECT_FALSE(l.on_answered());  // already at the top: nothing to recover
  EXPECT_EQ(l.limit(), 64u);
}

TEST(AimdLimit, ZeroMeansOne) {
  AimdLimit l(0);
  EXPECT_EQ(l.limit(), 1u);
  EXPECT_TRUE(l.on_throttled(l.window()));
  EXPECT_EQ(l.limit(), 1u);
}

TEST(AimdLimit, HalvesOncePerWindow) {
  AimdLimit l(64);
  const auto w = l.window();
  // 64 requests sent at the old rate are all throttled: one decrease, not 64.
  EXPECT_TRUE(l.on_throttled(w));
  for (int i = 0; i < 63; ++i) EXPECT_FALSE(l.on_throttled(w));
  EXPECT_EQ(l.limit(), 32u);
  // A request sent after the decrease and throttled too: halve again.
  EXPECT_TRUE(l.on_throttled(l.window()));
  EXPECT_EQ(l.limit(), 16u);
}

TEST(AimdLimit, NeverBelowTheMinimum) {
  AimdLimit l(64, 4);
  for (int i = 0; i < 10; ++i) l.on_throttled(l.window());
  EXPECT_EQ(l.limit(), 4u);
  AimdLimit one(8);
  for (int i = 0; i < 10; ++i) one.on_throttled(one.window());
  EXPECT_EQ(one.limit(), 1u);
}

TEST(AimdLimit, GrowsByAboutOnePerLimitAnswers) {
  AimdLimit l(64);
  l.on_throttled(l.window());
  l.on_throttled(l.window());
  ASSERT_EQ(l.limit(), 16u);
  // Each answer adds 1/limit: a round trip of 16 answers at a limit of 16 adds just under one
  // request in flight (the limit grows as they come), the 17th makes it one.
  for (int i = 0; i < 16; ++i) l.on_answered();
  EXPECT_EQ(l.limit(), 16u);
  l.on_answered();
  EXPECT_EQ(l.limit(), 17u);
  int answers = 17;
  while (!l.on_answered()) ++answers;
  EXPECT_EQ(l.limit(), 64u);
  // From 16 back to 64: about the sum of 16..63 answers.
  EXPECT_GT(answers, 1800);
  EXPECT_LT(answers, 2100);
  EXPECT_FALSE(l.on_answered());
}

// A server that throttles whenever more than `capacity` requests are in flight: the limit
// settles near the capacity (a sawtooth between about half of it and just above it), and the
// throttled share of the requests stays small.
TEST(AimdLimit, SettlesUnderAServersCapacity) {
  const std::size_t capacity = 20;
  AimdLimit l(128);
  int throttled = 0, answered = 0, rounds = 0;
  std::size_t highest_late = 0, lowest_late = 1000;
  for (; rounds < 400; ++rounds) {
    // One round trip: the limit's worth of requests sent; those over the capacity throttled.
    const std::size_t sent = l.limit();
    const auto w = l.window();
    for (std::size_t i = 0; i < sent; ++i) {
      if (i >= capacity) {
        l.on_throttled(w);
        ++throttled;
      } else {
        l.on_answered();
        ++answered;
      }
    }
    if (rounds >= 200) {
      highest_late = std::max(highest_late, sent);
      lowest_late = std::min(lowest_late, sent);
    }
  }
  EXPECT_LE(highest_late, capacity + 1);
  EXPECT_GE(lowest_late, capacity / 2);
  EXPECT_LT(throttled, answered / 20);
}

}  // namespace
}  // namespace s3tar::s3
