#include "scheduler/s3_store.h"

#include <algorithm>
#include <deque>
#include <future>

#include "inventory/errors.h"

namespace s3tar::scheduler {
namespace {

bool not_found(const s3::S3Error& e) { return e.is_not_found(); }

}  // namespace

std::vector<std::string> S3ObjectStore::list_keys(const std::string& bucket, const std::string& prefix) {
  std::vector<std::string> keys;
  client_.list_all(bucket, prefix, [&](const s3::ListedObject& o) { keys.push_back(o.key); });
  std::sort(keys.begin(), keys.end());
  return keys;
}

std::vector<std::string> S3ObjectStore::list_folders(const std::string& bucket, const std::string& prefix) {
  std::vector<std::string> folders;
  client_.list_pages(bucket, prefix, "/", [&](s3::ListPage& page) {
    for (auto& p : page.common_prefixes) folders.push_back(std::move(p));
  });
  std::sort(folders.begin(), folders.end());
  folders.erase(std::unique(folders.begin(), folders.end()), folders.end());
  return folders;
}

void S3ObjectStore::read(const std::string& bucket, const std::string& key, const inventory::ByteSink& sink,
                         const inventory::EtagSink& on_etag) {
  const std::string where = "s3://" + bucket + "/" + key;
  auto fetch = [&](std::uint64_t first, const std::string& etag) {
    s3::GetRequest req;
    req.object = {bucket, key, ""};
    req.range = s3::ByteRange{first, first + range_size_ - 1};
    req.if_match = etag;
    return client_.get_object(std::move(req));
  };
  s3::GetResult head;
  try {
    head = fetch(0, "").get();
  } catch (const s3::S3Error& e) {
    if (not_found(e)) throw inventory::NotFoundError("no such object: " + where);
    if (!e.is_invalid_range()) throw;
    // No byte range of an empty object can be satisfied: read it whole (it is empty).
    head = client_.get_object(s3::GetRequest{{bucket, key, ""}, std::nullopt, "", nullptr}).get();
    if (on_etag) on_etag(head.info.etag);
    if (!head.body.empty()) sink(head.body.data(), head.body.size());
    return;
  }
  const std::uint64_t size = head.info.size;
  const std::string etag = head.info.etag;
  std::uint64_t requested = head.body.size();                              // the first byte not yet asked for
  std::deque<std::pair<std::uint64_t, std::future<s3::GetResult>>> ahead;  // (first byte, GET)
  auto request_more = [&] {
    while (ahead.size() < kRangesAhead && requested < size) {
      ahead.emplace_back(requested, fetch(requested, etag));
      requested = std::min(size, requested + range_size_);
    }
  };
  request_more();
  if (on_etag) on_etag(etag);  // every range after the first is pinned to it
  // A sink that throws leaves the GETs in flight behind: they complete on their own.
  if (!head.body.empty()) sink(head.body.data(), head.body.size());
  head.body = std::string();
  while (!ahead.empty()) {
    auto [first, next] = std::move(ahead.front());
    ahead.pop_front();
    s3::GetResult r;
    try {
      r = next.get();
    } catch (const s3::S3Error& e) {
      if (e.is_precondition_failed() || not_found(e))
        throw inventory::StoreError(where + " changed while it was read (ETag " + etag + ")");
      throw;
    }
    const std::uint64_t expected = std::min(range_size_, size - first);
    if (r.body.size() != expected)
      throw inventory::StoreError(where + ": the server answered the range at byte " + std::to_string(first) +
                                  " with " + std::to_string(r.body.size()) + " bytes instead of " +
                                  std::to_string(expected));
    request_more();
    sink(r.body.data(), r.body.size());
  }
}

}  // namespace s3tar::scheduler
