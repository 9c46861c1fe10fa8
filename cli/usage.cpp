#include "cli/usage.h"

#include <CLI/CLI.hpp>

#ifndef S3TAR_VERSION
#error "S3TAR_VERSION is set by cli/CMakeLists.txt from the project's version"
#endif

namespace s3tar::cli {
namespace {

class UsageFormatter : public CLI::Formatter {
 public:
  explicit UsageFormatter(std::string usage) : usage_(std::move(usage)) {}
  std::string make_usage(const CLI::App*, std::string) const override { return usage_; }

 private:
  std::string usage_;
};

}  // namespace

std::string version_line() { return std::string("s3tar ") + S3TAR_VERSION; }

std::shared_ptr<CLI::Formatter> usage_formatter(std::string usage) {
  auto f = std::make_shared<UsageFormatter>(std::move(usage));
  f->column_width(34);
  return f;
}

}  // namespace s3tar::cli
