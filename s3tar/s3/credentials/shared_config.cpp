#include "s3tar/s3/credentials/shared_config.h"

#include <fmt/format.h>
#include <sys/stat.h>

#include <cctype>
#include <cerrno>
#include <fstream>
#include <sstream>
#include <vector>

#include "s3tar/s3/credentials/credentials.h"
#include "s3tar/s3/credentials/process_provider.h"
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

// "profile NAME" -> {"profile", "NAME"}: the header split like botocore (shlex), so a quoted name
// may hold spaces. Anything else (one word, three words, an unbalanced quote) -> nullopt.
std::optional<std::pair<std::string, std::string>> typed_header(const std::string& header) {
  std::vector<std::string> words;
  try {
    words = split_command_line(header);
  } catch (const CredentialsError&) {
    return std::nullopt;
  }
  if (words.size() != 2) return std::nullopt;
  return std::pair{words[0], words[1]};
}

// Splits the config file into profiles, SSO sessions and services sections. "[profile default]"
// wins over "[default]".
void split_config_file(const IniFile& file, SharedFiles& out) {
  for (const auto& [header, section] : file) {
    auto typed = typed_header(header);
    if (!typed) continue;
    const auto& [kind, name] = *typed;
    if (kind == "profile") {
      out.config_profiles[name] = section;
    } else if (kind == "sso-session") {
      out.sso_sessions[name] = section;
    } else if (kind == "services") {
      out.services[name] = section;
    }
  }
  if (auto it = file.find("default"); it != file.end())
    out.config_profiles.try_emplace("default", it->second);
}

const IniSection* find(const std::map<std::string, IniSection>& sections, const std::string& name) {
  auto it = sections.find(name);
  return it == sections.end() ? nullptr : &it->second;
}

std::optional<std::string> lookup(const IniSection* section, const std::string& key) {
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
  if (auto p = env("AWS_DEFAULT_PROFILE")) return *p;
  if (auto p = env("AWS_PROFILE")) return *p;
  return "default";
}

bool profile_explicitly_selected(const std::optional<std::string>& explicit_profile) {
  return (explicit_profile && !explicit_profile->empty()) || env("AWS_DEFAULT_PROFILE") || env("AWS_PROFILE");
}

std::shared_ptr<const SharedFiles> SharedFiles::load() {
  auto files = std::make_shared<SharedFiles>();
  files->config_path = config_file_path();
  files->credentials_path = credentials_file_path();
  if (auto text = read_optional(files->config_path)) {
    split_config_file(parse_ini(*text, files->config_path), *files);
  }
  if (auto text = read_optional(files->credentials_path)) {
    files->credentials_profiles = parse_ini(*text, files->credentials_path);
  }
  return files;
}

SharedConfig SharedConfig::load(const std::optional<std::string>& explicit_profile) {
  SharedConfig c;
  c.files_ = SharedFiles::load();
  c.profile_ = resolve_profile_name(explicit_profile);
  c.explicit_ = profile_explicitly_selected(explicit_profile);
  return c;
}

SharedConfig SharedConfig::with_profile(const std::string& name) const {
  SharedConfig c = *this;
  c.profile_ = name;
  c.explicit_ = true;
  return c;
}

bool SharedConfig::has_profile(const std::string& name) const {
  return find(files_->config_profiles, name) || find(files_->credentials_profiles, name);
}

std::optional<std::string> SharedConfig::credentials_file_value(const std::string& key) const {
  return lookup(find(files_->credentials_profiles, profile_), key);
}

std::optional<std::string> SharedConfig::config_file_value(const std::string& key) const {
  return lookup(find(files_->config_profiles, profile_), key);
}

std::optional<std::string> SharedConfig::value(const std::string& key) const {
  if (auto v = credentials_file_value(key)) return v;
  return config_file_value(key);
}

const IniSection* SharedConfig::sso_session(const std::string& name) const {
  return find(files_->sso_sessions, name);
}

std::optional<std::string> SharedConfig::service_value(const std::string& service,
                                                       const std::string& key) const {
  auto section_name = value("services");
  if (!section_name || section_name->empty()) return std::nullopt;
  const IniSection* section = find(files_->services, *section_name);
  if (!section) {
    throw CredentialsError(
        fmt::format("profile '{}' uses services section '{}', which does not exist in '{}'", profile_,
                    *section_name, config_path()));
  }
  auto v = lookup(section, service + "." + key);
  if (v && v->empty()) return std::nullopt;
  return v;
}

void SharedConfig::require_profile() const {
  if (explicit_ && !profile_exists()) {
    throw CredentialsError(fmt::format("the config profile ({}) could not be found (looked in '{}' and '{}')",
                                       profile_, config_path(), credentials_path()));
  }
}

std::optional<std::string> profile_setting(const std::optional<std::string>& profile,
                                           const std::string& key) {
  auto v = SharedConfig::load(profile).value(key);
  if (v && v->empty()) return std::nullopt;
  return v;
}

}  // namespace s3tar::s3
