#include "s3tar/archive/exec/source_problem.h"

namespace s3tar::exec {

std::string describe_problems(const std::vector<SourceProblem>& problems) {
  if (problems.empty()) return "no source problems";
  if (problems.size() == 1) return problems.front().message;
  return std::to_string(problems.size()) +
         " source objects cannot be read as planned (first: " + problems.front().message + ")";
}

std::optional<std::string> source_problem_reason(const s3::S3Error& e) {
  if (e.is_precondition_failed()) return "changed";
  if (e.is_not_found()) return "missing";
  if (e.is_archived()) return "archived";
  return std::nullopt;
}

}  // namespace s3tar::exec
