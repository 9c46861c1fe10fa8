#include "s3tar/archive/exec/source_cache.h"

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
  bodies_.try_emplace(std::move(key), bytes);
}

std::optional<std::string> SourceCache::take(const plan::Member& m) {
  std::lock_guard lock(mu_);
  auto it = bodies_.find(id(m));
  if (it == bodies_.end()) return std::nullopt;
  std::string body = std::move(it->second);
  bodies_.erase(it);
  ++reused_;
  return body;
}

size_t SourceCache::reused() const {
  std::lock_guard lock(mu_);
  return reused_;
}

}  // namespace s3tar::exec
