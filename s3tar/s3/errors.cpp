#include "s3tar/s3/errors.h"

#include <pugixml.hpp>

namespace s3tar::s3 {
namespace {

std::string describe(const S3ErrorInfo& i) {
  std::string s = i.operation;
  if (!i.resource.empty()) s += " " + i.resource;
  s += ": ";
  if (i.code == "CredentialsError") {
    s += i.message;  // no request was sent: the credentials could not be loaded
  } else if (i.http_status == 0) {
    s += i.message;  // says where it failed: the endpoint or the proxy
  } else {
    s += "HTTP " + std::to_string(i.http_status);
    if (!i.code.empty()) s += " " + i.code;
    if (!i.message.empty()) s += ": " + i.message;
  }
  if (!i.request_id.empty()) s += " (request id " + i.request_id + ")";
  if (i.attempts > 1) s += " after " + std::to_string(i.attempts) + " attempts";
  return s;
}

ErrorCategory category_of(const S3ErrorInfo& i) {
  if (i.retryable) return ErrorCategory::Transient;
  const std::string& c = i.code;
  if (c == "AccessDenied" || c == "AllAccessDisabled" || c == "NoSuchBucket" || c == "InvalidAccessKeyId" ||
      c == "SignatureDoesNotMatch" || c == "InvalidBucketName" || c == "InvalidStorageClass" ||
      c == "InvalidArgument" || c == "CredentialsError" || c == "AccountProblem" || c == "InvalidToken" ||
      c == "ExpiredToken" || c == "TokenRefreshRequired" || c.rfind("KMS.", 0) == 0 || c == "TLSError" ||
      c == "ProxyError")  // a certificate not accepted, a proxy that refuses
    return ErrorCategory::Usage;
  return ErrorCategory::BadInput;
}

}  // namespace

S3Error::S3Error(S3ErrorInfo info)
    : s3tar::Error(category_of(info), describe(info)), info_(std::move(info)) {}

bool parse_error_body(const std::string& body, std::string& code, std::string& message,
                      std::string& request_id) {
  // Cheap pre-check: most 200 bodies are not errors and some are large listings.
  if (body.find("<Error") == std::string::npos) return false;
  pugi::xml_document doc;
  if (!doc.load_buffer(body.data(), body.size())) return false;
  pugi::xml_node err = doc.child("Error");
  if (!err) return false;
  code = err.child_value("Code");
  message = err.child_value("Message");
  request_id = err.child_value("RequestId");
  return !code.empty();
}

}  // namespace s3tar::s3
