// Object keys to tar member names.
#pragma once

#include <string>
#include <string_view>

namespace s3tar::tar {

// The member name for an object key. Keys are used as names except that segments (split at '/')
// a naive extractor would misuse are percent-encoded, per segment:
//   ""   (leading '/', "//", trailing '/') -> "%"
//   "."  -> "%2E",   ".." -> "%2E%2E"
//   a segment starting with '%'            -> its '%' characters become "%25"
// Every other segment is kept byte for byte. So a name segment is either a literal segment that
// does not start with '%', or an escaped one that does; key_for_member_name inverts the mapping.
// The TOC always keeps the exact key.
std::string member_name_for_key(std::string_view key);

// Inverse of member_name_for_key.
std::string key_for_member_name(std::string_view name);

}  // namespace s3tar::tar
