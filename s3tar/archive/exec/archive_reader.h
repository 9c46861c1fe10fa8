// Reading tar archives that live in S3 without downloading them: the toc.csv first member
// with one or two ranged GETs, or, for tars without one, the headers via libarchive over a
// reader that fetches blocks with ranged GETs and skips member data without reading it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "s3tar/archive/tar/header_scan.h"
#include "s3tar/archive/tar/toc.h"
#include "s3tar/s3/client.h"

namespace s3tar::exec {

using tar::ArchiveMember;

// Reads toc.csv when it is the archive's first member; nullopt when the archive has none.
// Throws s3::S3Error (e.g. InvalidObjectState for an archive in GLACIER/DEEP_ARCHIVE), and
// BadInputError for a toc.csv that is malformed or claims more bytes than the archive holds.
std::optional<std::vector<tar::TocEntry>> read_toc(s3::S3Client& client, const s3::ObjectRef& archive);

// Walks every header of the archive (GNU, ustar, PAX; what libarchive reads). Each header costs
// a ranged GET of one block-cache chunk at most; member data is skipped. A file that is not a
// readable tar is a BadInputError.
std::vector<ArchiveMember> scan_archive(s3::S3Client& client, const s3::ObjectRef& archive,
                                        uint64_t archive_size);

// The sidecar index (<key>.index.json) as TOC entries; nullopt when there is none;
// BadInputError when it is malformed or describes another version of the archive.
std::optional<std::vector<tar::TocEntry>> read_index_sidecar(s3::S3Client& client,
                                                             const s3::ObjectRef& archive);

// The archive's index: external TOC if given (local path or s3://), else toc.csv, else the
// sidecar when the archive itself is not readable (archived class), else a header scan.
struct ArchiveIndex {
  std::vector<tar::TocEntry> entries;
  std::string source;  // "toc.csv", "index sidecar", "external TOC", "header scan"
};
ArchiveIndex load_index(s3::S3Client& client, const s3::ObjectRef& archive,
                        const std::string& external_toc_bytes);

// Every member of an index must lie inside the archive: an index that says otherwise (damaged,
// hostile, or of another archive) is a BadInputError naming its first bad row, before any
// request is made for its members.
void check_index(const std::vector<tar::TocEntry>& entries, uint64_t archive_size, const std::string& where);

}  // namespace s3tar::exec
