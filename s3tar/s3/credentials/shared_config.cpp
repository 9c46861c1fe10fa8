#include "s3tar/s3/credentials/shared_config.h"

#include <fmt/format.h>
#include <sys/stat.h>

#include <cctype>
#include <cerrno>
#include <fstream>
#include <sstream>

#include "s3tar/s3/credentials/credentials.h"
#include "s3tar/s3/credentials/support.h"

namespace s3tar::s3 {

using credentials_detail::env;
using credentials_detail::trim;

namespace {

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string home_path(const char* rest) {
  auto home = env("HOME");
  return (home ? *home : std::string(".")) + rest;
}

// Reads a file that may legitimately be absent (nullopt then).
std::optional<std::string> read_optional(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0 && errno == ENOENT) return std::nullopt;
    throw CredentialsError(fmt::format("cannot read AWS shared file '{}'", path));
  }
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::optional<IniSection> find_section(const IniFile& file, bool config_style, const std::string& profile) {
  if (config_style) {
    // "[profile NAME]" (any amount of whitespace), or "[default]" for the default profile;
    // "[profile default]" is accepted too and wins, like botocore.
    for (const auto& [header, section] : file) {
      std::string h = trim(header);
      if (h.rfind("profile", 0) == 0 && h.size() > 7 && std::isspace(static_cast<unsigned char>(h[7]))) {
        std::string name = trim(std::string_view(h).substr(8));
        if (name.size() >= 2 && (name.front() == '"' || name.front() == '\'') &&
            name.back() == name.front()) {
          name = name.substr(1, name.size() - 2);
        }
        if (name == profile) return section;
      }
    }
    if (profile == "default") {
      auto it = file.find("default");
      if (it != file.end()) return it->second;
    }
    return std::nullopt;
  }
  auto it = file.find(profile);
  if (it != file.end()) return it->second;
  return std::nullopt;
}

std::optional<std::string> lookup(const std::optional<IniSection>& section, const std::string& key) {
  if (!section) return std::nullopt;
  auto it = section->find(lower(key));
  if (it == section->end()) return std::nullopt;
  return it->second;
}

}  // namespace

IniFile parse_ini(std::string_view text, std::string_view origin) {
  IniFile out;
  IniSection* current = nullptr;
  std::string current_key;   // last key in the section, for nested settings
  bool nested_open = false;  // last key had an empty value: indented lines are its sub-settings
  std::size_t lineno = 0;
  std::size_t pos = 0;
  while (pos <= text.size()) {
    std::size_t eol = text.find('\n', pos);
    if (eol == std::string_view::npos) eol = text.size();
    std::string_view raw = text.substr(pos, eol - pos);
    pos = eol + 1;
    ++lineno;
    if (!raw.empty() && raw.back() == '\r') raw.remove_suffix(1);
    if (lineno == 1 && raw.substr(0, 3) == "\xEF\xBB\xBF") raw.remove_prefix(3);  // UTF-8 BOM
    std::string line = trim(raw);
    if (line.empty() || line[0] == '#' || line[0] == ';') {
      if (eol == text.size()) break;
      continue;
    }
    bool indented = std::isspace(static_cast<unsigned char>(raw[0]));
    if (line.front() == '[') {
      auto close = line.find(']');
      if (close == std::string::npos || !trim(std::string_view(line).substr(close + 1)).empty()) {
        throw CredentialsError(fmt::format("{}:{}: malformed section header", origin, lineno));
      }
      std::string name = trim(std::string_view(line).substr(1, close - 1));
      current = &out[name];
      nested_open = false;
    } else {
      if (current == nullptr) {
        throw CredentialsError(fmt::format("{}:{}: setting outside of any [section]", origin, lineno));
      }
      auto delim = line.find_first_of("=:");
      if (delim == std::string::npos || delim == 0) {
        throw CredentialsError(fmt::format("{}:{}: expected 'key = value'", origin, lineno));
      }
      std::string key = lower(trim(std::string_view(line).substr(0, delim)));
      std::string value = trim(std::string_view(line).substr(delim + 1));
      if (indented && nested_open) {
        (*current)[current_key + "." + key] = value;
      } else {
        (*current)[key] = value;
        current_key = key;
        nested_open = value.empty();
      }
    }
    if (eol == text.size()) break;
  }
  return out;
}

std::string config_file_path() {
  if (auto p = env("AWS_CONFIG_FILE")) return *p;
  return home_path("/.aws/config");
}

std::string credentials_file_path() {
  if (auto p = env("AWS_SHARED_CREDENTIALS_FILE")) return *p;
  return home_path("/.aws/credentials");
}

std::string resolve_profile_name(const std::optional<std::string>& explicit_profile) {
  if (explicit_profile && !explicit_profile->empty()) return *explicit_profile;
  if (auto p = env("AWS_PROFILE")) return *p;
  return "default";
}

bool profile_explicitly_selected(const std::optional<std::string>& explicit_profile) {
  return (explicit_profile && !explicit_profile->empty()) || env("AWS_PROFILE").has_value();
}

SharedConfig SharedConfig::load(const std::optional<std::string>& explicit_profile) {
  SharedConfig c;
  c.profile_ = resolve_profile_name(explicit_profile);
  c.explicit_ = profile_explicitly_selected(explicit_profile);
  c.config_path_ = config_file_path();
  c.credentials_path_ = credentials_file_path();
  if (auto text = read_optional(c.config_path_)) {
    c.config_section_ = find_section(parse_ini(*text, c.config_path_), true, c.profile_);
  }
  if (auto text = read_optional(c.credentials_path_)) {
    c.credentials_section_ = find_section(parse_ini(*text, c.credentials_path_), false, c.profile_);
  }
  return c;
}

std::optional<std::string> SharedConfig::credentials_file_value(const std::string& key) const {
  return lookup(credentials_section_, key);
}

std::optional<std::string> SharedConfig::config_file_value(const std::string& key) const {
  return lookup(config_section_, key);
}

std::optional<std::string> SharedConfig::value(const std::string& key) const {
  if (auto v = credentials_file_value(key)) return v;
  return config_file_value(key);
}

void SharedConfig::require_profile() const {
  if (explicit_ && !profile_exists()) {
    throw CredentialsError(
        fmt::format("AWS profile '{}' not found in '{}' or '{}'", profile_, config_path_, credentials_path_));
  }
}

std::optional<std::string> profile_setting(const std::optional<std::string>& profile,
                                           const std::string& key) {
  auto v = SharedConfig::load(profile).value(key);
  if (v && v->empty()) return std::nullopt;
  return v;
}

}  // namespace s3tar::s3
