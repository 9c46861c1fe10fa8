// `s3tar run` and `s3tar inventory`: the daily job's front end (command-line parsing). Each returns the
// process exit code and throws for errors that the CLI maps to exit codes
// (by their s3tar/errors.h category: inventory::ConfigError -> 2, inventory::NotDeliveredError -> 4, ...).
#pragma once

#include <atomic>
#include <string>
#include <vector>

namespace s3tar::cli {

int run_command(const std::vector<std::string>& args, const std::atomic<bool>& stop);
int inventory_command(const std::vector<std::string>& args);

}  // namespace s3tar::cli
