// One multipart upload's whole life: create -> parts -> complete or abort. The session knows a
// definite outcome (the server answered) from an ambiguous one (a Create or Complete whose
// answer was lost), finds out what really happened in the second case, and never drops an
// abort's failure: when it cannot abort, the error it throws says so and names the upload left
// open. (Modelled on DuckDB httpfs's upload state, ScyllaDB's utils/s3 multipart upload and
// ClickHouse's "abort, then wait, then throw".)
#pragma once

#include <chrono>
#include <exception>
#include <future>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "s3tar/errors.h"
#include "s3tar/s3/client.h"

namespace s3tar::s3 {

enum class UploadState {
  Open,       // created; parts may be added
  Completed,  // the object exists (Complete answered, or a lost answer was confirmed by HEAD)
  Aborted,    // the upload is gone (Abort answered, or S3 no longer knows it)
  Unknown,    // Complete's answer was lost and the outcome could not be established
};
const char* to_string(UploadState state);

// The upload could not be aborted after a failure: it stays open, holding its parts, until the
// next run to the same key or an AbortIncompleteMultipartUpload lifecycle rule removes it. The
// message is the original failure's with the abort's appended; the category is the original's;
// the original is the nested exception.
class UploadLeftOpen : public s3tar::Error, public std::nested_exception {
 public:
  UploadLeftOpen(ErrorCategory category, const std::string& what, std::string upload_id)
      : s3tar::Error(category, what), upload_id_(std::move(upload_id)) {}
  const std::string& upload_id() const { return upload_id_; }

 private:
  std::string upload_id_;
};

// Complete's answer was lost and neither the upload nor the object could be found as expected:
// the archive may or may not exist. Run again (the re-run overwrites or completes it).
class UploadOutcomeUnknown : public TransientError {
 public:
  using TransientError::TransientError;
};

// How hard an abort tries. Aborts are cleanup: they get their own attempts and back-off,
// independent of the client's retry quota (which throttling may have spent).
struct AbortPolicy {
  int attempts = 6;
  std::chrono::milliseconds base{200};
  std::chrono::milliseconds max_delay{2000};
};

struct CompleteExpectation {
  std::optional<uint64_t> size;  // the object's planned size
  std::string etag;              // the expected ETag when S3 computes it from MD5s ("" = unknown)
  bool if_none_match = false;    // fail instead of overwriting an existing object
};

// Aborts upload `id` of `key`, retrying transient failures with the policy's own attempts and
// back-off. Returns true when the abort removed the upload, false when it was already gone;
// throws the last failure.
bool abort_upload(S3Client& client, const std::string& bucket, const std::string& key, const std::string& id,
                  const AbortPolicy& policy = {});

class UploadSession {
 public:
  // Sends CreateMultipartUpload (throws its S3Error). When a retried Create had an earlier
  // attempt without an answer, that attempt may have created an upload too: the session lists
  // the key's uploads and aborts those initiated between that attempt and its own upload.
  UploadSession(S3Client& client, std::string bucket, std::string key, const WriteOptions& options,
                AbortPolicy abort_policy = {});
  // An upload still open here (an exception passed by) is aborted, best effort, and logged.
  ~UploadSession();
  UploadSession(const UploadSession&) = delete;
  UploadSession& operator=(const UploadSession&) = delete;

  const std::string& bucket() const { return bucket_; }
  const std::string& key() const { return key_; }
  const std::string& upload_id() const { return upload_id_; }
  UploadState state() const { return state_; }
  std::string where() const { return "s3://" + bucket_ + "/" + key_; }

  // Sends Content-MD5 (S3 refuses a corrupted body). Returns the part's ETag.
  std::future<std::string> upload_part(int number, std::shared_ptr<const std::string> body);
  std::future<std::string> upload_part_copy(int number, const ObjectRef& source, const ByteRange& range,
                                            const std::string& if_match);

  // Completes the upload; returns the ETag Complete answered (some servers answer none).
  // Definite refusal: aborts and rethrows (UploadLeftOpen if the abort fails too). No answer:
  // aborts; an abort that finds no upload means Complete probably worked, which a HEAD showing
  // the expected object confirms; otherwise throws UploadOutcomeUnknown.
  std::string complete(std::vector<CompletedPart> parts, const CompleteExpectation& expected);

  // Aborts the upload. Call it again after parts that were in flight at the first abort ended
  // (S3 may still store such a part). NoSuchUpload counts as done. Throws when every attempt
  // failed.
  void abort();

  // Aborts, then rethrows `error`; when the abort fails, throws UploadLeftOpen instead, with
  // `error` nested and both failures in its message, in `error`'s category unless
  // `left_open_category` says otherwise.
  [[noreturn]] void abort_and_rethrow(std::exception_ptr error,
                                      std::optional<ErrorCategory> left_open_category = std::nullopt);

 private:
  void abort_orphans_of_lost_create(std::chrono::steady_clock::time_point create_started);
  bool exists_as_expected(const CompleteExpectation& expected);
  // abort(), returning its failure instead of throwing it.
  std::optional<std::string> try_abort();
  [[noreturn]] void throw_left_open(const std::exception_ptr& error, const std::string& abort_failure,
                                    std::optional<ErrorCategory> category = std::nullopt);

  S3Client& client_;
  std::string bucket_, key_;
  std::string upload_id_;
  AbortPolicy abort_policy_;
  UploadState state_ = UploadState::Open;
  bool abort_found_upload_ = false;  // the last abort removed the upload (it had not completed)
  bool abort_given_up_ = false;      // an abort failed and was reported: no second try at the end
};

}  // namespace s3tar::s3
