#include "s3tar/s3/http/curl_global.h"

#include <curl/curl.h>

#include <mutex>
#include <stdexcept>

namespace s3tar::s3 {

void ensure_curl_global_init() {
  static std::once_flag once;
  std::call_once(once, [] {
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
      throw std::runtime_error("curl_global_init failed");
  });
}

}  // namespace s3tar::s3
