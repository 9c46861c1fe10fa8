// `s3tar restore`, the decisions: for each archive holding a wanted member, from what HEAD says
// (storage class, x-amz-restore, ETag) and the record of an earlier request, whether its bytes
// can be read now, a restore must be requested, or one is running. Pure: the command does the
// requests (cli/restore/).
//
// A restore is per object: restoring one member restores its whole archive. When s3tar requests
// one it records when, next to the archive (`<archive>.restore.json`, STANDARD), because S3 does
// not say since when a restore runs.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "catalog/find.h"
#include "s3tar/archive/tar/toc.h"
#include "s3tar/s3/restore.h"

namespace s3tar::catalog {

// One archive and the members wanted from it.
struct ArchiveRequest {
  std::string bucket, key;
  std::string expected_etag;  // the ETag the catalog or sidecar was written for ("" = unknown)
  std::vector<tar::TocEntry> members;
};

// The archives to restore for find's matches (newest day first): each key's newest copy (per
// bucket, key and version), its members grouped by archive in the order first seen. `older`
// counts the copies left out.
std::vector<ArchiveRequest> newest_copies(const std::vector<Match>& matches, std::size_t* older = nullptr);

// What HEAD said of the archive.
struct ArchiveHead {
  bool exists = true;
  std::string etag, storage_class, archive_status, restore;  // restore = x-amz-restore
  std::uint64_t size = 0;
};

// `<archive>.restore.json`: when s3tar asked for a restore, and how.
struct RestoreRecord {
  std::int64_t requested_at = 0;  // unix seconds
  std::string tier;
  int days = 0;
};
std::string restore_record_key(const std::string& archive_key);
std::string render_restore_record(const RestoreRecord& record);
// nullopt when the text is not a record (a record is advice: a bad one is ignored).
std::optional<RestoreRecord> parse_restore_record(std::string_view text);

enum class Step {
  kReady,    // readable: a class that needs no restore, or a restored copy that has not expired
  kRequest,  // archived, no restored copy: request a restore
  kWaiting,  // a restore is running
};

struct ArchiveStep {
  ArchiveRequest request;
  ArchiveHead head;
  s3::ArchiveAccess access = s3::ArchiveAccess::kReadable;
  s3::RestoreStatus status;
  Step step = Step::kReady;
  std::optional<RestoreRecord> record;
  bool expired = false;  // kRequest after an earlier restore's copy expired
};

// What an archive's state means at `now`, whatever tier would be asked (for `find`).
ArchiveStep assess(const ArchiveRequest& request, const ArchiveHead& head,
                   const std::optional<RestoreRecord>& record, std::int64_t now);

// Decides each archive's step at `now`. heads and records are parallel to requests. Throws
// UsageError when `tier` is not offered by an archive's class (Expedited on Deep Archive), and
// BadInputError when an archive is gone or was overwritten since it was catalogued (its
// offsets no longer hold).
std::vector<ArchiveStep> plan_restore(const std::vector<ArchiveRequest>& requests,
                                      const std::vector<ArchiveHead>& heads,
                                      const std::vector<std::optional<RestoreRecord>>& records,
                                      s3::RestoreTier tier, std::int64_t now);

// "restore in progress (Bulk, requested 2025-11-21T10:00:00Z)", "restored until ...", "none", ...
std::string describe_state(const ArchiveStep& step);

}  // namespace s3tar::catalog
