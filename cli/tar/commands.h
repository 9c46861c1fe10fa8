// The tar-mode commands. Each returns a process exit code (see s3tar/exit_codes.h) and throws
// for errors that app.cpp maps to exit codes.
#pragma once

#include <string>
#include <vector>

#include "cli/tar/tar_options.h"

namespace s3tar::cli {

int create_command(const TarOptions& options);
int list_command(const TarOptions& options);
int extract_command(const TarOptions& options);
int verify_command(const TarOptions& options);
// --generate-toc: the index of a tar without toc.csv; --generate-manifest: a prefix as a manifest.
int generate_toc_command(const TarOptions& options);
int generate_manifest_command(const TarOptions& options);

}  // namespace s3tar::cli
