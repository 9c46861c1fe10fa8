#include "s3tar/log/progress_count.h"

#include <algorithm>
#include <cstdio>

#include "s3tar/log/log.h"

namespace s3tar::log {

ProgressCount::ProgressCount(std::uint64_t total_objects, std::uint64_t total_bytes, double start,
                             double interval)
    : total_objects_(total_objects), total_bytes_(total_bytes), start_(start), interval_(interval) {}

bool ProgressCount::add(std::uint64_t objects, std::uint64_t bytes, double now) {
  objects_ += objects;
  bytes_ += bytes;
  if (reported_ && now - last_report_ < interval_) return false;
  reported_ = true;
  last_report_ = now;
  return true;
}

ProgressFigures ProgressCount::figures(double now) const {
  ProgressFigures f;
  f.objects_total = total_objects_;
  f.bytes_total = total_bytes_;
  f.objects = std::min(objects_, total_objects_);
  f.bytes = std::min(bytes_, total_bytes_);
  f.elapsed_seconds = std::max(0.0, now - start_);
  f.bytes_per_second = static_cast<double>(f.bytes) / std::max(1e-3, f.elapsed_seconds);
  const double remaining = static_cast<double>(total_bytes_ - f.bytes);
  f.eta_seconds = f.bytes_per_second > 0 ? remaining / f.bytes_per_second : 0;
  if (total_bytes_ > 0) {
    f.fraction = static_cast<double>(f.bytes) / static_cast<double>(total_bytes_);
  } else if (total_objects_ > 0) {
    f.fraction = static_cast<double>(f.objects) / static_cast<double>(total_objects_);
  }
  return f;
}

std::string summary_text(const std::string& label, const ProgressFigures& f) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.1f s", f.elapsed_seconds);
  std::string out = label + ": " + std::to_string(f.objects) + "/" + std::to_string(f.objects_total) +
                    " objects, " + human_bytes(f.bytes);
  if (f.bytes != f.bytes_total) out += " of " + human_bytes(f.bytes_total);
  return out + " in " + buf + " (" + human_bytes(f.bytes_per_second) + "/s)";
}

}  // namespace s3tar::log
