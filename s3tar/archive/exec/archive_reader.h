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
// Throws s3::S3Error (e.g. InvalidObjectState for an archive in GLACIER/DEEP_ARCHIVE).
std::optional<std::vector<tar::TocEntry>> read_toc(s3::S3Client& client, const s3::ObjectRef& archive);

// Walks every header of the archive (GNU, ustar, PAX; what libarchive reads). Each header costs
// a ranged GET of one block-cache chunk at most; member data is skipped.
std::vector<ArchiveMember> scan_archive(s3::S3Client& client, const s3::ObjectRef& archive,
                                        uint64_t archive_size);

// The sidecar index (<key>.index.json) as TOC entries; nullopt when there is none.
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

}  // namespace s3tar::exec
