// The inventory reader's ObjectStore over the S3 client: reports are read straight from the
// inventory's destination bucket.
#pragma once

#include <cstddef>
#include <cstdint>

#include "inventory/object_store.h"
#include "s3tar/s3/client.h"

namespace s3tar::scheduler {

// list_folders uses a delimiter listing. read() fetches the object in ranges, the next ones
// while the sink consumes the current one, and calls the sink on the calling thread: an
// inventory worker decompresses and parses its data file itself instead of on the client's
// event loop. Each read holds at most kRangesAhead + 1 ranges in memory, in buffers it reuses
// from range to range: at the end of a scan with the default 4 inventory threads these buffers
// are a large share of the daily job's peak memory, so ranges are small and several are in
// flight to hide S3's latency. Every range
// after the first is pinned to the first one's ETag. A missing key throws
// inventory::NotFoundError; other S3 failures propagate as s3::S3Error, so transient ones (5xx,
// network) keep their exit code instead of looking like bad inventory data.
class S3ObjectStore : public inventory::ObjectStore {
 public:
  static constexpr std::uint64_t kDefaultRangeSize = std::uint64_t{1} << 20;
  static constexpr std::size_t kRangesAhead = 2;

  explicit S3ObjectStore(s3::S3Client& client, std::uint64_t range_size = kDefaultRangeSize)
      : client_(client), range_size_(range_size ? range_size : kDefaultRangeSize) {}

  std::vector<std::string> list_keys(const std::string& bucket, const std::string& prefix) override;
  std::vector<std::string> list_folders(const std::string& bucket, const std::string& prefix) override;
  using inventory::ObjectStore::read;
  void read(const std::string& bucket, const std::string& key, const inventory::ByteSink& sink,
            const inventory::EtagSink& on_etag) override;

 private:
  s3::S3Client& client_;
  std::uint64_t range_size_;
};

}  // namespace s3tar::scheduler
