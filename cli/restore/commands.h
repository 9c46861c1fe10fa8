// `s3tar find`: from a key to the archive holding it. Returns the process exit code and throws
// for errors app.cpp maps to exit codes.
#pragma once

#include <string>
#include <vector>

namespace s3tar::cli {

int find_command(const std::vector<std::string>& args);
// `s3tar restore`: requests the restores the archives need, then extracts the members.
int restore_command(const std::vector<std::string>& args);

}  // namespace s3tar::cli
