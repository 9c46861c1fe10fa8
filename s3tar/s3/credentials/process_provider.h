// credential_process of the selected profile: runs the command and reads its JSON
// {"Version": 1, "AccessKeyId", "SecretAccessKey", "SessionToken", "Expiration"}.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "s3tar/s3/credentials/credentials.h"

namespace s3tar::s3 {

// The command line is split like the AWS CLI does on POSIX (shlex: whitespace separates words,
// single and double quotes group, backslash escapes) and executed directly with execvp, not
// through a shell, so no shell expansion happens on the configured string. stdout must be the
// JSON document; stderr is kept for error messages. Errors name the profile and the program
// (argv[0]) but never echo stdout, which holds the secret, nor the rest of the command line.
class ProcessProvider : public CredentialsProvider {
 public:
  explicit ProcessProvider(std::optional<std::string> profile = std::nullopt,
                           std::chrono::milliseconds timeout = std::chrono::minutes(1))
      : profile_(std::move(profile)), timeout_(timeout) {}

  std::optional<Credentials> load() override;
  std::string name() const override { return "credential-process"; }

 private:
  std::optional<std::string> profile_;
  std::chrono::milliseconds timeout_;
};

// Splits a command line like Python's shlex.split (POSIX mode). Throws CredentialsError on an
// unterminated quote.
std::vector<std::string> split_command_line(const std::string& command);

// Parses the credential_process JSON output; `context` prefixes error messages.
Credentials parse_process_output(const std::string& output, const std::string& context);

}  // namespace s3tar::s3
