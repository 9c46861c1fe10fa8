#pragma once

#include <string>
#include <string_view>

namespace s3tar::inventory {

// Decodes an S3 Inventory key like Python's urllib.parse.unquote_plus, but byte-exact:
// `+` is a space, `%XX` is the byte 0xXX, anything else (including a `%` not followed by two
// hex digits) is kept as is. The result is raw bytes (UTF-8 for real keys).
std::string form_decode(std::string_view encoded);
// The same into `out` (replacing its contents, reusing its memory).
void form_decode(std::string_view encoded, std::string& out);

// Like form_decode but `+` stays `+` (plain RFC 3986 percent-decoding).
std::string percent_decode(std::string_view encoded);

// ASCII case-insensitive boolean: "true"/"false". Returns false from `ok` otherwise.
bool parse_bool(std::string_view text, bool& ok);

// `text` for a one-line message: at most `max` bytes of it (cut at a UTF-8 character boundary),
// then "... (N bytes)" when it was longer, so a huge field never makes a huge log line.
std::string abbreviate(std::string_view text, std::size_t max = 80);

// Case-insensitive comparison of hex digests after trimming whitespace.
bool same_hex_digest(std::string_view a, std::string_view b);

}  // namespace s3tar::inventory
