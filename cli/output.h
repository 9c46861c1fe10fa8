// What commands print on stdout: member names quoted as GNU tar prints them, and the --json
// summary line.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace s3tar::cli {

// A member name as `tar -t` prints it (GNU tar's default "escape" quoting): a backslash becomes
// \\, the C control characters \a \b \t \n \v \f \r their escapes, other control bytes and DEL
// three-digit octal (\033); everything else, UTF-8 included, as it is. So one name is one line.
std::string escape_name(std::string_view name);

// The --json summary: one JSON object on one line of stdout (invalid UTF-8 replaced).
void print_json(const nlohmann::json& summary);

}  // namespace s3tar::cli
