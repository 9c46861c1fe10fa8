#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

namespace s3tar::inventory {

// Streaming MD5 (OpenSSL EVP).
class Md5 {
 public:
  Md5();
  ~Md5();
  Md5(const Md5&) = delete;
  Md5& operator=(const Md5&) = delete;

  void update(const void* data, std::size_t size);
  // Lowercase hex digest; the object must not be updated afterwards.
  std::string hex_digest();

  static std::string hex(std::string_view data);

 private:
  struct Ctx;
  std::unique_ptr<Ctx> ctx_;
};

// Case-insensitive comparison of hex digests after trimming whitespace.
bool same_hex_digest(std::string_view a, std::string_view b);

}  // namespace s3tar::inventory
