#include "s3tar/s3/etag.h"

#include <stdexcept>

#include "s3tar/s3/digest.h"

namespace s3tar::s3 {
std::string multipart_etag(const std::vector<std::string>& part_etags_hex) {
  std::string concat;
  concat.reserve(part_etags_hex.size() * 16);
  for (const auto& hex : part_etags_hex) {
    if (hex.size() != 32) throw std::invalid_argument("part ETag is not an MD5: " + hex);
    for (size_t i = 0; i < 32; i += 2) {
      const int hi = hex_digit_value(hex[i]), lo = hex_digit_value(hex[i + 1]);
      if (hi < 0 || lo < 0) throw std::invalid_argument("part ETag is not an MD5: " + hex);
      concat.push_back(static_cast<char>(hi * 16 + lo));
    }
  }
  return hex_encode(md5_raw(concat)) + "-" + std::to_string(part_etags_hex.size());
}

std::string strip_quotes(std::string etag) {
  if (etag.size() >= 2 && etag.front() == '"' && etag.back() == '"') return etag.substr(1, etag.size() - 2);
  if (etag.size() >= 12 && etag.rfind("&quot;", 0) == 0) return etag.substr(6, etag.size() - 12);
  return etag;
}

}  // namespace s3tar::s3
