// Typed errors of the S3 client. Messages never contain credentials.
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
};

// Category (s3tar/errors.h): Transient when retryable; Usage for what only a change of
// configuration, credentials or permissions fixes (AccessDenied, NoSuchBucket, bad keys, ...);
// BadInput otherwise (S3's answer about the data: a missing or changed object, a bad request).
class S3Error : public s3tar::Error {
 public:
  explicit S3Error(S3ErrorInfo info);
  const S3ErrorInfo& info() const { return info_; }
  long status() const { return info_.http_status; }
  const std::string& code() const { return info_.code; }

 private:
  S3ErrorInfo info_;
};

// Parses an S3 <Error> XML body; returns false when the body is not one.
bool parse_error_body(const std::string& body, std::string& code, std::string& message,
                      std::string& request_id);

}  // namespace s3tar::s3
