#include "s3tar/s3/errors.h"

#include <algorithm>
#include <array>
#include <string_view>

#include "s3tar/s3/retry.h"

namespace s3tar::s3 {
namespace {

std::string describe(const S3ErrorInfo& i) {
  std::string s = i.operation;
  if (!i.resource.empty()) s += " " + i.resource;
  s += ": ";
  if (i.cancelled) {
    s += "cancelled by a stop request";
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

constexpr std::array<std::string_view, 4> kBadCredentialCodes = {
    "InvalidAccessKeyId", "SignatureDoesNotMatch", "InvalidToken", "ExpiredToken"};
constexpr std::array<std::string_view, 3> kDeniedCodes = {"AccessDenied", "AllAccessDisabled",
                                                          "AccountProblem"};

constexpr std::array<std::string_view, 3> kWrongRegionCodes = {
    "PermanentRedirect", "AuthorizationHeaderMalformed", "IllegalLocationConstraintException"};

template <size_t N>
bool one_of(const std::array<std::string_view, N>& set, const std::string& code) {
  return std::find(set.begin(), set.end(), code) != set.end();
}

ErrorCategory category_of(const S3ErrorInfo& i, S3ErrorReason reason) {
  if (i.retryable || i.cancelled) return ErrorCategory::Transient;
  const std::string& c = i.code;
  if (reason == S3ErrorReason::AccessDenied || reason == S3ErrorReason::BadCredentials ||
      reason == S3ErrorReason::NoSuchBucket || reason == S3ErrorReason::WrongRegion ||
      c == "InvalidBucketName" || c == "InvalidStorageClass" || c == "InvalidArgument" ||
      c == "TokenRefreshRequired" || c == "TLSError" ||
      c == "ProxyError")  // a certificate not accepted, a proxy that refuses
    return ErrorCategory::Usage;
  return ErrorCategory::BadInput;
}

}  // namespace

const char* to_string(S3ErrorReason reason) {
  switch (reason) {
    case S3ErrorReason::NoSuchKey:
      return "no-such-key";
    case S3ErrorReason::NoSuchBucket:
      return "no-such-bucket";
    case S3ErrorReason::NoSuchUpload:
      return "no-such-upload";
    case S3ErrorReason::PreconditionFailed:
      return "precondition-failed";
    case S3ErrorReason::ConditionalConflict:
      return "conditional-conflict";
    case S3ErrorReason::ArchivedObject:
      return "archived-object";
    case S3ErrorReason::RestoreInProgress:
      return "restore-in-progress";
    case S3ErrorReason::InvalidRange:
      return "invalid-range";
    case S3ErrorReason::AccessDenied:
      return "access-denied";
    case S3ErrorReason::BadCredentials:
      return "bad-credentials";
    case S3ErrorReason::WrongRegion:
      return "wrong-region";
    case S3ErrorReason::Throttled:
      return "throttled";
    case S3ErrorReason::ServerError:
      return "server-error";
    case S3ErrorReason::NoResponse:
      return "no-response";
    case S3ErrorReason::Cancelled:
      return "cancelled";
    case S3ErrorReason::Other:
      break;
  }
  return "other";
}

S3ErrorReason reason_of(long status, const std::string& code) {
  if (status == 0) return S3ErrorReason::NoResponse;
  if (code == "NoSuchKey" || code == "NoSuchVersion" || (status == 404 && code == "NotFound"))
    return S3ErrorReason::NoSuchKey;
  if (code == "NoSuchBucket") return S3ErrorReason::NoSuchBucket;
  if (code == "NoSuchUpload") return S3ErrorReason::NoSuchUpload;
  if (status == 412 || code == "PreconditionFailed") return S3ErrorReason::PreconditionFailed;
  if (code == "ConditionalRequestConflict") return S3ErrorReason::ConditionalConflict;
  if (code == "InvalidObjectState") return S3ErrorReason::ArchivedObject;
  if (code == "RestoreAlreadyInProgress") return S3ErrorReason::RestoreInProgress;
  if (status == 416 || code == "InvalidRange") return S3ErrorReason::InvalidRange;
  if (one_of(kDeniedCodes, code) || code.rfind("KMS.", 0) == 0) return S3ErrorReason::AccessDenied;
  if (one_of(kBadCredentialCodes, code)) return S3ErrorReason::BadCredentials;
  if (one_of(kWrongRegionCodes, code) || status == 301 || status == 307) return S3ErrorReason::WrongRegion;
  const ErrorKind kind = classify_error(status, 0, code);
  if (kind == ErrorKind::Throttling) return S3ErrorReason::Throttled;
  if (status >= 500 || kind == ErrorKind::Transient) return S3ErrorReason::ServerError;
  return S3ErrorReason::Other;
}

S3Error::S3Error(const S3ErrorInfo& info)
    : S3Error(info.cancelled ? S3ErrorReason::Cancelled : reason_of(info.http_status, info.code), info) {}

S3Error::S3Error(S3ErrorReason reason, const S3ErrorInfo& info)
    : s3tar::Error(category_of(info, reason), describe(info)), info_(info), reason_(reason) {}

}  // namespace s3tar::s3
