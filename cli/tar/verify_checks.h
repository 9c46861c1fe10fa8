// The decisions of `s3tar verify`, kept apart from its requests so that they are tested without
// a server: what is wrong with an archive's structure, its toc.csv, its index sidecar and its
// members' sources, given what was read.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "s3tar/archive/tar/header_scan.h"
#include "s3tar/archive/tar/toc.h"
#include "s3tar/s3/types.h"

namespace s3tar::cli {

// Where the last member's data and padding end; the two end-of-archive blocks follow it.
std::uint64_t end_of_members(const std::vector<tar::ArchiveMember>& members);

// An archive of `archive_size` bytes is whole when its two end-of-archive blocks fit after the
// last member.
bool structure_ok(const std::vector<tar::ArchiveMember>& members, std::uint64_t archive_size);
std::vector<std::string> structure_problems(const std::vector<tar::ArchiveMember>& members,
                                            std::uint64_t archive_size);

// toc.csv against the headers: members[0] is toc.csv itself, so row i describes members[i + 1].
std::vector<std::string> toc_problems(const std::vector<tar::TocEntry>& toc,
                                      const std::vector<tar::ArchiveMember>& members,
                                      std::uint64_t archive_size);

// A member's source as the index sidecar recorded it.
struct VerifySource {
  std::string bucket, key, version_id, etag;
  std::uint64_t size = 0;
};

// The sources listed by an index sidecar's body; BadInputError naming `sidecar` when the body
// is not an s3tar index.
std::vector<VerifySource> parse_index_sources(const std::string& body, const std::string& sidecar);

// What differs between a source as recorded and as it is now (size, then ETag).
std::vector<std::string> source_problems(const VerifySource& recorded, const s3::ObjectInfo& now);

}  // namespace s3tar::cli
