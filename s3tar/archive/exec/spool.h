// A local file for upload parts pushed out of memory while a volume is written, so that a
// rewrite of the volume (sources that turn unreadable late in the write) reads their sources
// from local disk instead of from S3 again.
//
// The file is created in $TMPDIR (else /tmp) and unlinked at once (O_TMPFILE where the file
// system has it, else mkstemp + unlink): nothing is left behind, even after kill -9. Its size
// is bounded by `limit` bytes; past it, or after a write error (disk full), it takes nothing
// more and says so at -v: those sources are then read from S3 again on a rewrite, and the
// archive is written all the same. Thread-safe.
#pragma once

#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

namespace s3tar::exec {

class Spool {
 public:
  // `limit` 0: the spool takes nothing. `dir` empty: $TMPDIR, else /tmp.
  explicit Spool(std::uint64_t limit, std::string dir = {});
  ~Spool();
  Spool(const Spool&) = delete;
  Spool& operator=(const Spool&) = delete;

  // Writes `bytes` at the end of the file; their offset, or nullopt when they do not fit under
  // the limit or cannot be written (then nothing more is taken).
  std::optional<std::uint64_t> append(std::string_view bytes);
  // `size` bytes at `offset`, or nullopt when they cannot be read back.
  std::optional<std::string> read(std::uint64_t offset, std::uint64_t size) const;
  // Takes nothing more from now on (what it holds can still be read).
  void seal();
  std::uint64_t used() const;

 private:
  bool open_locked();
  void give_up_locked(const std::string& why);

  mutable std::mutex mu_;
  std::uint64_t limit_;
  std::string dir_;
  int fd_ = -1;
  std::uint64_t used_ = 0;  // bytes reserved in the file
  bool closed_ = false;     // takes nothing more
};

}  // namespace s3tar::exec
