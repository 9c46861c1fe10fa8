// Planning the one rewrite of a volume after some of its sources turned out unreadable: which
// members are left out, which are kept without reading their source again, and which parts the
// upload the first attempt left open keeps (plan/reuse.h).
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <vector>

#include "s3tar/archive/exec/archive_writer.h"
#include "s3tar/archive/exec/executor.h"
#include "s3tar/archive/exec/source_cache.h"
#include "s3tar/archive/exec/source_problem.h"
#include "s3tar/archive/plan/plan.h"
#include "s3tar/s3/client.h"

namespace s3tar::exec {

// Indexes of the members of `v` whose every byte is in hand: each copy part of theirs held
// (`copy_held`: stored in the open upload, or Part::reused in a rewrite's plan), every other
// byte of theirs held (`bytes_held`: the source cache). A member with no bytes (an empty
// object) is not in hand. Pure.
using CopyHeldFn = std::function<bool(const plan::Part&)>;
using BytesHeldFn = std::function<bool(const plan::Member&, std::uint64_t offset, std::uint64_t length)>;
std::vector<std::size_t> members_in_hand(const plan::Volume& v, const CopyHeldFn& copy_held,
                                         const BytesHeldFn& bytes_held);

// The unreadable sources among `members` (source_probe.h), logged at --debug for `archive`.
std::vector<SourceProblem> probe_members(s3::S3Client& client, std::span<const plan::Member> members,
                                         bool exhaustive, const std::string& archive);

// Leaves the unreadable sources out of a volume (logged and added to `skipped`) and plans it
// again under the same key: the same order, one volume. Returns false when nothing is left.
bool replan_without(plan::Volume& volume, const std::vector<SourceProblem>& problems,
                    const WriteRequest& request, std::vector<SourceProblem>& skipped);

// After sources turned unreadable during the write (`problems`): finds all of them now, so that
// one rewrite is enough whatever their number, and plans the volume again without them, keeping
// the copy parts `open` holds (or, when none can be kept, for a new upload: the open one is
// aborted).
//
// Members whose bytes are all in hand are not probed and stay in the archive even if their
// source has gone since: every copy part of theirs is stored in `open`, every other byte of
// theirs is in `cache` (read pinned to their ETag by the failed attempt). The archive is then
// what it would have been had the write not failed. Should the new cut of the volume need a
// read of such a member after all (a copy part it could not keep), that member is probed then,
// and left out too if it has gone. (Bytes in the spool that cannot be read back are read from S3
// instead: if that source has gone, the rewrite fails as any second failure does.) Returns false
// when nothing is left to write.
bool rewrite_plan(s3::S3Client& client, plan::Volume& volume, std::vector<SourceProblem> problems,
                  const WriteRequest& request, OpenUpload& open, const SourceCache& cache,
                  const std::string& archive, std::vector<SourceProblem>& skipped);

}  // namespace s3tar::exec
