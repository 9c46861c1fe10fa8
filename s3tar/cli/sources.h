// The objects to archive: from a prefix listing or an s3tar manifest (local or s3://).
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "s3tar/exec/executor.h"
#include "s3tar/plan/plan.h"
#include "s3tar/s3/client.h"

namespace s3tar::cli {

struct SourceSet {
  std::vector<plan::Member> members;
  std::vector<exec::SourceProblem> problems;  // unreadable before we start: archived, missing
};

// Storage classes whose objects cannot be read (GET/UploadPartCopy) until restored.
bool is_archived_class(const std::string& storage_class);

// Lists s3://bucket/prefix recursively. Folder markers (0-byte keys ending in '/') and the
// keys `exclude` names (the archive being written, its volumes and indexes) are left out.
SourceSet list_sources(s3::S3Client& client, const std::string& url,
                       const std::function<bool(const std::string& key)>& exclude);

// Reads an s3tar manifest: bucket,key,size[,etag]. Objects whose ETag or LastModified the
// manifest lacks are HEAD-ed (in parallel): the archive pins every source to its ETag and
// stores the real mtime. HEAD also finds missing and archived objects before anything is written.
SourceSet manifest_sources(s3::S3Client& client, const std::string& manifest, bool skip_header,
                           bool urldecode);

// Reads a local file or an s3:// object whole.
std::string read_local_or_s3(s3::S3Client& client, const std::string& location);

}  // namespace s3tar::cli
