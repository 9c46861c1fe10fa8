// Source objects that cannot be archived as planned, and the error that names them.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "s3tar/errors.h"
#include "s3tar/s3/errors.h"

namespace s3tar::exec {

// A source object that could not be read as planned.
struct SourceProblem {
  std::string bucket, key, version_id;
  std::string reason;   // changed | missing | archived
  std::string message;  // one line, from S3
};

// Thrown when sources could not be read; nothing of the volume was left behind.
class SourceError : public BadInputError {
 public:
  SourceError(const std::string& what, std::vector<SourceProblem> problems)
      : BadInputError(what), problems_(std::move(problems)) {}
  const std::vector<SourceProblem>& problems() const { return problems_; }

 private:
  std::vector<SourceProblem> problems_;
};

// "3 source objects cannot be read as planned (first: ...)" or the one problem's message.
std::string describe_problems(const std::vector<SourceProblem>& problems);

// Why a source object cannot be archived as planned ("changed", "missing", "archived"), when the
// error is S3's answer about that object; nullopt for every other error (network, throttling,
// server errors, permissions, the destination), which must propagate rather than drop objects.
std::optional<std::string> source_problem_reason(const s3::S3Error& e);

}  // namespace s3tar::exec
