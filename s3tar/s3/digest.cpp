#include "s3tar/s3/digest.h"

#include <openssl/evp.h>

#include <new>

namespace s3tar::s3 {

std::string hex_encode(std::string_view bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char c : bytes) {
    out.push_back(kHex[c >> 4]);
    out.push_back(kHex[c & 0xF]);
  }
  return out;
}

int hex_digit_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string md5_raw(std::string_view data) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), md, &len, EVP_md5(), nullptr);
  return std::string(reinterpret_cast<char*>(md), len);
}

std::string md5_hex(std::string_view data) { return hex_encode(md5_raw(data)); }

std::string base64(std::string_view bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3), '\0');
  const int len =
      EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                      reinterpret_cast<const unsigned char*>(bytes.data()), static_cast<int>(bytes.size()));
  out.resize(static_cast<size_t>(len));
  return out;
}

Md5Stream::Md5Stream() : ctx_(EVP_MD_CTX_new()) {
  if (!ctx_) throw std::bad_alloc();
  reset();
}

Md5Stream::~Md5Stream() { EVP_MD_CTX_free(ctx_); }

void Md5Stream::reset() {
  EVP_DigestInit_ex(ctx_, EVP_md5(), nullptr);
  bytes_ = 0;
}

void Md5Stream::update(const char* data, size_t size) {
  EVP_DigestUpdate(ctx_, data, size);
  bytes_ += size;
}

std::string Md5Stream::hex() {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_DigestFinal_ex(ctx_, md, &len);
  return hex_encode(std::string_view(reinterpret_cast<const char*>(md), len));
}

bool is_md5_etag(std::string_view etag) {
  return etag.size() == 32 && etag.find_first_not_of("0123456789abcdef") == std::string_view::npos;
}

}  // namespace s3tar::s3
