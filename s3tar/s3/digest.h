// MD5 and base64, as S3 uses them: Content-MD5 headers, part ETags, multipart ETags.
#pragma once

#include <string>
#include <string_view>

namespace s3tar::s3 {

std::string md5_raw(std::string_view data);  // 16 bytes
std::string md5_hex(std::string_view data);  // 32 lowercase hex digits
std::string base64(std::string_view bytes);

}  // namespace s3tar::s3
