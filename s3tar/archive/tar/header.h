// Tar member headers, produced by libarchive so that every reader agrees on them.
#pragma once

#include <cstdint>
#include <string>

namespace s3tar::tar {

inline constexpr std::uint64_t kBlockSize = 512;
// Two zero blocks end a tar archive.
inline constexpr std::uint64_t kEndOfArchiveSize = 2 * kBlockSize;

enum class Format {
  Pax,  // pax_restricted: plain ustar when the entry fits, PAX records only when needed
  Gnu,  // gnutar: ././@LongLink for long names, base-256 numbers for big values
};

// What goes into a header. uid/gid are 0 and uname/gname empty; no atime/ctime.
struct MemberHeaderInfo {
  std::string name;        // already escaped (see member_name_for_key)
  std::uint64_t size = 0;  // data bytes
  std::int64_t mtime = 0;  // unix seconds (the object's LastModified)
  std::uint32_t mode = 0644;
};

// The exact bytes libarchive writes before the member's data (including any PAX extended header
// or GNU long-name entry). Deterministic: no wall clock, no pid, independent of the process locale.
std::string make_header(const MemberHeaderInfo& info, Format format);

// make_header(info, format).size(), computed without keeping the bytes (fast for plain headers).
std::uint64_t header_size(const MemberHeaderInfo& info, Format format);

// Zero bytes after `data_size` bytes of data up to the next 512-byte boundary.
constexpr std::uint64_t padding_size(std::uint64_t data_size) {
  return (kBlockSize - data_size % kBlockSize) % kBlockSize;
}

}  // namespace s3tar::tar
