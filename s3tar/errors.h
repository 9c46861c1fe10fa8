// The error taxonomy. Every failure the tool reports is an s3tar::Error of one category, and the
// category alone decides the process exit code (exit_code_for in s3tar/exit_codes.h). Whoever
// throws knows what went wrong and chooses the category there; nothing downstream classifies an
// error by its message, its C++ standard type or its HTTP status.
//
//   Usage      the command line, the config, the credentials or the permissions must be fixed;
//              retrying as is can never succeed (exit 2).
//   BadInput   the data given is wrong: a malformed manifest, inventory, archive or TOC, sources
//              that changed, vanished or are archived (exit 3).
//   NotYet     something the run needs is not there yet (the day's inventory report): run again
//              later (exit 4).
//   Transient  network, throttling, server errors after the retries, an interruption: run again
//              now (exit 5).
//   Internal   a broken invariant: a bug (exit 1).
#pragma once

#include <stdexcept>
#include <string>

namespace s3tar {

enum class ErrorCategory { Internal, Usage, BadInput, NotYet, Transient };

const char* to_string(ErrorCategory category);

class Error : public std::runtime_error {
 public:
  Error(ErrorCategory category, const std::string& what) : std::runtime_error(what), category_(category) {}
  ErrorCategory category() const noexcept { return category_; }

 private:
  ErrorCategory category_;
};

class UsageError : public Error {
 public:
  explicit UsageError(const std::string& what) : Error(ErrorCategory::Usage, what) {}
};

class BadInputError : public Error {
 public:
  explicit BadInputError(const std::string& what) : Error(ErrorCategory::BadInput, what) {}
};

class NotYetError : public Error {
 public:
  explicit NotYetError(const std::string& what) : Error(ErrorCategory::NotYet, what) {}
};

class TransientError : public Error {
 public:
  explicit TransientError(const std::string& what) : Error(ErrorCategory::Transient, what) {}
};

// A stop was requested (SIGTERM/SIGINT); open uploads were aborted. Run again.
class InterruptedError : public TransientError {
 public:
  using TransientError::TransientError;
};

inline const char* to_string(ErrorCategory category) {
  switch (category) {
    case ErrorCategory::Usage:
      return "usage";
    case ErrorCategory::BadInput:
      return "bad-input";
    case ErrorCategory::NotYet:
      return "not-yet";
    case ErrorCategory::Transient:
      return "transient";
    case ErrorCategory::Internal:
      break;
  }
  return "internal";
}

}  // namespace s3tar
