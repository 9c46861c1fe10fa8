#include "s3tar/s3/credentials/support.h"

#include <fmt/format.h>
#include <openssl/sha.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <fstream>
#include <sstream>

#include "s3tar/s3/credentials/credentials.h"
#include "s3tar/s3/digest.h"

namespace s3tar::s3::credentials_detail {

std::optional<std::string> env(const char* name) {
  const char* v = std::getenv(name);
  if (v == nullptr || *v == '\0') return std::nullopt;
  return std::string(v);
}

bool env_flag(const char* name) {
  auto v = env(name);
  if (!v) return false;
  std::string s = trim(*v);
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s == "true" || s == "1" || s == "yes" || s == "on";
}

namespace {

bool digits(std::string_view s, std::size_t pos, std::size_t n, int& out) {
  if (pos + n > s.size()) return false;
  out = 0;
  for (std::size_t i = pos; i < pos + n; ++i) {
    if (!std::isdigit(static_cast<unsigned char>(s[i]))) return false;
    out = out * 10 + (s[i] - '0');
  }
  return true;
}

}  // namespace

std::optional<std::chrono::system_clock::time_point> parse_iso8601(std::string_view s) {
  std::string text = trim(s);
  std::string_view t(text);
  int year, mon, day, hour, min, sec;
  if (!digits(t, 0, 4, year) || t.size() < 19 || t[4] != '-' || !digits(t, 5, 2, mon) || t[7] != '-' ||
      !digits(t, 8, 2, day) || (t[10] != 'T' && t[10] != 't' && t[10] != ' ') || !digits(t, 11, 2, hour) ||
      t[13] != ':' || !digits(t, 14, 2, min) || t[16] != ':' || !digits(t, 17, 2, sec)) {
    return std::nullopt;
  }
  if (mon < 1 || mon > 12 || day < 1 || day > 31 || hour > 23 || min > 59 || sec > 60) return std::nullopt;
  std::size_t pos = 19;
  std::chrono::nanoseconds frac{0};
  if (pos < t.size() && t[pos] == '.') {
    ++pos;
    long long scale = 100000000;
    std::size_t start = pos;
    while (pos < t.size() && std::isdigit(static_cast<unsigned char>(t[pos]))) {
      frac += std::chrono::nanoseconds((t[pos] - '0') * scale);
      scale /= 10;
      ++pos;
    }
    if (pos == start) return std::nullopt;
  }
  int offset_seconds = 0;
  if (pos == t.size()) {
    // No zone: AWS always sends UTC; treat it as such.
  } else if ((t[pos] == 'Z' || t[pos] == 'z') && pos + 1 == t.size()) {
  } else if (t.substr(pos) == "UTC" || t.substr(pos) == "GMT") {
    // Older AWS CLI versions wrote SSO cache timestamps as "2019-11-14T04:05:45UTC".
  } else if (t[pos] == '+' || t[pos] == '-') {
    int oh, om;
    int sign = t[pos] == '+' ? 1 : -1;
    if (!digits(t, pos + 1, 2, oh)) return std::nullopt;
    std::size_t mpos = pos + 3;
    if (mpos < t.size() && t[mpos] == ':') ++mpos;
    if (!digits(t, mpos, 2, om) || mpos + 2 != t.size()) return std::nullopt;
    offset_seconds = sign * (oh * 3600 + om * 60);
  } else {
    return std::nullopt;
  }
  std::tm tm{};
  tm.tm_year = year - 1900;
  tm.tm_mon = mon - 1;
  tm.tm_mday = day;
  tm.tm_hour = hour;
  tm.tm_min = min;
  tm.tm_sec = sec;
  std::time_t epoch = timegm(&tm);
  // system_clock counts nanoseconds in 64 bits: about 1678..2262. Credentials and tokens that
  // "never expire" are written with dates like 2999-01-01; clamp to 2200-01-01 (still "far in
  // the future" for every use here) instead of overflowing.
  constexpr std::time_t kFarFuture = 7258118400;  // 2200-01-01T00:00:00Z
  epoch = std::clamp(epoch, -kFarFuture, kFarFuture);
  auto tp = std::chrono::system_clock::from_time_t(epoch) - std::chrono::seconds(offset_seconds);
  return tp + std::chrono::duration_cast<std::chrono::system_clock::duration>(frac);
}

std::string redact(std::string text, std::initializer_list<std::string_view> secrets) {
  for (auto secret : secrets) {
    if (secret.empty()) continue;
    std::size_t pos = 0;
    while ((pos = text.find(secret, pos)) != std::string::npos) {
      text.replace(pos, secret.size(), "***");
      pos += 3;
    }
  }
  return text;
}

std::string truncate(std::string text, std::size_t max) {
  if (text.size() > max) {
    text.resize(max);
    text += "...";
  }
  return text;
}

std::string read_file(const std::string& path, std::string_view what) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    throw CredentialsError(fmt::format("cannot read {} '{}': {}", what, path, std::strerror(errno)));
  }
  std::ostringstream ss;
  ss << in.rdbuf();
  if (in.bad()) throw CredentialsError(fmt::format("error reading {} '{}'", what, path));
  return ss.str();
}

std::string sha1_hex(std::string_view data) {
  unsigned char digest[SHA_DIGEST_LENGTH];
  SHA1(reinterpret_cast<const unsigned char*>(data.data()), data.size(), digest);
  return hex_encode(std::string_view(reinterpret_cast<const char*>(digest), sizeof digest));
}

std::string trim(std::string_view s) {
  std::size_t b = 0, e = s.size();
  while (b < e && std::isspace(static_cast<unsigned char>(s[b]))) ++b;
  while (e > b && std::isspace(static_cast<unsigned char>(s[e - 1]))) --e;
  return std::string(s.substr(b, e - b));
}

}  // namespace s3tar::s3::credentials_detail
