// The objects to archive: from a prefix listing or an s3tar manifest (local or s3://).
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "s3tar/archive/exec/executor.h"
#include "s3tar/archive/plan/plan.h"
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

// s3tar's manifest (`bucket,key,size[,etag[,last_modified]]`, the Go s3tar's plus an optional mtime) or an S3
// Batch Operations manifest (`bucket,key[,versionId]`, keys URL-encoded).
enum class ManifestFormat { S3tar, Batch };

// Reads a manifest. Rows with size, ETag and last_modified are taken as they are (no request:
// the archive's reads are pinned to the ETag, so a changed object fails its read); the others
// are looked up (a folder listing where enough rows share a folder, else HEAD, in parallel),
// which also finds missing and archived objects and objects that no longer match the manifest
// before anything is written. Logs how many rows took which way (`manifest.resolved`).
SourceSet manifest_sources(s3::S3Client& client, const std::string& manifest, bool skip_header,
                           bool urldecode, ManifestFormat format = ManifestFormat::S3tar);

// Reads a local file or an s3:// object whole.
std::string read_local_or_s3(s3::S3Client& client, const std::string& location);

}  // namespace s3tar::cli
