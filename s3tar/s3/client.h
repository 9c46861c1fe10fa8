// The S3 client: typed operations over the HTTP engine, signed with SigV4, retried like the
// SDKs' standard mode. Every operation returns a std::future; .get() rethrows S3Error.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <future>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "s3tar/s3/client_config.h"
#include "s3tar/s3/credentials/credentials.h"
#include "s3tar/s3/errors.h"
#include "s3tar/s3/http/http_engine.h"
#include "s3tar/s3/retry.h"

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

struct GetRequest {
  ObjectRef object;
  std::optional<ByteRange> range;
  std::string if_match;  // ETag the object must still have
  // Optional streaming sink: (offset within the requested bytes, data, size). On a retry the
  // data starts again at offset 0, so a sink must write by offset. Return false to abort.
  std::function<bool(uint64_t offset, const char* data, size_t size)> sink;
};

struct GetResult {
  std::string body;  // empty when a sink was given
  ObjectInfo info;   // size = the whole object's size (from Content-Range when ranged)
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

// Counters of requests sent (every attempt counts), for reports and benchmarks.
struct RequestCounters {
  std::atomic<uint64_t> by_op[16] = {};
  std::atomic<uint64_t> retries{0};
  std::atomic<uint64_t> bytes_sent{0};
  std::atomic<uint64_t> bytes_received{0};
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
  Count
};
const char* op_name(Op op);

class S3Client {
 public:
  S3Client(ClientConfig config, std::shared_ptr<CredentialsProvider> credentials);
  ~S3Client();

  const ClientConfig& config() const { return config_; }
  const RequestCounters& counters() const { return counters_; }

  std::future<ListPage> list_objects_v2(const std::string& bucket, const std::string& prefix,
                                        const std::string& continuation_token = {},
                                        const std::string& delimiter = {}, int max_keys = 1000);
  // Lists every object under prefix, page by page (blocking), calling fn for each.
  void list_all(const std::string& bucket, const std::string& prefix,
                const std::function<void(const ListedObject&)>& fn);
  std::future<ObjectInfo> head_object(const ObjectRef& object, const std::string& if_match = {});
  std::future<GetResult> get_object(GetRequest request);
  // Returns the new object's ETag.
  std::future<std::string> put_object(const std::string& bucket, const std::string& key,
                                      std::shared_ptr<const std::string> body,
                                      const WriteOptions& options = {});
  std::future<std::string> create_multipart_upload(const std::string& bucket, const std::string& key,
                                                   const WriteOptions& options = {});
  // Sends Content-MD5, so a corrupted body is refused (BadDigest, retried). Returns the part ETag.
  std::future<std::string> upload_part(const std::string& bucket, const std::string& key,
                                       const std::string& upload_id, int part_number,
                                       std::shared_ptr<const std::string> body);
  std::future<std::string> upload_part_copy(const CopyPartRequest& request);
  // Returns the final ETag; may be empty (some servers), then HEAD the object.
  std::future<std::string> complete_multipart_upload(const CompleteRequest& request);
  std::future<void> abort_multipart_upload(const std::string& bucket, const std::string& key,
                                           const std::string& upload_id);
  std::future<std::vector<UploadInfo>> list_multipart_uploads(const std::string& bucket,
                                                              const std::string& prefix);
  std::future<std::vector<PartInfo>> list_parts(const std::string& bucket, const std::string& key,
                                                const std::string& upload_id);
  std::future<void> delete_object(const ObjectRef& object);
  // Returns the keys that could not be deleted, with their error codes.
  std::future<std::vector<std::pair<std::string, std::string>>> delete_objects(
      const std::string& bucket, const std::vector<std::string>& keys);
  std::future<void> put_object_tagging(const ObjectRef& object,
                                       const std::vector<std::pair<std::string, std::string>>& tags);
  std::future<std::string> copy_object(const ObjectRef& source, const std::string& bucket,
                                       const std::string& key, const WriteOptions& options = {},
                                       const std::string& if_match = {});

  struct Call;  // one operation with its retries (internal)

 private:
  HttpRequest new_request(const std::string& method, const std::string& bucket, const std::string& key) const;
  void start(std::shared_ptr<Call> call);
  void attempt(std::shared_ptr<Call> call);
  void on_response(std::shared_ptr<Call> call, HttpResponse&& response);

  ClientConfig config_;
  std::shared_ptr<CredentialsProvider> credentials_;
  RetryQuota quota_;
  RequestCounters counters_;
  std::atomic<bool> closing_{false};           // set by the destructor: no more retries are scheduled
  std::atomic<long long> clock_offset_ms_{0};  // server time - local time, after RequestTimeTooSkewed
  std::mutex rng_mu_;
  std::mt19937_64 rng_;
  std::unique_ptr<HttpEngine> engine_;  // last: destroyed first, completing every call
};

// A client configured like the AWS CLI (flags > environment > profile) with the default
// credentials chain, refreshed before expiry.
std::unique_ptr<S3Client> make_default_client(const ConnectionOptions& options);

// Multipart ETag: hex MD5 of the concatenated binary part MD5s, then "-N".
std::string multipart_etag(const std::vector<std::string>& part_etags_hex);
std::string strip_quotes(std::string etag);
// "2025-11-20T13:45:07.000Z" or an RFC 1123 date ("Thu, 20 Nov 2025 13:45:07 GMT") → unix seconds.
int64_t parse_http_time(const std::string& text);

}  // namespace s3tar::s3
