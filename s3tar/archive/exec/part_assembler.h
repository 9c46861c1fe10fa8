// Assembling an upload part in memory: generated pieces (headers, padding, the TOC, end
// blocks) rendered locally, source pieces fetched with GETs pinned to the planned ETag and
// version, all GETs of the part in flight together, each writing straight into its place in
// one buffer of the part's size.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>

#include "s3tar/archive/exec/source_cache.h"
#include "s3tar/archive/exec/source_problem.h"
#include "s3tar/archive/plan/plan.h"
#include "s3tar/s3/client.h"

namespace s3tar::exec {

// The part's bytes. Throws SourceError naming every source of the part that could not be read
// as planned (changed, missing, archived), s3::S3Error for every other failure (network,
// throttling, permissions: not the object's fault), TransientError when a whole object's body
// twice failed the check against its MD5 ETag.
//
// With a cache, source bytes a failed attempt read are taken from it instead of read again,
// and when sources of this part turn out unreadable, the ones read are kept in it for the
// rewrite. `failed`, when given, is set as soon as a failure is seen (the volume's other parts
// then keep what they read instead of uploading it). `read`, when given, is called on the
// calling thread with the bytes of each source piece as its read completes (for progress).
using ReadBytesFn = std::function<void(std::uint64_t bytes)>;
std::string assemble_part(s3::S3Client& client, const plan::Volume& volume, const plan::Part& part,
                          const std::string& toc_bytes, SourceCache* cache = nullptr,
                          std::atomic<bool>* failed = nullptr, const ReadBytesFn& read = {});

// Keeps the source bytes of an assembled part in `cache` (the volume is written again): whole
// members, pieces of members split between parts, heads of large members.
void keep_sources(const plan::Volume& volume, const plan::Part& part, const std::string& bytes,
                  SourceCache& cache);
// The same for a part whose bytes are at `offset` in the cache's spool.
void keep_spooled_sources(const plan::Volume& volume, const plan::Part& part, std::uint64_t offset,
                          SourceCache& cache);

}  // namespace s3tar::exec
