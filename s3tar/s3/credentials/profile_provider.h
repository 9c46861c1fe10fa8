// Static keys of the selected profile in the shared files.
#pragma once

#include <optional>
#include <string>

#include "s3tar/s3/credentials/credentials.h"

namespace s3tar::s3 {

// aws_access_key_id / aws_secret_access_key / aws_session_token of the profile. botocore reads
// the credentials file early in its chain and the config file's keys after credential_process;
// `source` picks one file so the default chain can reproduce that order, Both does the
// credentials file then the config file. The profile is the explicit option, else AWS_PROFILE,
// else "default", resolved at each load(). An explicitly selected profile found in neither file
// is a CredentialsError.
class ProfileProvider : public CredentialsProvider {
 public:
  enum class Source { CredentialsFile, ConfigFile, Both };

  explicit ProfileProvider(std::optional<std::string> profile = std::nullopt, Source source = Source::Both)
      : profile_(std::move(profile)), source_(source) {}

  std::optional<Credentials> load() override;
  std::string name() const override;

 private:
  std::optional<std::string> profile_;
  Source source_;
};

}  // namespace s3tar::s3
