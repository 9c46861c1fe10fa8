#include "cli/restore/lookup.h"

#include <chrono>
#include <future>

#include "inventory/errors.h"
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

std::vector<catalog::ArchiveHead> head_archives(s3::S3Client& client,
                                                const std::vector<catalog::ArchiveRequest>& archives) {
  std::vector<std::future<s3::ObjectInfo>> pending;
  for (const auto& a : archives) pending.push_back(client.head_object(s3::ObjectRef{a.bucket, a.key, ""}));
  std::vector<catalog::ArchiveHead> heads;
  for (auto& f : pending) {
    catalog::ArchiveHead h;
    try {
      const s3::ObjectInfo info = f.get();
      h.etag = info.etag;
      h.storage_class = info.storage_class.empty() ? "STANDARD" : info.storage_class;
      h.archive_status = info.archive_status;
      h.restore = info.restore;
      h.size = info.size;
    } catch (const s3::S3Error& e) {
      if (!e.is_not_found()) throw;
      h.exists = false;
    }
    heads.push_back(std::move(h));
  }
  return heads;
}

std::vector<std::optional<catalog::RestoreRecord>> restore_records(
    inventory::ObjectStore& store, const std::vector<catalog::ArchiveRequest>& archives,
    const std::vector<catalog::ArchiveHead>& heads) {
  std::vector<std::optional<catalog::RestoreRecord>> records(archives.size());
  for (std::size_t i = 0; i < archives.size(); ++i) {
    if (!heads[i].exists ||
        !s3::needs_restore(s3::archive_access(heads[i].storage_class, heads[i].archive_status)))
      continue;
    try {
      records[i] = catalog::parse_restore_record(
          store.read_small(archives[i].bucket, catalog::restore_record_key(archives[i].key), 64 << 10));
    } catch (const inventory::NotFoundError&) {
    }
  }
  return records;
}

std::int64_t unix_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace s3tar::cli
