// The source bytes that a failed attempt at a volume had already read, kept for the volume's
// one rewrite so that it does not read them again.
//
// When sources turn unreadable during a write, the volume is planned again without them and
// written once more. Without this, every source the failed attempt had read is read twice
// (requests and bytes). Only what the failed attempt held in memory anyway goes in (the parts
// it had assembled, and the uploaded parts still kept in their memory slots: part_uploader.h),
// as byte ranges of members. The rewrite lets a range go once it has taken all of it; ranges it
// does not use whole (members left out, pieces cut differently) stay until the volume is done:
// memory stays within twice the parts-in-memory bound during a rewrite. Uploaded parts pushed
// out of memory went to the cache's spool (spool.h): their sources are kept as places in that
// file, read back when the rewrite takes them (from S3 again if that read fails).
// Thread-safe: the parts of a volume are assembled on several threads.
#pragma once

#include <cstddef>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <variant>
#include <vector>

#include "s3tar/archive/exec/spool.h"
#include "s3tar/archive/plan/plan.h"

namespace s3tar::exec {

class SourceCache {
 public:
  // `spool_limit`: bytes of parts pushed out of memory kept on local disk (0: none).
  // `spool_dir` empty: $TMPDIR, else /tmp.
  explicit SourceCache(std::uint64_t spool_limit = 0, std::string spool_dir = {})
      : spool_(spool_limit, std::move(spool_dir)) {}

  // Keeps bytes [offset, offset + bytes.size()) of the body of `m`, as read pinned to its ETag
  // and version (a whole small member, or a piece of one, or the ranged-GET head of a large one).
  void keep(const plan::Member& m, std::uint64_t offset, std::string_view bytes);
  // The same for `length` bytes at `spool_offset` in the spool.
  void keep_spooled(const plan::Member& m, std::uint64_t offset, std::uint64_t length,
                    std::uint64_t spool_offset);
  // Bytes [offset, offset + length) of `m`'s body if a failed attempt read them (all within one
  // kept range). A kept range is let go once as many of its bytes were taken as it holds.
  std::optional<std::string> take(const plan::Member& m, std::uint64_t offset, std::uint64_t length);
  // Whether take() would find those bytes (unless the spool cannot read them back).
  bool holds(const plan::Member& m, std::uint64_t offset, std::uint64_t length) const;
  Spool& spool() { return spool_; }
  // Kept ranges used again whole (a whole small member's body, a large member's head).
  size_t reused() const;

 private:
  static std::string id(const plan::Member& m);

  struct Spooled {
    std::uint64_t offset = 0;
  };
  struct Range {
    std::uint64_t offset = 0, length = 0, taken = 0;
    std::variant<std::string, Spooled> bytes;
  };
  void keep_range(const plan::Member& m, Range range);

  Spool spool_;
  mutable std::mutex mu_;
  std::unordered_map<std::string, std::vector<Range>> ranges_;  // by id(m)
  size_t reused_ = 0;
};

}  // namespace s3tar::exec
