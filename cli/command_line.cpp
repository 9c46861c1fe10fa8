#include "cli/command_line.h"

#include <iostream>

#include "cli/usage.h"
#include "s3tar/errors.h"

namespace s3tar::cli {

bool parse_command_line(CLI::App& app, const std::vector<std::string>& args) {
  std::vector<std::string> reversed(args.rbegin(), args.rend());
  try {
    app.parse(reversed);
  } catch (const CLI::CallForHelp&) {
    std::cout << app.help();
    return false;
  } catch (const CLI::CallForVersion&) {
    std::cout << version_line() << "\n";
    return false;
  } catch (const CLI::ParseError& e) {
    throw UsageError(std::string(e.what()) + "; see " + app.get_name() + " --help");
  }
  return true;
}

JobConfigOption::JobConfigOption(CLI::App& app, const std::string& description) {
  app.add_option("--config", path_, description)->required();
}

scheduler::DailyConfig JobConfigOption::load() const { return scheduler::load_config(path_); }

settings::Settings JobConfigOption::settings(const scheduler::DailyConfig& config) const {
  return scheduler::job_settings(config, path_);
}

}  // namespace s3tar::cli
