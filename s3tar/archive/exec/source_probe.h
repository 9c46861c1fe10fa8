// Finding every unreadable source of a volume at once, before writing it (or after a failed
// attempt), so that a volume is planned again at most once whatever the number of sources that
// changed or vanished since they were listed.
//
// The members' key ranges are listed (ListObjectsV2 with StartAfter, up to 1,000 keys a page,
// jumping over the keys between members) and each member compared with what is listed: ETag,
// size, storage class. A member the listing does not confirm gets a HEAD pinned like the read
// (version id, If-Match), so nothing is left out on the listing's word alone; reads stay pinned
// whatever the probe said. The listing costs about one request per 1,000 members when their
// keys are close together, and is capped at 2 + 1% of the members (sparse keys), past which
// members stay unverified unless `exhaustive` asks for pinned HEADs for them too.
#pragma once

#include <atomic>
#include <cstddef>
#include <span>
#include <string>
#include <vector>

#include "s3tar/archive/exec/source_problem.h"
#include "s3tar/archive/plan/plan.h"
#include "s3tar/s3/client.h"

namespace s3tar::exec {

struct ProbeResult {
  std::vector<SourceProblem> problems;  // in member order
  size_t list_requests = 0;
  size_t head_requests = 0;
  size_t unverified = 0;  // members neither listed nor HEAD-ed
};

ProbeResult probe_sources(s3::S3Client& client, std::span<const plan::Member> members, bool exhaustive);

// A StartAfter value for ListObjectsV2 that lists `key` (if it exists) among the next keys:
// `key` without its last UTF-8 character, so still valid UTF-8 (the few keys between the two
// are listed too, and ignored).
std::string start_after_for(const std::string& key);

}  // namespace s3tar::exec
