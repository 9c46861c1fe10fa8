// The arithmetic of progress reports, without clock or output: what has been done, when the
// next report is due, and the final summary's figures. Progress (log.h) draws them.
#pragma once

#include <cstdint>
#include <string>

namespace s3tar::log {

// Figures at one moment; bytes and objects never exceed their totals (work read again after a
// retry is not counted twice in what is shown).
struct ProgressFigures {
  std::uint64_t objects = 0, objects_total = 0;
  std::uint64_t bytes = 0, bytes_total = 0;
  double elapsed_seconds = 0;
  double bytes_per_second = 0;
  double eta_seconds = 0;
  double fraction = 0;  // of the bytes (of the objects when there are no bytes to do)
};

class ProgressCount {
 public:
  // `interval`: seconds between reports; the first add reports at once.
  ProgressCount(std::uint64_t total_objects, std::uint64_t total_bytes, double start, double interval);
  // Records work done at time `now` (seconds, same clock as start). True when a report is due.
  bool add(std::uint64_t objects, std::uint64_t bytes, double now);
  ProgressFigures figures(double now) const;

 private:
  std::uint64_t total_objects_, total_bytes_;
  std::uint64_t objects_ = 0, bytes_ = 0;
  double start_, interval_;
  double last_report_ = 0;
  bool reported_ = false;
};

// Bytes a transfer has delivered, as its sink is called with (offset, length): a retry starts
// again at offset 0, so only bytes past the furthest end seen are new. Not thread-safe: one
// transfer's sink calls it.
class TransferBytes {
 public:
  // The bytes new since the last call (0 for bytes a retry delivers again).
  std::uint64_t advance(std::uint64_t end) {
    if (end <= seen_) return 0;
    const std::uint64_t fresh = end - seen_;
    seen_ = end;
    return fresh;
  }
  std::uint64_t seen() const { return seen_; }

 private:
  std::uint64_t seen_ = 0;
};

// "label: 3/3 objects, 1.5 MiB in 2.0 s (768.0 KiB/s)": the last line of a transfer.
std::string summary_text(const std::string& label, const ProgressFigures& f);

}  // namespace s3tar::log
