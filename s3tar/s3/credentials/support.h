// Small helpers shared by the credential providers: environment lookup, ISO 8601 timestamps,
// secret redaction and file reading.
#pragma once

#include <chrono>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>

namespace s3tar::s3::credentials_detail {

// The variable's value, or nullopt when it is unset or empty (an empty AWS_* variable means
// "not set" for every SDK).
std::optional<std::string> env(const char* name);

// True for "true"/"1"/"yes"/"on" in any case.
bool env_flag(const char* name);

// Parses "2024-05-01T12:34:56Z", with optional fractional seconds and a "Z", "UTC" or "+hh:mm"
// offset. nullopt when malformed.
std::optional<std::chrono::system_clock::time_point> parse_iso8601(std::string_view text);

// Replaces every occurrence of each non-empty secret in text by "***".
std::string redact(std::string text, std::initializer_list<std::string_view> secrets);

// Keeps at most max bytes of text, marking the cut.
std::string truncate(std::string text, std::size_t max = 256);

// Reads a whole file; throws CredentialsError naming `what` and the path on failure.
std::string read_file(const std::string& path, std::string_view what);

// Lowercase hex SHA-1 (the AWS CLI's SSO token cache key).
std::string sha1_hex(std::string_view data);

// Trims ASCII whitespace at both ends.
std::string trim(std::string_view s);

}  // namespace s3tar::s3::credentials_detail
