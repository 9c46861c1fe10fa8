#include "scheduler/s3_store.h"

#include <algorithm>
#include <cstring>
#include <deque>
#include <future>
#include <memory>

#include "inventory/errors.h"

namespace s3tar::scheduler {
namespace {

bool not_found(const s3::S3Error& e) { return e.is_not_found(); }

// One range's bytes: written on the client's event loop through the GET's sink (by offset: a
// retried GET starts again at 0), read by the inventory worker once the GET is done. A read
// reuses the buffers of the ranges it has consumed, so the event loop writes into pages already
// mapped instead of faulting in a fresh body for every range (a third of its CPU went to those
// faults); only a file's first kRangesAhead + 1 ranges get new buffers. The client checks that
// the GET's last attempt streamed exactly the range, so a done GET filled its buffer.
struct RangeBuffer {
  explicit RangeBuffer(std::uint64_t size) : data(new char[size]), capacity(size) {}
  void write(std::uint64_t offset, const char* bytes, std::size_t size) {
    // More than the range asked for is kept out: the client refuses that answer.
    if (offset + size <= capacity) std::memcpy(data.get() + offset, bytes, size);
  }
  std::unique_ptr<char[]> data;
  std::uint64_t capacity;
};

struct Range {
  std::uint64_t first;
  std::shared_ptr<RangeBuffer> buffer;
  std::future<s3::GetResult> get;
};

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
  std::vector<std::shared_ptr<RangeBuffer>> spare;  // buffers of ranges already consumed
  auto fetch = [&](std::uint64_t first, const std::string& etag) {
    std::shared_ptr<RangeBuffer> buffer;
    if (spare.empty()) {
      buffer = std::make_shared<RangeBuffer>(range_size_);
    } else {
      buffer = std::move(spare.back());
      spare.pop_back();
    }
    s3::GetRequest req;
    req.object = {bucket, key, ""};
    req.range = s3::ByteRange{first, first + range_size_ - 1};
    req.if_match = etag;
    // The GET owns the buffer too: a read that throws leaves GETs in flight, still writing.
    req.sink = [buffer](std::uint64_t offset, const char* data, std::size_t size) {
      buffer->write(offset, data, size);
      return true;
    };
    return Range{first, buffer, client_.get_object(std::move(req))};
  };
  Range head = fetch(0, "");
  std::uint64_t size = 0;
  std::string etag;
  try {
    const s3::GetResult r = head.get.get();
    size = r.info.size;
    etag = r.info.etag;
  } catch (const s3::S3Error& e) {
    if (not_found(e)) throw inventory::NotFoundError("no such object: " + where);
    if (!e.is_invalid_range()) throw;
    // No byte range of an empty object can be satisfied: read it whole (it is empty).
    const s3::GetResult whole =
        client_.get_object(s3::GetRequest{{bucket, key, ""}, std::nullopt, "", nullptr}).get();
    if (on_etag) on_etag(whole.info.etag);
    if (!whole.body.empty()) sink(whole.body.data(), whole.body.size());
    return;
  }
  std::uint64_t requested = std::min(size, range_size_);  // the first byte not yet asked for
  std::deque<Range> ahead;
  auto request_more = [&] {
    while (ahead.size() < kRangesAhead && requested < size) {
      ahead.push_back(fetch(requested, etag));
      requested = std::min(size, requested + range_size_);
    }
  };
  auto consume = [&](Range& r) {
    const std::uint64_t length = std::min(range_size_, size - r.first);  // checked by the client
    request_more();
    if (on_etag && r.first == 0) on_etag(etag);  // every range after the first is pinned to it
    // A sink that throws leaves the GETs in flight behind: they complete on their own.
    sink(r.buffer->data.get(), length);
    spare.push_back(std::move(r.buffer));  // its GET is done: nothing writes to it any more
  };
  consume(head);
  while (!ahead.empty()) {
    Range r = std::move(ahead.front());
    ahead.pop_front();
    try {
      r.get.get();
    } catch (const s3::S3Error& e) {
      if (e.is_precondition_failed() || not_found(e))
        throw inventory::StoreError(where + " changed while it was read (ETag " + etag + ")");
      throw;
    }
    consume(r);
  }
}

}  // namespace s3tar::scheduler
