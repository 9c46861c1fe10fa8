// What the commands' parsers share: running CLI11 (help, version, a parse error as a
// UsageError), and the --config option of the commands that read the daily job's config
// (run, inventory, find): declared, required and loaded in one place.
#pragma once

#include <CLI/CLI.hpp>
#include <string>
#include <vector>

#include "s3tar/archive/settings/settings.h"
#include "scheduler/config.h"

namespace s3tar::cli {

// Runs CLI11 on args; false when the help or the version was printed. A parse error is a
// UsageError that points at the command's --help.
bool parse_command_line(CLI::App& app, const std::vector<std::string>& args);

// --config FILE on `app`, required. Lives as long as the app parses into it.
class JobConfigOption {
 public:
  explicit JobConfigOption(
      CLI::App& app, const std::string& description = "The job's JSON config file (see config/README.md)");
  JobConfigOption(const JobConfigOption&) = delete;
  JobConfigOption& operator=(const JobConfigOption&) = delete;

  // The config file read and validated (inventory::ConfigError, exit 2, when it is not valid).
  scheduler::DailyConfig load() const;
  // The client, planner and executor settings of a config loaded from this file.
  settings::Settings settings(const scheduler::DailyConfig& config) const;

 private:
  std::string path_;
};

}  // namespace s3tar::cli
