// What the commands share: the parser's errors, the --config option of the daily job's commands,
// and the local-or-S3 file reader; every failure a UsageError (exit 2) naming the input.
#include "cli/command_line.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "cli/tar/sources.h"
#include "s3tar/errors.h"
#include "s3tar/s3/client.h"

namespace s3tar::cli {
namespace {

// Never asked: these tests make no request.
class NoCredentials : public s3::CredentialsProvider {
 public:
  std::optional<s3::Credentials> load() override { return std::nullopt; }
  std::string name() const override { return "none"; }
};

TEST(CommandLine, AMissingConfigIsAUsageErrorPointingAtHelp) {
  CLI::App app{"test", "s3tar test"};
  const JobConfigOption config(app);
  try {
    parse_command_line(app, {});
    FAIL() << "accepted a command line without --config";
  } catch (const UsageError& e) {
    EXPECT_NE(std::string(e.what()).find("--config"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("s3tar test --help"), std::string::npos) << e.what();
  }
}

TEST(CommandLine, AnUnreadableConfigFileIsAUsageError) {
  CLI::App app{"test", "s3tar test"};
  const JobConfigOption config(app);
  ASSERT_TRUE(parse_command_line(app, {"--config", "/nonexistent/s3tar-job.json"}));
  try {
    config.load();
    FAIL() << "loaded a config that does not exist";
  } catch (const Error& e) {
    EXPECT_EQ(e.category(), ErrorCategory::Usage);
    EXPECT_NE(std::string(e.what()).find("/nonexistent/s3tar-job.json"), std::string::npos) << e.what();
  }
}

TEST(CommandLine, HelpIsNotAnError) {
  CLI::App app{"test", "s3tar test"};
  const JobConfigOption config(app);
  ::testing::internal::CaptureStdout();
  EXPECT_FALSE(parse_command_line(app, {"--help"}));
  EXPECT_NE(::testing::internal::GetCapturedStdout().find("--config"), std::string::npos);
}

// A -m manifest or --external-toc file that cannot be read: a UsageError (exit 2), not a bare
// std::invalid_argument that only a catch-all in the CLI mapped.
TEST(ReadLocalOrS3, AnUnreadableLocalFileIsAUsageError) {
  s3::ClientConfig c;
  c.endpoint_url = "http://127.0.0.1:9";
  c.path_style = true;
  s3::S3Client client(c, std::make_shared<NoCredentials>());
  try {
    read_local_or_s3(client, "/nonexistent/manifest.csv");
    FAIL() << "read a file that does not exist";
  } catch (const UsageError& e) {
    EXPECT_NE(std::string(e.what()).find("/nonexistent/manifest.csv"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace s3tar::cli
