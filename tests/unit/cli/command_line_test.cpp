// What the commands share: the parser's errors and the --config option of the daily job's
// commands; every failure a UsageError (exit 2) naming the input.
#include "cli/command_line.h"

#include <gtest/gtest.h>

#include <string>

#include "s3tar/errors.h"

namespace s3tar::cli {
namespace {

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

}  // namespace
}  // namespace s3tar::cli
