// The daily job's decisions, as pure functions: from the day's plan, this shard, and what the
// destination holds before the run, to the actions the run takes (decide); from those actions
// and what applying them gave, to the reports' rows and the exit code (conclude). No I/O: the
// apply step (apply.h) does the requests through a DailyStore.
//
// Several volumes in flight (a later change) only changes how apply() walks `write_new` and
// `overwrite`: the actions are independent per volume. A per-day catalog can be built from the
// same Actions + Applied that conclude() reads.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "inventory/reader.h"
#include "s3tar/archive/exec/executor.h"
#include "s3tar/archive/plan/plan.h"
#include "s3tar/s3/client.h"
#include "scheduler/naming.h"
#include "scheduler/report.h"
#include "scheduler/state.h"

namespace s3tar::scheduler {

// What the destination holds for this shard's volumes before the run (the probes).
struct Destination {
  std::map<std::size_t, VolumeProbe> probes;                      // by volume index
  std::map<std::size_t, std::vector<SidecarMember>> sidecars;     // volumes with a sidecar
  std::map<std::size_t, std::vector<exec::SourceProblem>> skips;  // skip records of earlier attempts
  std::vector<s3::UploadInfo> open_uploads;                       // for this shard's keys
};

// A source object to tag after the run, exactly as archived.
struct TagTarget {
  std::string bucket, key, version_id, etag;
};

// What the config says about objects the inventory lists in an archival storage class.
struct Policy {
  bool archived_class_is_skip = false;  // count them as skipped (exit 6) instead of archived
  bool report_archived_class = true;    // shard 0 reports them (they are the whole job's)
};

struct Actions {
  std::vector<std::size_t> owned;      // this shard's volumes, in plan order
  std::vector<std::size_t> complete;   // archive + matching sidecar: leave alone
  std::vector<std::size_t> write_new;  // nothing there: write with If-None-Match
  std::vector<std::size_t> overwrite;  // an archive without its sidecar (a run died): rewrite
  std::map<std::size_t, VolumeState> states;
  // Uploads open before this run. Aborted only after the writes, and only those whose key is
  // complete by then (stale_uploads): see the comment there for why not at the start.
  std::vector<s3::UploadInfo> open_before;
  std::vector<NotArchivedRow> earlier_skips;     // left out of complete volumes by earlier attempts
  std::vector<NotArchivedRow> already_archived;  // archival class in the inventory
  std::vector<TagTarget> tag_complete;           // members of complete volumes
};

Actions decide(const plan::Plan& plan, const Shard& shard, const Destination& destination,
               const std::vector<inventory::NotArchivable>& not_archivable, const Policy& policy);

// The rows for the sources of planned volume `planned` that a complete archive does not hold:
// with the recorded reason when a skip record names them, "unreadable" otherwise.
std::vector<NotArchivedRow> skipped_from(const plan::Volume& planned,
                                         const std::vector<SidecarMember>& archived,
                                         const std::vector<exec::SourceProblem>& recorded);

// Which uploads to abort after the writes. The sweep must never abort another live run's upload
// (a scheduler firing twice): it aborts only uploads that (1) were open before this run started
// (listed by its probe, so never an upload a concurrently started run opened after that) and (2)
// whose key holds a complete archive now, so whatever run opened them has nothing left to write
// there. A live run whose upload is aborted anyway (it was open before us and slower than us)
// finds its key complete when its write fails and counts the volume as complete (apply.cpp).
// A killed run's upload for a key no run completes stays for the next run, or for the bucket's
// AbortIncompleteMultipartUpload lifecycle rule.
std::vector<s3::UploadInfo> stale_uploads(const std::vector<s3::UploadInfo>& open_before,
                                          const std::set<std::string>& complete_keys);

// One volume written by this run.
struct WrittenVolume {
  std::size_t index = 0;
  exec::VolumeResult result;
  std::uint64_t bytes = 0;  // sum of the archived members' sizes
  bool overwrote = false;
  std::vector<TagTarget> members;  // as archived
};

// A volume another run completed while this one was writing it.
struct CompletedElsewhere {
  std::size_t index = 0;
  std::vector<SidecarMember> members;
  std::vector<NotArchivedRow> skipped;
  VolumeProbe probe;
};

// What applying the actions gave.
struct Applied {
  std::vector<WrittenVolume> written;
  std::vector<std::size_t> all_skipped;  // volumes whose every source was unreadable
  std::vector<exec::SourceProblem> skipped;
  std::vector<CompletedElsewhere> completed_elsewhere;
  std::size_t stale_aborted = 0;
  std::uint64_t tagged = 0, tag_failures = 0;
};

// The rows of not-archived.csv, the counts of the report, and the exit code.
struct Conclusion {
  std::vector<NotArchivedRow> rows;  // skipped (this attempt and earlier ones), then already archived
  std::uint64_t skipped_objects = 0, skipped_bytes = 0;
  std::map<std::string, std::uint64_t> skipped_by_reason;
  std::uint64_t already_archived_objects = 0, already_archived_bytes = 0;
  std::uint64_t archived_objects = 0, archived_bytes = 0;
  // Nothing was written and every volume was complete: the run that completed the day wrote the
  // reports; this one keeps them, and returns the code that run returned (same rows, same code).
  bool rerun_of_complete_day = false;
  int exit_code = 0;
};

Conclusion conclude(const plan::Plan& plan, const Actions& actions, const Applied& applied,
                    const Destination& destination, const Policy& policy);

// An archive the shard's catalog part lists, with the ETag the run knows it by.
struct CatalogArchive {
  std::size_t index = 0;
  std::string key;
  std::string etag;
  bool operator==(const CatalogArchive&) const = default;
};

// The catalog step: every volume of this shard that holds a complete archive after the run
// (complete before it, written by it, or completed by another run), in plan order. A volume whose
// every source was unreadable has no archive and no rows. The same archives give the same list
// on every run of the day, so a re-run rewrites the same catalog part.
std::vector<CatalogArchive> catalog_archives(const plan::Plan& plan, const Actions& actions,
                                             const Applied& applied, const Destination& destination);

}  // namespace s3tar::scheduler
