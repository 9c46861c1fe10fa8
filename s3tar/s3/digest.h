// Digests and byte encodings as S3 uses them: hex, MD5 (Content-MD5 headers, part ETags,
// multipart ETags, inventory checksums) and base64. A library of its own (s3tar_digest, OpenSSL
// only), so that readers that do not talk to S3 themselves (the inventory reader, the tar layer)
// share it without the client.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

struct evp_md_ctx_st;  // OpenSSL's EVP_MD_CTX

namespace s3tar::s3 {

std::string hex_encode(std::string_view bytes);  // lowercase
// The value of one hex digit (either case), or -1 when `c` is not one.
int hex_digit_value(char c);

std::string md5_raw(std::string_view data);  // 16 bytes
std::string md5_hex(std::string_view data);  // 32 lowercase hex digits
std::string base64(std::string_view bytes);

// A single-part upload's ETag is the MD5 of the object's bytes: 32 lowercase hex digits.
// Multipart ("hex-N") and SSE-KMS ETags are not, and tell nothing about the bytes.
bool is_md5_etag(std::string_view etag);

// MD5 of data fed in pieces (a streamed body), without holding it.
class Md5Stream {
 public:
  Md5Stream();
  ~Md5Stream();
  Md5Stream(const Md5Stream&) = delete;
  Md5Stream& operator=(const Md5Stream&) = delete;
  void update(const char* data, size_t size);
  void reset();       // start again (a retried transfer sends its bytes again)
  std::string hex();  // the digest of everything fed since the last reset; ends the stream
  uint64_t bytes() const { return bytes_; }

 private:
  ::evp_md_ctx_st* ctx_;
  uint64_t bytes_ = 0;
};

}  // namespace s3tar::s3
