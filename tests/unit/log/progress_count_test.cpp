// Progress accounting: bytes and objects as work completes, when reports are due, the summary.
#include "s3tar/log/progress_count.h"

#include <gtest/gtest.h>

namespace s3tar::log {
namespace {

TEST(ProgressCount, BytesAdvanceBeforeTheObjectsAreWhole) {
  ProgressCount c(2, 1000, 100.0, 0);
  c.add(0, 300, 100.5);  // a read completed; no object is whole yet
  ProgressFigures f = c.figures(101.0);
  EXPECT_EQ(f.objects, 0u);
  EXPECT_EQ(f.bytes, 300u);
  EXPECT_DOUBLE_EQ(f.fraction, 0.3);
  EXPECT_DOUBLE_EQ(f.elapsed_seconds, 1.0);
  EXPECT_DOUBLE_EQ(f.bytes_per_second, 300.0);
  EXPECT_DOUBLE_EQ(f.eta_seconds, 700.0 / 300.0);
  c.add(2, 700, 102.0);  // the part is sent: its other bytes and its objects
  f = c.figures(102.0);
  EXPECT_EQ(f.objects, 2u);
  EXPECT_EQ(f.bytes, 1000u);
  EXPECT_DOUBLE_EQ(f.fraction, 1.0);
  EXPECT_DOUBLE_EQ(f.eta_seconds, 0.0);
}

TEST(ProgressCount, FirstAddReportsThenOncePerInterval) {
  ProgressCount c(10, 100, 0.0, 10.0);
  EXPECT_TRUE(c.add(0, 1, 0.1));
  EXPECT_FALSE(c.add(0, 1, 5.0));
  EXPECT_FALSE(c.add(0, 1, 10.09));
  EXPECT_TRUE(c.add(0, 1, 10.1));
  EXPECT_FALSE(c.add(1, 0, 19.0));
  EXPECT_EQ(c.figures(19.0).bytes, 4u);  // work is counted whether or not a report is due
  EXPECT_EQ(c.figures(19.0).objects, 1u);
}

TEST(ProgressCount, IntervalZeroReportsEveryAdd) {
  ProgressCount c(1, 10, 0.0, 0);
  for (int i = 0; i < 5; ++i) EXPECT_TRUE(c.add(0, 2, 0.0));
}

TEST(ProgressCount, NeverShowsMoreThanTheTotals) {
  ProgressCount c(1, 100, 0.0, 0);
  c.add(1, 80, 1.0);
  c.add(1, 80, 2.0);  // a part read again after a failed attempt
  const ProgressFigures f = c.figures(2.0);
  EXPECT_EQ(f.bytes, 100u);
  EXPECT_EQ(f.objects, 1u);
  EXPECT_DOUBLE_EQ(f.fraction, 1.0);
  EXPECT_DOUBLE_EQ(f.eta_seconds, 0.0);
}

TEST(ProgressCount, NoBytesToDoCountsObjects) {
  ProgressCount c(4, 0, 0.0, 0);
  c.add(1, 0, 1.0);
  EXPECT_DOUBLE_EQ(c.figures(1.0).fraction, 0.25);
}

TEST(TransferBytes, ARetryDeliversNothingNewUntilItPassesTheFurthestEnd) {
  TransferBytes t;
  EXPECT_EQ(t.advance(16384), 16384u);
  EXPECT_EQ(t.advance(32768), 16384u);
  EXPECT_EQ(t.advance(16384), 0u);  // the retry starts again at offset 0
  EXPECT_EQ(t.advance(32768), 0u);
  EXPECT_EQ(t.advance(40000), 7232u);
  EXPECT_EQ(t.seen(), 40000u);
}

TEST(ProgressSummary, GivesObjectsBytesAndElapsedTime) {
  ProgressCount c(3, 3 * 1024 * 1024, 10.0, 0);
  c.add(3, 3 * 1024 * 1024, 12.0);
  EXPECT_EQ(summary_text("s3://b/a.tar", c.figures(12.0)),
            "s3://b/a.tar: 3/3 objects, 3.0 MiB in 2.0 s (1.5 MiB/s)");
}

TEST(ProgressSummary, SaysWhatWasLeftUndone) {
  ProgressCount c(3, 2048, 0.0, 0);
  c.add(1, 1024, 4.0);
  EXPECT_EQ(summary_text("extract s3://b/a.tar", c.figures(4.0)),
            "extract s3://b/a.tar: 1/3 objects, 1.0 KiB of 2.0 KiB in 4.0 s (256 B/s)");
}

}  // namespace
}  // namespace s3tar::log
