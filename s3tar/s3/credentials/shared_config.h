// The AWS shared configuration files: ~/.aws/config ("[default]", "[profile NAME]",
// "[sso-session NAME]", "[services NAME]") and ~/.aws/credentials ("[NAME]"), paths overridable by
// AWS_CONFIG_FILE and AWS_SHARED_CREDENTIALS_FILE. Parsed like botocore: '#' or ';' full-line
// comments, "key = value" or "key: value", keys case-insensitive, indented lines after "key ="
// are nested settings (stored as "key.sub", e.g. "s3.addressing_style").
#pragma once

#include <map>
#include <memory>
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

// The profile to use, like botocore: the explicit option (the CLI's --profile, the job config's
// connection.profile), else AWS_DEFAULT_PROFILE, else AWS_PROFILE, else "default".
std::string resolve_profile_name(const std::optional<std::string>& explicit_profile);

// Whether the profile was chosen by the user (option or environment) rather than defaulted; a
// chosen profile that exists in neither file is an error, a missing "default" is not.
bool profile_explicitly_selected(const std::optional<std::string>& explicit_profile);

// Both files, split into botocore's maps. A missing file is an empty file.
struct SharedFiles {
  std::string config_path, credentials_path;
  std::map<std::string, IniSection> config_profiles;       // [default] and [profile NAME]
  std::map<std::string, IniSection> credentials_profiles;  // [NAME]
  std::map<std::string, IniSection> sso_sessions;          // [sso-session NAME]
  std::map<std::string, IniSection> services;              // [services NAME]

  // Reads both files now. Throws CredentialsError on a malformed or unreadable file.
  static std::shared_ptr<const SharedFiles> load();
};

// The files as seen for one profile.
class SharedConfig {
 public:
  // Reads both files now. Throws CredentialsError on a malformed file.
  static SharedConfig load(const std::optional<std::string>& explicit_profile);

  // Another profile of the same files (a source_profile), treated as explicitly selected.
  SharedConfig with_profile(const std::string& name) const;

  const std::string& profile() const { return profile_; }
  bool explicitly_selected() const { return explicit_; }
  bool profile_exists() const { return has_profile(profile_); }
  bool has_profile(const std::string& name) const;

  // The setting in the credentials file's [profile] section.
  std::optional<std::string> credentials_file_value(const std::string& key) const;
  // The setting in the config file's [profile NAME] (or [default]) section.
  std::optional<std::string> config_file_value(const std::string& key) const;
  // botocore's merged view: the credentials file wins over the config file.
  std::optional<std::string> value(const std::string& key) const;

  // The [sso-session NAME] section, nullopt when absent.
  const IniSection* sso_session(const std::string& name) const;
  // A setting of the profile's `services = NAME` section for one service ("s3", "sts", "sso"),
  // e.g. service_value("s3", "endpoint_url"). nullopt when the profile names no services section;
  // a CredentialsError when it names one that does not exist (as botocore).
  std::optional<std::string> service_value(const std::string& service, const std::string& key) const;

  const std::string& config_path() const { return files_->config_path; }
  const std::string& credentials_path() const { return files_->credentials_path; }

  // Throws CredentialsError "the config profile (X) could not be found" when the profile was
  // explicitly selected but exists in neither file.
  void require_profile() const;

 private:
  std::shared_ptr<const SharedFiles> files_;
  std::string profile_;
  bool explicit_ = false;
};

// A setting of the selected profile (credentials file, then config file), for the client:
// "region", "endpoint_url", "max_attempts", "retry_mode", ... Reads the files on every call.
// nullopt when unset or empty or when the profile does not exist. Throws CredentialsError on a
// malformed file.
std::optional<std::string> profile_setting(const std::optional<std::string>& profile, const std::string& key);

}  // namespace s3tar::s3
