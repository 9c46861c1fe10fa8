// The bytes of whole sources that a failed attempt at a volume had already read, kept for the
// volume's one rewrite so that it does not read them again.
//
// When sources turn unreadable during a write, the volume is planned again without them and
// written once more. Without this, every source the failed attempt had read is read twice
// (requests and bytes). Only what the failed attempt held in memory anyway goes in (the parts
// it had assembled, and the uploaded parts still kept in their memory slots: part_uploader.h),
// and the rewrite takes each entry out as it uses it: memory stays within the parts-in-memory
// bound, briefly twice it while the rewrite's first parts are assembled.
// Thread-safe: the parts of a volume are assembled on several threads.
#pragma once

#include <cstddef>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "s3tar/archive/plan/plan.h"

namespace s3tar::exec {

class SourceCache {
 public:
  // Keeps the whole body of `m` (its bytes, as read pinned to its ETag and version).
  void keep(const plan::Member& m, std::string_view bytes);
  // The body of `m` if a failed attempt read it; it is then no longer kept.
  std::optional<std::string> take(const plan::Member& m);
  size_t reused() const;

 private:
  static std::string id(const plan::Member& m);

  mutable std::mutex mu_;
  std::unordered_map<std::string, std::string> bodies_;
  size_t reused_ = 0;
};

}  // namespace s3tar::exec
