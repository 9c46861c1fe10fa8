#include "cli/restore/lookup.h"

#include <chrono>

#include "scheduler/naming.h"

namespace s3tar::cli {
namespace {

// "<destination prefix>/<source bucket>/<config id>/" -> the source bucket.
std::string source_bucket_of(const inventory::InventoryLocation& inventory) {
  std::string p = inventory.prefix;
  while (!p.empty() && p.back() == '/') p.pop_back();
  const auto config_slash = p.rfind('/');
  if (config_slash == std::string::npos) return "";
  p.resize(config_slash);
  const auto bucket_slash = p.rfind('/');
  return bucket_slash == std::string::npos ? p : p.substr(bucket_slash + 1);
}

}  // namespace

catalog::Layout job_layout(const scheduler::DailyConfig& config) {
  catalog::Layout layout;
  layout.report_bucket = config.report_bucket.empty() ? config.bucket : config.report_bucket;
  layout.report_prefix = config.report_prefix;
  layout.archive_bucket = config.bucket;
  const std::string naming = config.naming, prefix = config.prefix;
  const std::string source = source_bucket_of(config.inventory);
  layout.day_archive_prefix = [naming, prefix, source](const std::string& day) {
    const auto d = scheduler::parse_date(day);
    std::vector<std::string> names;
    for (std::uint32_t volume : {1u, 10u, 100u, 1000u, 10000u})
      names.push_back(scheduler::render_name(naming, scheduler::NameVars{prefix, source, d, volume}));
    return scheduler::common_prefix(names);
  };
  return layout;
}

std::int64_t unix_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace s3tar::cli
