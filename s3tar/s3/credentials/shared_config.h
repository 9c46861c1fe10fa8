// The AWS shared configuration files: ~/.aws/config ("[default]", "[profile NAME]") and
// ~/.aws/credentials ("[NAME]"), paths overridable by AWS_CONFIG_FILE and
// AWS_SHARED_CREDENTIALS_FILE. Parsed like botocore: '#' or ';' full-line comments, "key = value"
// or "key: value", keys case-insensitive, indented lines after "key =" are nested settings
// (stored as "key.sub").
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace s3tar::s3 {

using IniSection = std::map<std::string, std::string>;
using IniFile = std::map<std::string, IniSection>;  // raw section header -> settings

// Parses INI text; throws CredentialsError naming `origin` and the line number (never the line,
// which may hold a secret) on a malformed line.
IniFile parse_ini(std::string_view text, std::string_view origin);

std::string config_file_path();       // AWS_CONFIG_FILE, else $HOME/.aws/config
std::string credentials_file_path();  // AWS_SHARED_CREDENTIALS_FILE, else $HOME/.aws/credentials

// The profile to use: the explicit option (the CLI's --profile), else AWS_PROFILE, else "default".
std::string resolve_profile_name(const std::optional<std::string>& explicit_profile);

// Whether the profile was chosen by the user rather than defaulted; a chosen profile that exists
// in neither file is an error, a missing "default" is not.
bool profile_explicitly_selected(const std::optional<std::string>& explicit_profile);

// Both files as seen for one profile. A missing file is an empty file.
class SharedConfig {
 public:
  // Reads both files now. Throws CredentialsError on a malformed file.
  static SharedConfig load(const std::optional<std::string>& explicit_profile);

  const std::string& profile() const { return profile_; }
  bool explicitly_selected() const { return explicit_; }
  bool profile_exists() const { return config_section_.has_value() || credentials_section_.has_value(); }

  // The setting in the credentials file's [profile] section.
  std::optional<std::string> credentials_file_value(const std::string& key) const;
  // The setting in the config file's [profile NAME] (or [default]) section.
  std::optional<std::string> config_file_value(const std::string& key) const;
  // botocore's merged view: the credentials file wins over the config file.
  std::optional<std::string> value(const std::string& key) const;

  const std::string& config_path() const { return config_path_; }
  const std::string& credentials_path() const { return credentials_path_; }

  // Throws CredentialsError when the profile was explicitly selected but exists in neither file.
  void require_profile() const;

 private:
  std::string profile_;
  bool explicit_ = false;
  std::string config_path_, credentials_path_;
  std::optional<IniSection> config_section_, credentials_section_;
};

// A setting of the selected profile (credentials file, then config file), for the client:
// "region", "endpoint_url", "max_attempts", "retry_mode", ... Reads the files on every call.
// nullopt when unset or when the profile does not exist. Throws CredentialsError on a malformed
// file.
std::optional<std::string> profile_setting(const std::optional<std::string>& profile, const std::string& key);

}  // namespace s3tar::s3
