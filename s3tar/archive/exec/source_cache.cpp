#include "s3tar/archive/exec/source_cache.h"

#include "s3tar/log/log.h"

namespace s3tar::exec {

std::string SourceCache::id(const plan::Member& m) {
  std::string id;
  const std::string bucket = m.bucket(), etag = m.etag();
  id.reserve(bucket.size() + m.key().size() + m.version_id().size() + etag.size() + 3);
  // NUL cannot occur in bucket names, keys (UTF-8 without NUL in practice), versions or ETags.
  id.append(bucket).push_back('\0');
  id.append(m.key()).push_back('\0');
  id.append(m.version_id()).push_back('\0');
  id.append(etag);
  return id;
}

void SourceCache::keep(const plan::Member& m, std::string_view bytes) {
  if (bytes.size() != m.size) return;  // only whole bodies
  std::string key = id(m);
  std::lock_guard lock(mu_);
  bodies_.try_emplace(std::move(key), std::string(bytes));
}

void SourceCache::keep_spooled(const plan::Member& m, std::uint64_t offset) {
  std::string key = id(m);
  std::lock_guard lock(mu_);
  bodies_.try_emplace(std::move(key), Spooled{offset});
}

std::optional<std::string> SourceCache::take(const plan::Member& m) {
  std::variant<std::string, Spooled> entry;
  {
    std::lock_guard lock(mu_);
    auto it = bodies_.find(id(m));
    if (it == bodies_.end()) return std::nullopt;
    entry = std::move(it->second);
    bodies_.erase(it);
  }
  std::optional<std::string> body;
  if (auto* bytes = std::get_if<std::string>(&entry)) {
    body = std::move(*bytes);
  } else {
    body = spool_.read(std::get<Spooled>(entry).offset, m.size);  // read outside the lock
    if (!body) log::info("spool.read", "spool: cannot read back a source; reading it from S3 again");
  }
  if (!body) return std::nullopt;
  std::lock_guard lock(mu_);
  ++reused_;
  return body;
}

size_t SourceCache::reused() const {
  std::lock_guard lock(mu_);
  return reused_;
}

}  // namespace s3tar::exec
