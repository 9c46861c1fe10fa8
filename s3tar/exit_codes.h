// Process exit codes, documented in the README and --help. Step Functions / cron wrappers
// retry only on kTransient and wait on kNotDelivered.
#pragma once

#include "s3tar/errors.h"

namespace s3tar {

enum ExitCode : int {
  kSuccess = 0,
  kInternal = 1,      // a bug: report it
  kUsage = 2,         // bad command line or config: do not retry
  kBadInput = 3,      // bad input data (manifest, inventory, changed or missing sources): do not retry as is
  kNotDelivered = 4,  // the inventory report for the date is not delivered yet: retry later
  kTransient = 5,     // network, throttling, server errors, SIGTERM: retry
  kPartial = 6,       // completed, but some objects were skipped (listed in the report)
};

// The one mapping from an error's category to the process exit code.
inline int exit_code_for(ErrorCategory category) {
  switch (category) {
    case ErrorCategory::Usage:
      return kUsage;
    case ErrorCategory::BadInput:
      return kBadInput;
    case ErrorCategory::NotYet:
      return kNotDelivered;
    case ErrorCategory::Transient:
      return kTransient;
    case ErrorCategory::Internal:
      break;
  }
  return kInternal;
}

inline const char* exit_code_help() {
  return "Exit codes:\n"
         "  0  success\n"
         "  1  internal error (a bug)\n"
         "  2  usage or configuration error (do not retry)\n"
         "  3  bad input data: manifest, inventory, or source objects that changed, vanished or are "
         "archived\n"
         "  4  inventory report not delivered yet (retry later)\n"
         "  5  transient failure: network, throttling, server error, interrupted (retry)\n"
         "  6  completed, but some objects were skipped (see the report)\n";
}

}  // namespace s3tar
