// One response header line as libcurl's header callback hands it over: a status line (a new
// response begins: 100 Continue, then the final one), the continuation of a folded value, or a
// "name: value" field.
#pragma once

#include <string>
#include <string_view>

namespace s3tar::s3 {

struct HeaderLine {
  enum class Kind { Status, Continuation, Field, Other };
  Kind kind = Kind::Other;
  std::string name;   // Field: lowercased
  std::string value;  // Field: trimmed; Continuation: the trimmed text to append
};

HeaderLine read_header_line(std::string_view line);

// "https://bucket.s3.example:8443" -> scheme "https", host "bucket.s3.example" (no port, no
// brackets around an IPv6 address).
struct Origin {
  std::string scheme, host;
};
Origin parse_origin(const std::string& base_url);

}  // namespace s3tar::s3
