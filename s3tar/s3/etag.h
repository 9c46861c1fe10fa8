// ETag arithmetic: a multipart object's ETag from its parts', and the quoting S3 puts around them.
#pragma once

#include <string>
#include <vector>

namespace s3tar::s3 {

// Multipart ETag: hex MD5 of the concatenated binary part MD5s, then "-N". Throws
// std::invalid_argument when a part ETag is not 32 hex digits.
std::string multipart_etag(const std::vector<std::string>& part_etags_hex);

// "\"abc\"" and "&quot;abc&quot;" (some servers' XML) → "abc"; anything else unchanged.
std::string strip_quotes(std::string etag);

}  // namespace s3tar::s3
