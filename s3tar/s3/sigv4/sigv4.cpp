#include "s3tar/s3/sigv4/sigv4.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <mutex>
#include <stdexcept>
#include <vector>

#include "s3tar/s3/digest.h"

namespace s3tar::s3 {
namespace {

constexpr std::string_view kAlgorithm = "AWS4-HMAC-SHA256";
constexpr std::string_view kTerminator = "aws4_request";

char ascii_lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

std::string lowercase(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), ascii_lower);
  return out;
}

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f'; }

// SigV4 "Trimall": strip leading/trailing whitespace, collapse inner runs into one space.
std::string trim_all(std::string_view v) {
  std::string out;
  out.reserve(v.size());
  bool pending_space = false;
  for (char c : v) {
    if (is_space(c)) {
      pending_space = !out.empty();
      continue;
    }
    if (pending_space) out.push_back(' ');
    pending_space = false;
    out.push_back(c);
  }
  return out;
}

bool is_signed_header(std::string_view lname, std::span<const std::string> extra) {
  if (lname == "host") return false;  // always signed, from req.host
  if (lname.starts_with("x-amz-") || lname == "content-type" || lname == "content-md5" || lname == "range") {
    return true;
  }
  return std::find(extra.begin(), extra.end(), lname) != extra.end();
}

// Host for signing: req.host, or (fallback) the authority of base_url without a default port,
// which is what an HTTP client sends.
std::string signing_host(const HttpRequest& req) {
  if (!req.host.empty()) return req.host;
  std::string_view u = req.base_url;
  bool https = false;
  if (auto p = u.find("://"); p != std::string_view::npos) {
    https = lowercase(u.substr(0, p)) == "https";
    u.remove_prefix(p + 3);
  }
  u = u.substr(0, u.find('/'));
  if (https && u.ends_with(":443")) u.remove_suffix(4);
  if (!https && u.ends_with(":80")) u.remove_suffix(3);
  return std::string(u);
}

struct CanonicalHeader {
  std::string name;   // lowercase
  std::string value;  // trimmed; repeated headers joined with ','
};

std::vector<CanonicalHeader> canonical_headers(const HttpRequest& req, std::span<const std::string> extra) {
  std::vector<CanonicalHeader> out;
  out.push_back({"host", trim_all(signing_host(req))});
  for (const auto& [name, value] : req.headers) {
    std::string lname = lowercase(trim_all(name));
    if (!is_signed_header(lname, extra)) continue;
    auto it = std::find_if(out.begin(), out.end(), [&](const CanonicalHeader& h) { return h.name == lname; });
    if (it == out.end()) {
      out.push_back({std::move(lname), trim_all(value)});
    } else {
      it->value += ',';
      it->value += trim_all(value);
    }
  }
  std::sort(out.begin(), out.end(),
            [](const CanonicalHeader& a, const CanonicalHeader& b) { return a.name < b.name; });
  return out;
}

std::string join_names(const std::vector<CanonicalHeader>& headers) {
  std::string out;
  for (const auto& h : headers) {
    if (!out.empty()) out.push_back(';');
    out += h.name;
  }
  return out;
}

std::string payload_hash(const HttpRequest& req) {
  if (auto h = req.header("x-amz-content-sha256")) return trim_all(*h);
  if (!req.body || req.body->empty()) return std::string(kEmptyPayloadSha256);
  return sha256_hex(*req.body);
}

void erase_header(HttpRequest& req, std::string_view lname) {
  std::erase_if(req.headers, [&](const auto& kv) { return lowercase(kv.first) == lname; });
}

// Derived keys per (secret, date, region, service). Few distinct entries exist at a time (one
// credential set, one or two regions), so a small list with round-robin eviction is enough.
class SigningKeyCache {
 public:
  std::string get(std::string_view secret, std::string_view date, std::string_view region,
                  std::string_view service) {
    {
      std::lock_guard lock(mu_);
      for (const auto& e : entries_) {
        if (e.secret == secret && e.date == date && e.region == region && e.service == service) return e.key;
      }
    }
    std::string key = signing_key(secret, date, region, service);
    std::lock_guard lock(mu_);
    Entry e{std::string(secret), std::string(date), std::string(region), std::string(service), key};
    if (entries_.size() < kCapacity) {
      entries_.push_back(std::move(e));
    } else {
      entries_[next_] = std::move(e);
      next_ = (next_ + 1) % kCapacity;
    }
    return key;
  }

 private:
  struct Entry {
    std::string secret, date, region, service, key;
  };
  static constexpr size_t kCapacity = 16;
  std::mutex mu_;
  std::vector<Entry> entries_;
  size_t next_ = 0;
};

SigningKeyCache& key_cache() {
  static SigningKeyCache cache;
  return cache;
}

std::string credential_scope(std::string_view date, const SigningParams& params) {
  std::string s(date);
  s += '/';
  s += params.region;
  s += '/';
  s += params.service;
  s += '/';
  s += kTerminator;
  return s;
}

}  // namespace

std::string sha256_hex(std::string_view data) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> md{};
  unsigned int len = 0;
  if (EVP_Digest(data.data(), data.size(), md.data(), &len, EVP_sha256(), nullptr) != 1) {
    throw std::runtime_error("SHA-256 failed");
  }
  return hex_encode(std::string_view(reinterpret_cast<const char*>(md.data()), len));
}

std::string hmac_sha256(std::string_view key, std::string_view data) {
  static const unsigned char kNoBytes[1] = {0};
  std::array<unsigned char, EVP_MAX_MD_SIZE> md{};
  unsigned int len = 0;
  // Never hand OpenSSL a null pointer: an empty key or message is still a valid input.
  const void* k = key.empty() ? kNoBytes : static_cast<const void*>(key.data());
  const auto* d = data.empty() ? kNoBytes : reinterpret_cast<const unsigned char*>(data.data());
  if (HMAC(EVP_sha256(), k, static_cast<int>(key.size()), d, data.size(), md.data(), &len) == nullptr) {
    throw std::runtime_error("HMAC-SHA256 failed");
  }
  return std::string(reinterpret_cast<const char*>(md.data()), len);
}

std::string amz_date(std::chrono::system_clock::time_point time) {
  using namespace std::chrono;
  const auto secs = floor<seconds>(time);
  const auto day = floor<days>(secs);
  const year_month_day ymd{day};
  const hh_mm_ss hms{secs - day};
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d%02u%02uT%02d%02d%02dZ", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                static_cast<int>(hms.hours().count()), static_cast<int>(hms.minutes().count()),
                static_cast<int>(hms.seconds().count()));
  return buf;
}

std::string signing_key(std::string_view secret, std::string_view date, std::string_view region,
                        std::string_view service) {
  std::string k = "AWS4";
  k += secret;
  std::string key = hmac_sha256(k, date);
  OPENSSL_cleanse(k.data(), k.size());  // the secret-bearing copy
  key = hmac_sha256(key, region);
  key = hmac_sha256(key, service);
  return hmac_sha256(key, kTerminator);
}

std::string signed_headers(const HttpRequest& req, std::span<const std::string> extra_signed_headers) {
  return join_names(canonical_headers(req, extra_signed_headers));
}

std::string canonical_request(const HttpRequest& req, std::span<const std::string> extra_signed_headers) {
  const auto headers = canonical_headers(req, extra_signed_headers);
  std::string cr;
  cr += req.method;
  cr += '\n';
  cr += req.encoded_path.empty() ? std::string("/") : req.encoded_path;
  cr += '\n';
  cr += canonical_query(req.query);
  cr += '\n';
  for (const auto& h : headers) {
    cr += h.name;
    cr += ':';
    cr += h.value;
    cr += '\n';
  }
  cr += '\n';
  cr += join_names(headers);
  cr += '\n';
  cr += payload_hash(req);
  return cr;
}

std::string string_to_sign(std::string_view canonical_request, const SigningParams& params) {
  const std::string date = amz_date(params.time);
  std::string sts(kAlgorithm);
  sts += '\n';
  sts += date;
  sts += '\n';
  sts += credential_scope(std::string_view(date).substr(0, 8), params);
  sts += '\n';
  sts += sha256_hex(canonical_request);
  return sts;
}

void sign_request(HttpRequest& req, const Credentials& creds, const SigningParams& params) {
  const std::string date = amz_date(params.time);
  const std::string_view day = std::string_view(date).substr(0, 8);

  erase_header(req, "authorization");
  req.set_header("x-amz-date", date);
  if (!req.header("x-amz-content-sha256")) req.set_header("x-amz-content-sha256", payload_hash(req));
  if (!creds.session_token.empty()) {
    req.set_header("x-amz-security-token", creds.session_token);
  } else {
    erase_header(req, "x-amz-security-token");  // left over from earlier, temporary credentials
  }

  const std::string cr = canonical_request(req);
  const std::string sts = string_to_sign(cr, params);
  const std::string key = key_cache().get(creds.secret_access_key, day, params.region, params.service);
  const std::string signature = hex_encode(hmac_sha256(key, sts));

  std::string auth(kAlgorithm);
  auth += " Credential=";
  auth += creds.access_key_id;
  auth += '/';
  auth += credential_scope(day, params);
  auth += ", SignedHeaders=";
  auth += signed_headers(req);
  auth += ", Signature=";
  auth += signature;
  req.set_header("Authorization", std::move(auth));
}

}  // namespace s3tar::s3
