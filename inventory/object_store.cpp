#include "inventory/object_store.h"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <set>

#include "inventory/errors.h"

namespace s3tar::inventory {

std::vector<std::string> ObjectStore::list_folders(const std::string& bucket, const std::string& prefix) {
  std::set<std::string> folders;
  for (const auto& key : list_keys(bucket, prefix)) {
    auto slash = key.find('/', prefix.size());
    if (slash != std::string::npos) folders.insert(key.substr(0, slash + 1));
  }
  return {folders.begin(), folders.end()};
}

std::string ObjectStore::read_small(const std::string& bucket, const std::string& key, std::size_t max_size) {
  std::string out;
  read(bucket, key, [&](const char* data, std::size_t size) {
    if (out.size() + size > max_size) {
      throw BadInputError(key + " is larger than " + std::to_string(max_size) + " bytes");
    }
    out.append(data, size);
  });
  return out;
}

LocalObjectStore::LocalObjectStore(std::filesystem::path root, std::size_t chunk_size)
    : root_(std::move(root)), chunk_size_(std::max<std::size_t>(chunk_size, 1)) {}

std::filesystem::path LocalObjectStore::path_of(const std::string& bucket, const std::string& key) const {
  return root_ / bucket / key;
}

std::vector<std::string> LocalObjectStore::list_keys(const std::string& bucket, const std::string& prefix) {
  namespace fs = std::filesystem;
  const fs::path base = root_ / bucket;
  std::error_code ec;
  if (!fs::is_directory(base, ec)) throw NotFoundError("no such bucket directory: " + base.string());
  std::vector<std::string> keys;
  // Only walk below the deepest directory named by the prefix.
  const auto dir_part = prefix.substr(0, prefix.rfind('/') == std::string::npos ? 0 : prefix.rfind('/') + 1);
  const fs::path start = base / dir_part;
  if (!fs::is_directory(start, ec)) return keys;
  for (fs::recursive_directory_iterator it(start, ec), end; !ec && it != end; it.increment(ec)) {
    if (!it->is_regular_file(ec)) continue;
    auto key = fs::relative(it->path(), base, ec).generic_string();
    if (ec) throw StoreError("cannot list " + base.string() + ": " + ec.message());
    if (key.compare(0, prefix.size(), prefix) == 0) keys.push_back(std::move(key));
  }
  if (ec) throw StoreError("cannot list " + start.string() + ": " + ec.message());
  std::sort(keys.begin(), keys.end());
  return keys;
}

void LocalObjectStore::read(const std::string& bucket, const std::string& key, const ByteSink& sink,
                            const EtagSink&) {
  const auto path = path_of(bucket, key);
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec))
    throw NotFoundError("no such object: " + bucket + "/" + key);
  std::unique_ptr<FILE, int (*)(FILE*)> f(std::fopen(path.c_str(), "rb"), &std::fclose);
  if (!f) throw StoreError("cannot open " + path.string() + ": " + std::strerror(errno));
  std::vector<char> buf(chunk_size_);
  for (;;) {
    const auto n = std::fread(buf.data(), 1, buf.size(), f.get());
    if (n > 0) sink(buf.data(), n);
    if (n < buf.size()) {
      if (std::ferror(f.get())) throw StoreError("cannot read " + path.string());
      break;
    }
  }
}

}  // namespace s3tar::inventory
