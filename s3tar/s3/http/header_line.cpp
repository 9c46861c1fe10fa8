#include "s3tar/s3/http/header_line.h"

#include <cctype>

namespace s3tar::s3 {
namespace {

std::string lowercase(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n')) {
    s.remove_suffix(1);
  }
  return s;
}

}  // namespace

HeaderLine read_header_line(std::string_view line) {
  HeaderLine h;
  if (line.size() >= 5 && line.substr(0, 5) == "HTTP/") {
    h.kind = HeaderLine::Kind::Status;
    return h;
  }
  const std::string_view content = trim(line);
  if (content.empty()) return h;
  if (line.front() == ' ' || line.front() == '\t') {  // obsolete line folding
    h.kind = HeaderLine::Kind::Continuation;
    h.value = std::string(content);
    return h;
  }
  const auto colon = content.find(':');
  if (colon == std::string_view::npos) return h;
  h.kind = HeaderLine::Kind::Field;
  h.name = lowercase(trim(content.substr(0, colon)));
  h.value = std::string(trim(content.substr(colon + 1)));
  return h;
}

Origin parse_origin(const std::string& base_url) {
  Origin o;
  const auto sep = base_url.find("://");
  if (sep == std::string::npos) return o;
  o.scheme = base_url.substr(0, sep);
  std::string authority = base_url.substr(sep + 3);
  authority = authority.substr(0, authority.find('/'));
  if (!authority.empty() && authority.front() == '[') {
    o.host = authority.substr(1, authority.find(']') - 1);
  } else {
    o.host = authority.substr(0, authority.rfind(':'));
  }
  return o;
}

}  // namespace s3tar::s3
