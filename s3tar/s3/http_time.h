// The two date formats S3 speaks: ISO 8601 in XML bodies, RFC 1123 in headers.
#pragma once

#include <cstdint>
#include <string>

namespace s3tar::s3 {

// "2025-11-20T13:45:07.000Z" or "Thu, 20 Nov 2025 13:45:07 GMT" → unix seconds (UTC); 0 when the
// text is neither.
int64_t parse_http_time(const std::string& text);

}  // namespace s3tar::s3
