#include "inventory/md5.h"

#include <openssl/evp.h>
#include <strings.h>

#include <stdexcept>

#include "s3tar/s3/digest.h"

namespace s3tar::inventory {

struct Md5::Ctx {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  ~Ctx() { EVP_MD_CTX_free(ctx); }
};

Md5::Md5() : ctx_(std::make_unique<Ctx>()) {
  if (!ctx_->ctx || EVP_DigestInit_ex(ctx_->ctx, EVP_md5(), nullptr) != 1) {
    throw std::runtime_error("cannot initialise MD5");
  }
}

Md5::~Md5() = default;

void Md5::update(const void* data, std::size_t size) {
  if (EVP_DigestUpdate(ctx_->ctx, data, size) != 1) throw std::runtime_error("MD5 update failed");
}

std::string Md5::hex_digest() {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (EVP_DigestFinal_ex(ctx_->ctx, digest, &len) != 1) throw std::runtime_error("MD5 final failed");
  return s3::hex_encode(std::string_view(reinterpret_cast<const char*>(digest), len));
}

std::string Md5::hex(std::string_view data) {
  Md5 md5;
  md5.update(data.data(), data.size());
  return md5.hex_digest();
}

namespace {
std::string_view trim(std::string_view s) {
  const char* ws = " \t\r\n\v\f";
  const auto b = s.find_first_not_of(ws);
  if (b == std::string_view::npos) return {};
  return s.substr(b, s.find_last_not_of(ws) - b + 1);
}
}  // namespace

bool same_hex_digest(std::string_view a, std::string_view b) {
  a = trim(a);
  b = trim(b);
  return !a.empty() && a.size() == b.size() && strncasecmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace s3tar::inventory
