// What S3's answers mean for callers: reasons, categories, retryable and ambiguous flags.
#include "s3tar/s3/errors.h"

#include <gtest/gtest.h>

namespace s3tar::s3 {
namespace {

S3Error error(long status, const std::string& code, bool retryable = false) {
  S3ErrorInfo i;
  i.operation = "GetObject";
  i.resource = "s3://b/k";
  i.http_status = status;
  i.code = code;
  i.retryable = retryable;
  return S3Error(i);
}

TEST(S3ErrorReason, MissingObjectsAndVersions) {
  EXPECT_TRUE(error(404, "NoSuchKey").is_not_found());
  EXPECT_TRUE(error(404, "NoSuchVersion").is_not_found());
  EXPECT_TRUE(error(404, "NotFound").is_not_found()) << "a HEAD 404 has no body";
  EXPECT_FALSE(error(404, "NoSuchBucket").is_not_found()) << "a missing bucket is a configuration problem";
  EXPECT_FALSE(error(404, "NoSuchUpload").is_not_found());
  EXPECT_TRUE(error(404, "NoSuchUpload").is_no_such_upload());
  EXPECT_EQ(error(404, "NoSuchBucket").reason(), S3ErrorReason::NoSuchBucket);
}

TEST(S3ErrorReason, PreconditionsArchivesDenialsAndThrottling) {
  EXPECT_TRUE(error(412, "PreconditionFailed").is_precondition_failed());
  EXPECT_TRUE(error(412, "").is_precondition_failed());
  EXPECT_TRUE(error(409, "ConditionalRequestConflict").is_conditional_conflict());
  EXPECT_TRUE(error(403, "InvalidObjectState").is_archived());
  EXPECT_TRUE(error(416, "InvalidRange").is_invalid_range());
  EXPECT_EQ(error(403, "AccessDenied").reason(), S3ErrorReason::AccessDenied);
  EXPECT_EQ(error(400, "KMS.DisabledException").reason(), S3ErrorReason::AccessDenied);
  EXPECT_EQ(error(403, "SignatureDoesNotMatch").reason(), S3ErrorReason::BadCredentials);
  EXPECT_EQ(error(400, "ExpiredToken").reason(), S3ErrorReason::BadCredentials);
  EXPECT_TRUE(error(503, "SlowDown").is_throttled());
  EXPECT_TRUE(error(429, "TooManyRequests").is_throttled());
  EXPECT_EQ(error(200, "InternalError").reason(), S3ErrorReason::ServerError) << "a 200 carrying an <Error>";
  EXPECT_EQ(error(502, "HTTP502").reason(), S3ErrorReason::ServerError);
  EXPECT_EQ(error(0, "TransportError").reason(), S3ErrorReason::NoResponse);
  EXPECT_EQ(error(400, "EntityTooSmall").reason(), S3ErrorReason::Other);
}

TEST(S3ErrorCategory, RetryableIsTransientWhateverTheStatus) {
  EXPECT_EQ(error(200, "InternalError", true).category(), ErrorCategory::Transient);
  EXPECT_EQ(error(503, "SlowDown", true).category(), ErrorCategory::Transient);
  EXPECT_EQ(error(0, "TransportError", true).category(), ErrorCategory::Transient);
  EXPECT_EQ(error(403, "AccessDenied").category(), ErrorCategory::Usage);
  EXPECT_EQ(error(404, "NoSuchBucket").category(), ErrorCategory::Usage);
  EXPECT_EQ(error(403, "InvalidAccessKeyId").category(), ErrorCategory::Usage);
  EXPECT_EQ(error(404, "NoSuchKey").category(), ErrorCategory::BadInput);
  EXPECT_EQ(error(412, "PreconditionFailed").category(), ErrorCategory::BadInput);
}

TEST(S3ErrorFlags, CancelledAndAmbiguous) {
  S3ErrorInfo i;
  i.operation = "CompleteMultipartUpload";
  i.resource = "s3://b/k";
  i.code = "TransportError";
  i.cancelled = true;
  i.ambiguous = true;
  const S3Error e(i);
  EXPECT_TRUE(e.cancelled());
  EXPECT_TRUE(e.ambiguous());
  EXPECT_EQ(e.reason(), S3ErrorReason::Cancelled);
  EXPECT_EQ(e.category(), ErrorCategory::Transient);
  EXPECT_NE(std::string(e.what()).find("cancelled"), std::string::npos) << e.what();
}

TEST(S3ErrorMessage, NamesOperationResourceStatusCodeAndAttempts) {
  S3ErrorInfo i{"UploadPartCopy",
                "s3://src/a",
                500,
                "InternalError",
                "We encountered an internal error",
                "RID1",
                3,
                true};
  EXPECT_STREQ(
      S3Error(i).what(),
      "UploadPartCopy s3://src/a: HTTP 500 InternalError: We encountered an internal error (request id "
      "RID1) after 3 attempts");
  S3ErrorInfo t{"GetObject", "s3://b/k", 0,   "TransportError", "Could not resolve host: x.invalid",
                "",          1,          true};
  EXPECT_STREQ(S3Error(t).what(), "GetObject s3://b/k: Could not resolve host: x.invalid");
}

}  // namespace
}  // namespace s3tar::s3
