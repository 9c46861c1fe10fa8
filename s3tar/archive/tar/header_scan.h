// Reading tar headers without reading member data: libarchive (GNU, ustar, PAX) over a reader
// that fetches byte ranges on demand and skips member data by moving its position. The archive
// may live anywhere (S3 through ranged GETs, memory); nothing here does I/O itself.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace s3tar::tar {

struct ArchiveMember {
  std::string name;  // the member name as stored in the tar header
  std::uint64_t header_offset = 0;
  std::uint64_t data_offset = 0;
  std::uint64_t size = 0;
  bool regular = true;  // a regular file (directories, links, ... are listed but not extracted)
};

// Returns the archive's bytes [first, last] (inclusive, like an HTTP Range); fewer only at the end.
using RangeReader = std::function<std::string(std::uint64_t first, std::uint64_t last)>;

// Walks every header of an archive of `archive_size` bytes, reading at most one chunk of
// `chunk_size` bytes per header. Throws BadInputError naming `where` when the bytes are not a
// tar archive or a header is bad or a member truncated; exceptions from `read` propagate.
std::vector<ArchiveMember> scan_headers(std::uint64_t archive_size, const RangeReader& read,
                                        const std::string& where, std::uint64_t chunk_size = 1 << 20);

// Where the data of toc.csv lies when it is the first member of the archive that starts with
// `head`; nullopt when the first member is something else or `head` holds no tar header.
struct TocSpan {
  std::uint64_t data_offset = 0;
  std::uint64_t size = 0;
};
std::optional<TocSpan> find_toc(std::string_view head);

}  // namespace s3tar::tar
