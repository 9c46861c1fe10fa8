// The S3 client: typed operations over the HTTP engine, signed with SigV4, retried like the
// SDKs' standard mode. Every operation returns a std::future; .get() rethrows S3Error (or the
// CredentialsError when no credentials could be had, or MalformedResponse).
//
// Where things live: the operations in ops_*.cpp, the retry decisions in retry.h, what S3's
// answers mean in errors.h, response parsing in responses.h, request bodies in requests.h,
// addressing in endpoint.h.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <future>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "s3tar/s3/client_config.h"
#include "s3tar/s3/credentials/credentials.h"
#include "s3tar/s3/errors.h"
#include "s3tar/s3/etag.h"
#include "s3tar/s3/http/http_engine.h"
#include "s3tar/s3/http_time.h"
#include "s3tar/s3/region_redirect.h"
#include "s3tar/s3/restore.h"
#include "s3tar/s3/retry.h"
#include "s3tar/s3/types.h"

namespace s3tar::s3 {

class SerialWorker;

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

// What happened to one call, for callers that must know more than its result.
struct CallReport {
  int attempts = 0;
  // An attempt before the last one may have taken effect unseen (a connection lost after the
  // request was sent, a 500): e.g. a CreateMultipartUpload that succeeded on its second attempt
  // may also have created an upload on its first.
  bool earlier_attempt_ambiguous = false;
};

// Per-call options.
struct CallOptions {
  // A cleanup call (an AbortMultipartUpload after a failure or a stop): its own retry budget
  // outside the shared quota, not ended by a stop request, and a short overall deadline
  // (RetryConfig::cleanup_*).
  bool cleanup = false;
  // Filled in before the call's future becomes ready; must outlive the call.
  CallReport* report = nullptr;
};

// Counters of requests sent (every attempt counts), for reports and benchmarks.
struct RequestCounters {
  std::atomic<uint64_t> by_op[static_cast<int>(Op::Count)] = {};
  std::atomic<uint64_t> retries{0};
  std::atomic<uint64_t> bytes_sent{0};
  std::atomic<uint64_t> bytes_received{0};
};

class S3Client {
 public:
  S3Client(ClientConfig config, std::shared_ptr<CredentialsProvider> credentials);
  ~S3Client();

  const ClientConfig& config() const { return config_; }
  const RequestCounters& counters() const { return counters_; }

  // Stops the client: no call starts another attempt; calls waiting to retry fail at once. Cleanup
  // calls go on within their deadline. The same happens when ClientConfig::stop_flag becomes true.
  void cancel();
  bool stopped() const { return retry_.stopped(); }

  // ---- objects (ops_objects.cpp) ----
  std::future<ObjectInfo> head_object(const ObjectRef& object, const std::string& if_match = {},
                                      const CallOptions& call = {});
  std::future<GetResult> get_object(GetRequest request, const CallOptions& call = {});
  // Returns the new object's ETag.
  std::future<std::string> put_object(const std::string& bucket, const std::string& key,
                                      std::shared_ptr<const std::string> body,
                                      const WriteOptions& options = {}, const CallOptions& call = {});
  std::future<void> delete_object(const ObjectRef& object, const CallOptions& call = {});
  // Returns the keys that could not be deleted, with their error codes.
  std::future<std::vector<std::pair<std::string, std::string>>> delete_objects(
      const std::string& bucket, const std::vector<std::string>& keys, const CallOptions& call = {});
  std::future<void> put_object_tagging(const ObjectRef& object,
                                       const std::vector<std::pair<std::string, std::string>>& tags,
                                       const CallOptions& call = {});
  std::future<std::string> copy_object(const ObjectRef& source, const std::string& bucket,
                                       const std::string& key, const WriteOptions& options = {},
                                       const std::string& if_match = {}, const CallOptions& call = {});

  // ---- archived objects (ops_restore.cpp) ----
  // RestoreObject with restore_request_body(access, days, tier). A restore already running
  // (409 RestoreAlreadyInProgress) is an answer, not an error: requesting is idempotent.
  std::future<RestoreAnswer> restore_object(const ObjectRef& object, ArchiveAccess access, int days,
                                            RestoreTier tier, const CallOptions& call = {});

  // ---- listings (ops_listing.cpp) ----
  // start_after: list keys after this one (ListObjectsV2 StartAfter), without a token.
  std::future<ListPage> list_objects_v2(const std::string& bucket, const std::string& prefix,
                                        const std::string& continuation_token = {},
                                        const std::string& delimiter = {}, int max_keys = 1000,
                                        const std::string& start_after = {}, const CallOptions& call = {});
  // Every page of the listing under prefix (blocking), in order, calling fn for each: the one
  // paging loop over continuation tokens.
  void list_pages(const std::string& bucket, const std::string& prefix, const std::string& delimiter,
                  const std::function<void(ListPage&)>& fn);
  // Lists every object under prefix, page by page (blocking), calling fn for each.
  void list_all(const std::string& bucket, const std::string& prefix,
                const std::function<void(const ListedObject&)>& fn);
  // Every page (blocking on a thread of its own).
  std::future<std::vector<UploadInfo>> list_multipart_uploads(const std::string& bucket,
                                                              const std::string& prefix,
                                                              const CallOptions& call = {});
  std::future<std::vector<PartInfo>> list_parts(const std::string& bucket, const std::string& key,
                                                const std::string& upload_id, const CallOptions& call = {});

  // ---- multipart uploads (ops_multipart.cpp) ----
  std::future<std::string> create_multipart_upload(const std::string& bucket, const std::string& key,
                                                   const WriteOptions& options = {},
                                                   const CallOptions& call = {});
  // Sends Content-MD5, so a corrupted body is refused (BadDigest, retried). Returns the part ETag.
  std::future<std::string> upload_part(const std::string& bucket, const std::string& key,
                                       const std::string& upload_id, int part_number,
                                       std::shared_ptr<const std::string> body, const CallOptions& call = {});
  std::future<std::string> upload_part_copy(const CopyPartRequest& request, const CallOptions& call = {});
  // Returns the final ETag; may be empty (some servers), then HEAD the object. A retried Complete
  // answering NoSuchUpload (or 412 with If-None-Match) because an earlier attempt worked is
  // confirmed with HEAD against expected_size/expected_etag.
  std::future<std::string> complete_multipart_upload(const CompleteRequest& request,
                                                     const CallOptions& call = {});
  std::future<void> abort_multipart_upload(const std::string& bucket, const std::string& key,
                                           const std::string& upload_id, const CallOptions& call = {});

  struct Call;  // one operation with its retries (call.h)

 private:
  HttpRequest new_request(const std::string& method, const std::string& bucket, const std::string& key) const;
  std::shared_ptr<Call> new_call(Op op, std::string resource, const std::string& bucket, HttpRequest request,
                                 const CallOptions& options);
  void start(std::shared_ptr<Call> call);
  void attempt(const std::shared_ptr<Call>& call);
  std::optional<Credentials> load_credentials(Call& call);
  void send(const std::shared_ptr<Call>& call, const Credentials& creds);
  void on_response(const std::shared_ptr<Call>& call, HttpResponse&& response);
  void retry_later(const std::shared_ptr<Call>& call, std::chrono::milliseconds delay);
  // The call's bucket is in another region (region_redirect.h): sends the call once more for the
  // bucket's region, learned from the answer or a HEAD on the bucket, or gives up with `refused`.
  void redirect(const std::shared_ptr<Call>& call, const WrongRegion& wrong, std::exception_ptr refused);
  void follow_region(const std::shared_ptr<Call>& call, const std::string& region,
                     std::exception_ptr refused);
  void correct_clock(const HttpResponse& response);
  std::exception_ptr cancelled_error(const Call& call) const;
  void log_request(const Call& call, const HttpResponse& response, const std::string& request_id) const;
  std::string list_page(Op op, const std::string& resource, const std::string& bucket, HttpRequest request,
                        const CallOptions& call);

  ClientConfig config_;
  std::shared_ptr<CredentialsProvider> credentials_;
  RetryStrategy retry_;
  RequestCounters counters_;
  BucketRegions bucket_regions_;               // learned from wrong-region answers
  std::atomic<bool> closing_{false};           // set by the destructor: no more retries are scheduled
  std::atomic<long long> clock_offset_ms_{0};  // server time - local time, after RequestTimeTooSkewed
  // Credentials reloads asked for on the engine's loop thread run here (serial_worker.h).
  std::unique_ptr<SerialWorker> credentials_worker_;
  std::unique_ptr<HttpEngine> engine_;  // last: destroyed first, completing every call
};

// A client configured like the AWS CLI (flags > environment > profile) with the default
// credentials chain, refreshed before expiry.
std::unique_ptr<S3Client> make_default_client(const ConnectionOptions& options);

}  // namespace s3tar::s3
