// Sending a volume's parts through its upload session: copy parts with UploadPartCopy, upload
// parts assembled in memory, a bounded number of each at a time.
#pragma once

#include <atomic>
#include <cstdint>
#include <exception>
#include <map>
#include <string>
#include <vector>

#include "s3tar/archive/exec/source_cache.h"
#include "s3tar/archive/exec/source_problem.h"
#include "s3tar/archive/plan/plan.h"
#include "s3tar/s3/client.h"
#include "s3tar/s3/upload_session.h"

namespace s3tar::exec {

struct PartsOutcome {
  std::vector<s3::CompletedPart> completed;  // every part, in order, when ok()
  std::vector<SourceProblem> problems;       // sources the parts found unreadable
  std::exception_ptr error;                  // the first other failure
  bool stopped = false;                      // a stop was requested (the upload was aborted)
  bool ok() const { return problems.empty() && !error && !stopped; }
};

struct PartConcurrency {
  size_t parts = 32;        // parts in progress at once
  size_t upload_parts = 8;  // of which assembled in memory (each up to the upload part size)
};

// The first failure stops new parts from starting; the parts in flight finish, and every
// unreadable source they met is reported. Parts assembled when a failure is seen are not
// uploaded: with a cache, the sources they read are kept there for the volume's rewrite (and
// sources found there are not read again). With a cache, uploaded parts also stay in memory
// while the parts-in-memory bound leaves room (a part being assembled takes the oldest one's
// place): on unreadable sources their sources go to the cache as well, so that a volume whose
// upload parts fit in that bound reads no source twice however late in the write a source
// vanishes. A stop request aborts the upload at once (copies of
// up to 5 GiB in flight then fail fast instead of running on after SIGTERM).
// The members whose headers a part holds (for progress: an object counts once its header is sent).
uint64_t objects_in(const plan::Part& part);

// `stored`: ETags of the parts an earlier attempt of the session stored, by number: the
// volume's reused parts (plan/reuse.h) are not sent again.
PartsOutcome upload_parts(s3::S3Client& client, s3::UploadSession& session, const plan::Volume& volume,
                          const std::string& toc_bytes, const PartConcurrency& concurrency,
                          SourceCache* cache, const std::atomic<bool>& stop,
                          const std::map<std::uint32_t, std::string>& stored = {});

}  // namespace s3tar::exec
