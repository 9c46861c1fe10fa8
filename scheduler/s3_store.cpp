#include "scheduler/s3_store.h"

#include <algorithm>
#include <exception>

#include "inventory/errors.h"

namespace s3tar::scheduler {
namespace {

bool not_found(const s3::S3Error& e) {
  return e.status() == 404 || e.code() == "NoSuchKey" || e.code() == "NotFound";
}

}  // namespace

std::vector<std::string> S3ObjectStore::list_keys(const std::string& bucket, const std::string& prefix) {
  std::vector<std::string> keys;
  client_.list_all(bucket, prefix, [&](const s3::ListedObject& o) { keys.push_back(o.key); });
  std::sort(keys.begin(), keys.end());
  return keys;
}

std::vector<std::string> S3ObjectStore::list_folders(const std::string& bucket, const std::string& prefix) {
  std::vector<std::string> folders;
  std::string token;
  do {
    s3::ListPage page = client_.list_objects_v2(bucket, prefix, token, "/").get();
    for (auto& p : page.common_prefixes) folders.push_back(std::move(p));
    token = std::move(page.next_continuation_token);
  } while (!token.empty());
  std::sort(folders.begin(), folders.end());
  folders.erase(std::unique(folders.begin(), folders.end()), folders.end());
  return folders;
}

void S3ObjectStore::read(const std::string& bucket, const std::string& key, const inventory::ByteSink& sink) {
  // The client restarts a retried GET at offset 0: pass on only the bytes not delivered yet.
  // The sink (a gzip/CSV stream) may throw; keep that off the HTTP thread and rethrow here.
  std::uint64_t delivered = 0;
  std::exception_ptr sink_error;
  s3::GetRequest req;
  req.object = {bucket, key, ""};
  req.sink = [&](std::uint64_t offset, const char* data, std::size_t size) -> bool {
    if (sink_error) return false;
    if (offset > delivered) {
      sink_error = std::make_exception_ptr(
          inventory::StoreError("s3://" + bucket + "/" + key + ": the response skipped bytes"));
      return false;
    }
    const std::uint64_t end = offset + size;
    if (end <= delivered) return true;
    const std::uint64_t skip = delivered - offset;
    try {
      sink(data + skip, static_cast<std::size_t>(size - skip));
    } catch (...) {
      sink_error = std::current_exception();
      return false;
    }
    delivered = end;
    return true;
  };
  try {
    client_.get_object(std::move(req)).get();
  } catch (const s3::S3Error& e) {
    if (sink_error) std::rethrow_exception(sink_error);
    if (not_found(e)) throw inventory::NotFoundError("no such object: s3://" + bucket + "/" + key);
    throw;
  } catch (...) {
    if (sink_error) std::rethrow_exception(sink_error);
    throw;
  }
  if (sink_error) std::rethrow_exception(sink_error);
}

}  // namespace s3tar::scheduler
