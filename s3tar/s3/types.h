// Plain values the S3 operations take and return. No behaviour: shared by the client, the pure
// response parsers and their callers.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace s3tar::s3 {

struct ObjectRef {
  std::string bucket;
  std::string key;
  std::string version_id;  // empty = current version
};

struct ByteRange {
  uint64_t first = 0;
  uint64_t last = 0;  // inclusive
  uint64_t length() const { return last - first + 1; }
};

struct ObjectInfo {
  uint64_t size = 0;
  std::string etag;  // without quotes
  std::string storage_class = "STANDARD";
  int64_t last_modified = 0;  // unix seconds
  std::string version_id;
  std::string content_type;
  std::string restore;                          // x-amz-restore
  std::string archive_status;                   // x-amz-archive-status (Intelligent-Tiering archive tiers)
  std::string server_side_encryption;           // x-amz-server-side-encryption: AES256, aws:kms, ...
  std::map<std::string, std::string> metadata;  // x-amz-meta-*, names without the prefix
};

struct ListedObject {
  std::string key;
  uint64_t size = 0;
  std::string etag;
  int64_t last_modified = 0;
  std::string storage_class;
};

struct ListPage {
  std::vector<ListedObject> objects;
  std::vector<std::string> common_prefixes;
  std::string next_continuation_token;  // empty = last page
};

// Server-side encryption and other settings for a new object.
struct WriteOptions {
  std::string storage_class;  // empty = bucket default
  std::string content_type;
  std::string sse;         // AES256 | aws:kms | aws:kms:dsse
  std::string kms_key_id;  // with aws:kms
  bool bucket_key = false;
  std::vector<std::pair<std::string, std::string>> tags;
  std::map<std::string, std::string> metadata;
  std::string checksum_algorithm;  // CRC32, CRC32C, SHA1, SHA256, CRC64NVME
  bool if_none_match = false;      // If-None-Match: * (fail with 412 when the key exists)
};

struct CompletedPart {
  int number = 0;
  std::string etag;  // without quotes
};

struct PartInfo {
  int number = 0;
  std::string etag;
  uint64_t size = 0;
};

struct UploadInfo {
  std::string key;
  std::string upload_id;
  std::string initiated;  // ISO 8601
};

struct CopyPartRequest {
  std::string bucket, key, upload_id;
  int part_number = 0;
  ObjectRef source;
  std::optional<ByteRange> range;
  std::string if_match;
};

struct CompleteRequest {
  std::string bucket, key, upload_id;
  std::vector<CompletedPart> parts;
  bool if_none_match = false;
  // Used to confirm a retried Complete that answered NoSuchUpload because the first try worked.
  std::optional<uint64_t> expected_size;
  std::string expected_etag;
};

enum class Op : int {
  ListObjectsV2 = 0,
  HeadObject,
  GetObject,
  PutObject,
  CreateMultipartUpload,
  UploadPart,
  UploadPartCopy,
  CompleteMultipartUpload,
  AbortMultipartUpload,
  ListMultipartUploads,
  ListParts,
  DeleteObject,
  DeleteObjects,
  PutObjectTagging,
  CopyObject,
  HeadBucket,  // only to learn a bucket's region (region_redirect.h)
  RestoreObject,
  Count
};
const char* op_name(Op op);

}  // namespace s3tar::s3
