// S3's answers, parsed: pure functions from a response body (or headers) to values. No I/O, no
// global state; malformed input throws MalformedResponse and nothing else, so a fuzzer can call
// them on arbitrary bytes.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "s3tar/errors.h"
#include "s3tar/s3/http/http_message.h"
#include "s3tar/s3/types.h"

namespace s3tar::s3 {

// A 2xx answer that cannot be what the operation returns (not XML, the wrong document, a
// required field missing). Transient: a server or a proxy in between garbled it.
class MalformedResponse : public TransientError {
 public:
  using TransientError::TransientError;
};

// An S3 <Error> document: returns false when the body is not one (no <Error> root or no <Code>).
bool parse_error_body(std::string_view body, std::string& code, std::string& message,
                      std::string& request_id);

// ListObjectsV2 (<ListBucketResult>).
ListPage parse_list_objects(std::string_view body);

// CreateMultipartUpload: the UploadId.
std::string parse_initiate_upload(std::string_view body);

// UploadPartCopy (<CopyPartResult>): the part's ETag, without quotes.
std::string parse_copy_part_result(std::string_view body);

// CopyObject (<CopyObjectResult>): the new object's ETag; empty when absent.
std::string parse_copy_object_result(std::string_view body);

// CompleteMultipartUpload: the final ETag; empty when the server sent none (RGW's first answer).
std::string parse_complete_result(std::string_view body);

struct UploadsPage {
  std::vector<UploadInfo> uploads;
  bool truncated = false;
  std::string next_key_marker, next_upload_id_marker;
};
// ListMultipartUploads (<ListMultipartUploadsResult>; the root's name is not checked).
UploadsPage parse_list_uploads(std::string_view body);

struct PartsPage {
  std::vector<PartInfo> parts;
  bool truncated = false;
  std::string next_part_number_marker;
};
// ListParts. The root is ListPartsResult on AWS and RGW but ListPartsResponse on moto: like the
// SDKs, the root's name is not checked.
PartsPage parse_list_parts(std::string_view body);

// DeleteObjects (quiet mode): the keys that could not be deleted, with their error codes.
std::vector<std::pair<std::string, std::string>> parse_delete_result(std::string_view body);

// HeadObject/GetObject headers (names lowercased). Size comes from Content-Range's total when
// the answer is ranged. Malformed numbers read as 0 (the callers' size checks catch them).
ObjectInfo parse_object_headers(const HeaderList& headers);

}  // namespace s3tar::s3
