// Plans and writes archives from a member list: shared by `s3tar -c` and the daily job
// (scheduler/), which is why it lives here and not with the commands.
#pragma once

#include <atomic>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "s3tar/archive/exec/executor.h"
#include "s3tar/archive/plan/plan.h"
#include "s3tar/s3/client.h"

namespace s3tar::exec {

struct WriteRequest {
  std::string bucket;  // destination bucket
  plan::Options plan;  // archive_key, limits, format, size_limit
  exec::ExecOptions exec;
  bool skip_unreadable = false;
  bool dry_run = false;
  // Volumes (by index in the plan) to leave alone, e.g. already complete or another shard's.
  std::function<bool(size_t index, const plan::Volume&)> skip_volume;
  // Called after each volume is written and verified, with the volume as written (without the
  // sources skip_unreadable left out).
  std::function<void(size_t index, const plan::Volume&, const VolumeResult&)> on_written;
  // Fields added to a volume's index sidecar (e.g. the volume set it belongs to).
  std::function<nlohmann::json(size_t index, const plan::Volume&)> index_extras;
};

struct WriteOutcome {
  plan::Plan plan;
  std::vector<VolumeResult> written;
  std::vector<SourceProblem> skipped;  // sources left out (with --skip-unreadable)
};

// Requests sent by operation ({"GetObject": n, ...}, every attempt counted) and their total.
nlohmann::json request_counts(const s3::RequestCounters& counters, uint64_t& total);

// Writes every volume. Before writing a volume, its sources are probed (source_probe.h) for
// objects that changed or vanished since they were listed. Without skip_unreadable, any such
// source is a SourceError naming them all, and nothing of the volume is written. With it, the
// volume is planned again without them (same key); when a source turns unreadable during the
// write anyway, the write stops, every unreadable member of the volume is found at once (pinned
// HEADs), and the volume is rewritten once: in the same upload, keeping the copy parts it holds
// (plan/reuse.h), or in a new one when there are none; members whose bytes the failed attempt
// already holds stay in it without a read (volume_rewrite.h). A second failure aborts the upload
// and is a TransientError (the sources keep changing: run again).
WriteOutcome write_archives(s3::S3Client& client, std::vector<plan::Member> members,
                            const WriteRequest& request, const std::atomic<bool>& stop);

// The same for a plan made by the caller (e.g. with volume keys assigned after planning).
WriteOutcome write_plan(s3::S3Client& client, plan::Plan plan, const WriteRequest& request,
                        const std::atomic<bool>& stop);

// Human-readable plan summary for --dry-run: volumes, parts, requests by kind, bytes, cost,
// and what archiving the objects one at a time would cost instead.
std::string describe_plan(const plan::Plan& plan, const std::string& bucket,
                          const std::string& storage_class);

}  // namespace s3tar::exec
