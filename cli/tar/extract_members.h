// Extracting members of an archive in S3, for `-x` and `s3tar restore`: to s3:// by server-side
// ranged copy, to a local directory by ranged GET, every read pinned to the archive's ETag (a
// changed archive fails with 412 instead of yielding other bytes).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "s3tar/archive/plan/plan.h"
#include "s3tar/archive/tar/toc.h"
#include "s3tar/s3/client.h"

namespace s3tar::cli {

// A member asked for on the command line: its exact name, or a prefix of it. No filter = all.
bool member_selected(const tar::TocEntry& entry, const std::vector<std::string>& filters);

struct ExtractTarget {
  std::string destination;    // s3://bucket/prefix/ (member names appended) or a local directory
  std::string storage_class;  // of the objects written to s3:// ("" = the bucket's default)
  plan::Limits limits;        // the server's part sizes, for the copies of large members
  int verbosity = 0;
};

// Extracts `members` of `archive` (whose ETag must still be `archive_etag`) to the target, in
// windows of parallel work, with progress. A local file appears complete or not at all. Returns
// the bytes extracted. Throws UsageError for a bad destination or a name that would escape the
// directory, exec::Interrupted on a stop request, and what the client throws.
std::uint64_t extract_members(s3::S3Client& client, const s3::ObjectRef& archive,
                              const std::string& archive_etag, const std::vector<tar::TocEntry>& members,
                              const ExtractTarget& target);

}  // namespace s3tar::cli
