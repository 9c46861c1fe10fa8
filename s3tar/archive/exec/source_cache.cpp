#include "s3tar/archive/exec/source_cache.h"

#include <algorithm>

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

namespace {

template <typename Ranges>
auto find_containing(Ranges& ranges, std::uint64_t offset, std::uint64_t length) {
  return std::find_if(ranges.begin(), ranges.end(), [&](const auto& r) {
    return r.offset <= offset && offset + length <= r.offset + r.length;
  });
}

}  // namespace

void SourceCache::keep_range(const plan::Member& m, Range range) {
  if (range.length == 0 || range.offset + range.length > m.size) return;
  std::string key = id(m);
  std::lock_guard lock(mu_);
  auto& kept = ranges_[std::move(key)];
  if (find_containing(kept, range.offset, range.length) == kept.end()) kept.push_back(std::move(range));
}

void SourceCache::keep(const plan::Member& m, std::uint64_t offset, std::string_view bytes) {
  keep_range(m, Range{offset, bytes.size(), 0, std::string(bytes)});
}

void SourceCache::keep_spooled(const plan::Member& m, std::uint64_t offset, std::uint64_t length,
                               std::uint64_t spool_offset) {
  keep_range(m, Range{offset, length, 0, Spooled{spool_offset}});
}

bool SourceCache::holds(const plan::Member& m, std::uint64_t offset, std::uint64_t length) const {
  const std::string key = id(m);
  std::lock_guard lock(mu_);
  const auto it = ranges_.find(key);
  return it != ranges_.end() && find_containing(it->second, offset, length) != it->second.end();
}

std::optional<std::string> SourceCache::take(const plan::Member& m, std::uint64_t offset,
                                             std::uint64_t length) {
  std::optional<std::string> bytes;
  std::optional<std::uint64_t> spooled_at;
  bool released = false;
  const std::string key = id(m);
  {
    std::lock_guard lock(mu_);
    const auto it = ranges_.find(key);
    if (it == ranges_.end()) return std::nullopt;
    auto& kept = it->second;
    const auto r = find_containing(kept, offset, length);
    if (r == kept.end()) return std::nullopt;
    const std::uint64_t at = offset - r->offset;
    if (auto* held = std::get_if<std::string>(&r->bytes)) {
      bytes = at == 0 && length == held->size() ? std::move(*held) : held->substr(at, length);
    } else {
      spooled_at = std::get<Spooled>(r->bytes).offset + at;
    }
    r->taken += length;
    released = r->taken >= r->length;
    if (released) kept.erase(r);
    if (kept.empty()) ranges_.erase(it);
  }
  if (spooled_at) {
    bytes = spool_.read(*spooled_at, length);  // read outside the lock
    if (!bytes) log::info("spool.read", "spool: cannot read back a source; reading it from S3 again");
  }
  if (bytes && released) {
    std::lock_guard lock(mu_);
    ++reused_;  // a range read before, all of it used again
  }
  return bytes;
}

size_t SourceCache::reused() const {
  std::lock_guard lock(mu_);
  return reused_;
}

}  // namespace s3tar::exec
