// The byte counts people read (progress lines, the archive summary): one formatter for both.
#include <gtest/gtest.h>

#include <cstdint>

#include "s3tar/log/log.h"

namespace s3tar::log {
namespace {

TEST(HumanBytes, WholeBytesThenOneDecimalInBinaryUnits) {
  EXPECT_EQ(human_bytes(std::uint64_t{0}), "0 B");
  EXPECT_EQ(human_bytes(std::uint64_t{1023}), "1023 B");
  EXPECT_EQ(human_bytes(std::uint64_t{1024}), "1.0 KiB");
  EXPECT_EQ(human_bytes(std::uint64_t{1536}), "1.5 KiB");
  EXPECT_EQ(human_bytes(std::uint64_t{5} << 20), "5.0 MiB");
  EXPECT_EQ(human_bytes(std::uint64_t{3} << 30), "3.0 GiB");
  EXPECT_EQ(human_bytes(std::uint64_t{2048} << 40), "2048.0 TiB");  // no unit above TiB
}

TEST(HumanBytes, RatesRoundToWholeBytes) {
  EXPECT_EQ(human_bytes(12.4), "12 B");
  EXPECT_EQ(human_bytes(1023.4), "1023 B");
  EXPECT_EQ(human_bytes(1024.0 * 1024 * 2.25), "2.2 MiB");  // 2.25 rounds to even, as printf does
}

}  // namespace
}  // namespace s3tar::log
