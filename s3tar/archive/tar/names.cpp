#include "s3tar/archive/tar/names.h"

#include <stdexcept>

#include "s3tar/s3/digest.h"

namespace s3tar::tar {
namespace {

using s3::hex_digit_value;

void append_escaped_segment(std::string& out, std::string_view seg) {
  if (seg.empty()) {
    out += '%';
  } else if (seg == ".") {
    out += "%2E";
  } else if (seg == "..") {
    out += "%2E%2E";
  } else if (seg.front() == '%') {
    for (char c : seg) {
      if (c == '%')
        out += "%25";
      else
        out += c;
    }
  } else {
    out += seg;
  }
}

void append_unescaped_segment(std::string& out, std::string_view seg) {
  if (seg.empty() || seg.front() != '%') {
    out += seg;
    return;
  }
  if (seg == "%") return;  // an empty key segment
  for (std::size_t i = 0; i < seg.size(); ++i) {
    if (seg[i] == '%' && i + 2 < seg.size() && hex_digit_value(seg[i + 1]) >= 0 &&
        hex_digit_value(seg[i + 2]) >= 0) {
      out += static_cast<char>(hex_digit_value(seg[i + 1]) * 16 + hex_digit_value(seg[i + 2]));
      i += 2;
    } else {
      out += seg[i];
    }
  }
}

template <typename Fn>
std::string map_segments(std::string_view s, Fn fn) {
  std::string out;
  out.reserve(s.size() + 8);
  std::size_t start = 0;
  while (true) {
    std::size_t slash = s.find('/', start);
    fn(out, s.substr(start, slash == std::string_view::npos ? std::string_view::npos : slash - start));
    if (slash == std::string_view::npos) break;
    out += '/';
    start = slash + 1;
  }
  return out;
}

}  // namespace

std::string member_name_for_key(std::string_view key) { return map_segments(key, append_escaped_segment); }

std::string key_for_member_name(std::string_view name) {
  return map_segments(name, append_unescaped_segment);
}

}  // namespace s3tar::tar
