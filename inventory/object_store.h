#pragma once

#include <cstddef>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

namespace s3tar::inventory {

// Receives an object's bytes in order, chunk by chunk.
using ByteSink = std::function<void(const char* data, std::size_t size)>;
// Receives, before the first byte, the ETag of the object version whose bytes follow.
using EtagSink = std::function<void(const std::string& etag)>;

// Where inventory bytes come from. The S3 client implements this; LocalObjectStore serves a
// directory tree for tests and tools. Implementations must be safe to call from several
// threads at once.
class ObjectStore {
 public:
  virtual ~ObjectStore() = default;

  // Every key under `prefix` (recursive), sorted in byte order.
  virtual std::vector<std::string> list_keys(const std::string& bucket, const std::string& prefix) = 0;

  // The immediate "folders" under `prefix` (S3 CommonPrefixes with delimiter "/"), as full
  // prefixes ending in "/", sorted. The default derives them from list_keys().
  virtual std::vector<std::string> list_folders(const std::string& bucket, const std::string& prefix);

  // Streams the object to `sink`. Throws NotFoundError when the key does not exist and
  // StoreError on other failures. Exceptions thrown by `sink` propagate.
  void read(const std::string& bucket, const std::string& key, const ByteSink& sink) {
    read(bucket, key, sink, EtagSink());
  }
  // The same; a store that knows the object's ETag gives it to `on_etag` (when set) before the
  // first byte, and then streams only bytes of that version.
  virtual void read(const std::string& bucket, const std::string& key, const ByteSink& sink,
                    const EtagSink& on_etag) = 0;

  // Reads a small object whole (manifest.json, manifest.checksum). Throws BadInputError when
  // it is larger than `max_size`.
  std::string read_small(const std::string& bucket, const std::string& key, std::size_t max_size = 64 << 20);
};

// A directory tree: bucket B, key K is the file `root / B / K`. With an empty root the bucket
// itself is a directory path.
class LocalObjectStore : public ObjectStore {
 public:
  explicit LocalObjectStore(std::filesystem::path root = {}, std::size_t chunk_size = 256 << 10);

  std::vector<std::string> list_keys(const std::string& bucket, const std::string& prefix) override;
  using ObjectStore::read;
  // Files have no ETag: `on_etag` is never called.
  void read(const std::string& bucket, const std::string& key, const ByteSink& sink,
            const EtagSink& on_etag) override;

  std::filesystem::path path_of(const std::string& bucket, const std::string& key) const;

 private:
  std::filesystem::path root_;
  std::size_t chunk_size_;
};

}  // namespace s3tar::inventory
