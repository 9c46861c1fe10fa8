// Typed errors of the S3 client. Messages never contain credentials.
//
// Callers decide by S3Error::reason() and the flags below, never by the error's text or code:
// the client alone knows what S3's codes and statuses mean.
#pragma once

#include <stdexcept>
#include <string>

#include "s3tar/errors.h"

namespace s3tar::s3 {

struct S3ErrorInfo {
  std::string operation;  // "UploadPartCopy"
  std::string resource;   // "s3://bucket/key"
  long http_status = 0;   // 0 = transport failure
  std::string code;       // S3 error code ("NoSuchKey"), or "TransportError"
  std::string message;
  std::string request_id;
  int attempts = 1;
  // The client's verdict: the request failed for a reason a later attempt may not meet (network,
  // throttling, 5xx, a 200 carrying an <Error>). Set when the retries are exhausted on it.
  bool retryable = false;
  // Some attempt may have reached the server and taken effect although no success was seen: a
  // connection lost after the request was sent, a cancelled transfer, a 500/502/504. The
  // operation may have happened (an upload created, a Complete done).
  bool ambiguous = false;
  // A stop request (SIGTERM/SIGINT or S3Client::cancel) ended the call.
  bool cancelled = false;
};

// What S3's answer means for the caller (from the HTTP status and the S3 error code).
enum class S3ErrorReason {
  Other,
  NoSuchKey,            // NoSuchKey, NoSuchVersion, or a 404 without an error body (HEAD)
  NoSuchBucket,         // NoSuchBucket
  NoSuchUpload,         // NoSuchUpload: the multipart upload was completed or aborted
  PreconditionFailed,   // 412: If-Match, If-None-Match or x-amz-copy-source-if-match did not hold
  ConditionalConflict,  // 409 ConditionalRequestConflict: a conditional write raced another one
  ArchivedObject,       // InvalidObjectState: in an archival class or tier and not restored
  RestoreInProgress,    // 409 RestoreAlreadyInProgress: RestoreObject while a restore runs
  InvalidRange,         // 416: no byte of the range asked for exists (e.g. any range of an empty object)
  AccessDenied,         // AccessDenied, AllAccessDisabled, AccountProblem, KMS refusals
  WrongRegion,          // 301/307, PermanentRedirect, AuthorizationHeaderMalformed: still refused
                        // after the one retry for the bucket's region
  BadCredentials,       // InvalidAccessKeyId, SignatureDoesNotMatch, expired or invalid tokens
  Throttled,            // SlowDown, 429 and the other throttling codes
  ServerError,          // 5xx or an <Error> carried by a 200 (InternalError, ...)
  NoResponse,           // no HTTP answer: name lookup, refused or lost connection, timeout
  Cancelled,            // a stop request ended the call
};

const char* to_string(S3ErrorReason reason);

// Category (s3tar/errors.h): Transient when retryable or cancelled; Usage for what only a change of
// configuration, credentials or permissions fixes (AccessDenied, NoSuchBucket, bad keys, a wrong
// region, ...);
// BadInput otherwise (S3's answer about the data: a missing or changed object, a bad request).
class S3Error : public s3tar::Error {
 public:
  explicit S3Error(const S3ErrorInfo& info);
  const S3ErrorInfo& info() const { return info_; }
  long status() const { return info_.http_status; }
  const std::string& code() const { return info_.code; }

  S3ErrorReason reason() const { return reason_; }
  // The object (or the version asked for) does not exist.
  bool is_not_found() const { return reason_ == S3ErrorReason::NoSuchKey; }
  bool is_precondition_failed() const { return reason_ == S3ErrorReason::PreconditionFailed; }
  bool is_conditional_conflict() const { return reason_ == S3ErrorReason::ConditionalConflict; }
  bool is_archived() const { return reason_ == S3ErrorReason::ArchivedObject; }
  bool is_restore_in_progress() const { return reason_ == S3ErrorReason::RestoreInProgress; }
  bool is_invalid_range() const { return reason_ == S3ErrorReason::InvalidRange; }
  bool is_no_such_upload() const { return reason_ == S3ErrorReason::NoSuchUpload; }
  bool is_throttled() const { return reason_ == S3ErrorReason::Throttled; }
  bool retryable() const { return info_.retryable; }
  bool ambiguous() const { return info_.ambiguous; }
  bool cancelled() const { return info_.cancelled; }

 private:
  S3Error(S3ErrorReason reason, const S3ErrorInfo& info);
  S3ErrorInfo info_;
  S3ErrorReason reason_;
};

// The reason of an error answer (status 0 = no answer).
S3ErrorReason reason_of(long http_status, const std::string& code);

}  // namespace s3tar::s3
