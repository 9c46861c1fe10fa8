#include "cli/app.h"

#include <algorithm>
#include <iostream>
#include <string>
#include <vector>

#include "cli/context.h"
#include "cli/daily/commands.h"
#include "cli/restore/commands.h"
#include "cli/tar/commands.h"
#include "inventory/errors.h"
#include "s3tar/archive/exec/executor.h"
#include "s3tar/archive/plan/plan.h"
#include "s3tar/exit_codes.h"
#include "s3tar/log/log.h"
#include "s3tar/s3/credentials/credentials.h"
#include "s3tar/s3/errors.h"

namespace s3tar::cli {
namespace {

int verbosity_of(const std::vector<std::string>& args) {
  int v = 0;
  for (const auto& a : args) {
    if (a == "--verbose") ++v;
    if (a == "--debug") v = std::max(v, 2);  // every request (trace), every retry
    if (a.size() > 1 && a[0] == '-' && a[1] != '-') {
      for (char c : a.substr(1)) {
        if (c == 'v') ++v;
        if (c == 'f' || c == 'C' || c == 'm') break;  // the rest is a value
      }
    }
  }
  return v;
}

// The log event that names a failure of this category.
const char* event_for(ErrorCategory category) {
  switch (category) {
    case ErrorCategory::Usage:
      return "usage";
    case ErrorCategory::BadInput:
      return "input.bad";
    case ErrorCategory::NotYet:
      return "not_yet";
    case ErrorCategory::Transient:
      return "transient";
    case ErrorCategory::Internal:
      break;
  }
  return "error";
}

int dispatch(const std::vector<std::string>& args) {
  if (!args.empty()) {
    const std::string& sub = args[0];
    const std::vector<std::string> rest(args.begin() + 1, args.end());
    if (sub == "run") return run_command(rest, stop_flag());
    if (sub == "inventory") return inventory_command(rest);
    if (sub == "find") return find_command(rest);
    if (sub == "restore") return restore_command(rest);
    if (sub == "verify") {
      auto options = parse_tar_options(rest, true);
      return options ? verify_command(*options) : kSuccess;
    }
  }
  auto options = parse_tar_options(args);
  if (!options) return kSuccess;  // --help / --version
  switch (options->mode) {
    case Mode::Create:
      return create_command(*options);
    case Mode::List:
      return list_command(*options);
    case Mode::Extract:
      return extract_command(*options);
    case Mode::GenerateToc:
      return generate_toc_command(*options);
    case Mode::GenerateManifest:
      return generate_manifest_command(*options);
    default:
      return kUsage;
  }
}

}  // namespace

int run_app(int argc, char** argv) {
  const std::vector<std::string> args(argv + 1, argv + argc);
  log::init(log::detect_options(verbosity_of(args)));
  install_signal_handlers();
  try {
    return dispatch(args);
  } catch (const exec::Interrupted& e) {
    log::error("interrupted", std::string(e.what()) + "; open uploads were aborted");
    return kTransient;
  } catch (const s3::S3Error& e) {
    log::error("s3", e.what(),
               {{"status", e.status()},
                {"code", e.code()},
                {"request_id", e.info().request_id},
                {"category", to_string(e.category())}});
    return stop_flag() ? kTransient : exit_code_for(e.category());
  } catch (const Error& e) {
    // The category decides the exit code (s3tar/errors.h); a stop request turns a failure
    // it caused into "run again".
    log::error(event_for(e.category()), e.what(), {{"category", to_string(e.category())}});
    return stop_flag() ? kTransient : exit_code_for(e.category());
  } catch (const std::exception& e) {
    log::error("error", e.what());
    return stop_flag() ? kTransient : kInternal;
  }
}

}  // namespace s3tar::cli
