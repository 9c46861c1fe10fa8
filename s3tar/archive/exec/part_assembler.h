// Assembling an upload part in memory: generated pieces (headers, padding, the TOC, end
// blocks) rendered locally, source pieces fetched with GETs pinned to the planned ETag and
// version, all GETs of the part in flight together, each writing straight into its place in
// one buffer of the part's size.
#pragma once

#include <string>

#include "s3tar/archive/exec/source_problem.h"
#include "s3tar/archive/plan/plan.h"
#include "s3tar/s3/client.h"

namespace s3tar::exec {

// The part's bytes. Throws SourceError naming every source of the part that could not be read
// as planned (changed, missing, archived), s3::S3Error for every other failure (network,
// throttling, permissions: not the object's fault), TransientError when a whole object's body
// twice failed the check against its MD5 ETag.
std::string assemble_part(s3::S3Client& client, const plan::Volume& volume, const plan::Part& part,
                          const std::string& toc_bytes);

// A plain MD5 ETag (32 lowercase hex digits): single-part, not KMS-encrypted.
bool is_md5_etag(const std::string& etag);

}  // namespace s3tar::exec
