// Pure pieces of S3 requests: XML bodies and header values. No I/O.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "s3tar/s3/http/http_message.h"
#include "s3tar/s3/types.h"

namespace s3tar::s3 {

// <CompleteMultipartUpload> with the parts in the order given, ETags quoted.
std::string complete_body(const std::vector<CompletedPart>& parts);
// <Delete> in quiet mode (only failures are answered).
std::string delete_body(const std::vector<std::string>& keys);
// <Tagging><TagSet>.
std::string tagging_body(const std::vector<std::pair<std::string, std::string>>& tags);

// x-amz-copy-source: bucket/url-encoded-key[?versionId=V].
std::string copy_source(const ObjectRef& source);
// Range / x-amz-copy-source-range: "bytes=first-last".
std::string range_header(const ByteRange& range);
// x-amz-tagging: k=v&k2=v2, form-encoded.
std::string form_encode_pairs(const std::vector<std::pair<std::string, std::string>>& pairs);
// Storage class, content type, encryption, tags, metadata, checksum and If-None-Match headers.
void apply_write_options(HttpRequest& request, const WriteOptions& options);
// Content-MD5: base64 of the binary MD5.
std::string content_md5(std::string_view data);

}  // namespace s3tar::s3
