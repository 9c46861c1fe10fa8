#pragma once

namespace s3tar::cli {

// The whole command line: tar mode (-c/-t/-x) or a subcommand (verify, run, inventory).
// Returns the process exit code; never throws.
int run_app(int argc, char** argv);

}  // namespace s3tar::cli
