#include "inventory/encoding.h"

#include <strings.h>

#include "s3tar/s3/digest.h"

namespace s3tar::inventory {
namespace {

using s3::hex_digit_value;

void decode(std::string_view in, bool plus_is_space, std::string& out) {
  // Most keys have nothing to decode. Plain loops and a pointer into a sized buffer:
  // string_view::find_first_of calls memchr over the set once per character of `in`, and
  // push_back checks the capacity per character (together most of a scan thread's own CPU).
  const char* p = in.data();
  const char* const end = p + in.size();
  const char* first = p;
  while (first != end && *first != '%' && !(*first == '+' && plus_is_space)) ++first;
  out.assign(p, first);
  if (first == end) return;
  out.resize(in.size());
  char* o = out.data() + (first - p);
  for (const char* c = first; c != end; ++c) {
    if (*c == '+' && plus_is_space) {
      *o++ = ' ';
    } else if (*c == '%' && end - c > 2 && hex_digit_value(c[1]) >= 0 && hex_digit_value(c[2]) >= 0) {
      *o++ = static_cast<char>(hex_digit_value(c[1]) * 16 + hex_digit_value(c[2]));
      c += 2;
    } else {
      *o++ = *c;
    }
  }
  out.resize(static_cast<std::size_t>(o - out.data()));
}

}  // namespace

std::string form_decode(std::string_view encoded) {
  std::string out;
  decode(encoded, true, out);
  return out;
}

void form_decode(std::string_view encoded, std::string& out) { decode(encoded, true, out); }

std::string percent_decode(std::string_view encoded) {
  std::string out;
  decode(encoded, false, out);
  return out;
}

bool parse_bool(std::string_view text, bool& ok) {
  ok = true;
  // Reports write lowercase: compare that first, then any case.
  if (text == "true") return true;
  if (text == "false") return false;
  if (text.size() == 4 && strncasecmp(text.data(), "true", 4) == 0) return true;
  if (text.size() == 5 && strncasecmp(text.data(), "false", 5) == 0) return false;
  ok = false;
  return false;
}

std::string abbreviate(std::string_view text, std::size_t max) {
  if (text.size() <= max) return std::string(text);
  std::size_t cut = max;
  // Back up to the start of a UTF-8 character (continuation bytes are 10xxxxxx).
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
  return std::string(text.substr(0, cut)) + "... (" + std::to_string(text.size()) + " bytes)";
}

bool same_hex_digest(std::string_view a, std::string_view b) {
  const auto trim = [](std::string_view s) {
    const char* ws = " \t\r\n\v\f";
    const auto first = s.find_first_not_of(ws);
    if (first == std::string_view::npos) return std::string_view();
    return s.substr(first, s.find_last_not_of(ws) - first + 1);
  };
  a = trim(a);
  b = trim(b);
  return !a.empty() && a.size() == b.size() && strncasecmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace s3tar::inventory
