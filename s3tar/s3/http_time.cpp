#include "s3tar/s3/http_time.h"

#include <ctime>

namespace s3tar::s3 {

int64_t parse_http_time(const std::string& text) {
  std::tm tm{};
  const char* end = strptime(text.c_str(), "%Y-%m-%dT%H:%M:%S", &tm);
  if (!end) end = strptime(text.c_str(), "%a, %d %b %Y %H:%M:%S", &tm);
  if (!end) return 0;
  return static_cast<int64_t>(timegm(&tm));
}

}  // namespace s3tar::s3
