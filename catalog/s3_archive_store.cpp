#include "catalog/s3_archive_store.h"

#include "s3tar/errors.h"

namespace s3tar::catalog {

ArchiveHead archive_head(const s3::ObjectInfo& info) {
  ArchiveHead h;
  h.etag = info.etag;
  h.storage_class = info.storage_class.empty() ? "STANDARD" : info.storage_class;
  h.archive_status = info.archive_status;
  h.restore = info.restore;
  h.size = info.size;
  return h;
}

ArchiveHead S3ArchiveStore::head(const std::string& bucket, const std::string& key) {
  try {
    return archive_head(client_.head_object(s3::ObjectRef{bucket, key, ""}).get());
  } catch (const s3::S3Error& e) {
    if (!e.is_not_found()) throw;
    ArchiveHead gone;
    gone.exists = false;
    return gone;
  }
}

std::optional<std::string> S3ArchiveStore::read(const std::string& bucket, const std::string& key) {
  s3::GetRequest request;
  request.object = s3::ObjectRef{bucket, key, ""};
  try {
    return client_.get_object(std::move(request)).get().body;
  } catch (const s3::S3Error& e) {
    if (e.is_not_found()) return std::nullopt;
    throw;
  }
}

ArchiveStore::Answer S3ArchiveStore::request_restore(const std::string& bucket, const std::string& key,
                                                     s3::ArchiveAccess access, int days,
                                                     s3::RestoreTier tier) {
  switch (client_.restore_object(s3::ObjectRef{bucket, key, ""}, access, days, tier).get()) {
    case s3::RestoreAnswer::kStarted:
      return Answer::kStarted;
    case s3::RestoreAnswer::kAlreadyRestored:
      return Answer::kAlreadyRestored;
    case s3::RestoreAnswer::kInProgress:
      return Answer::kInProgress;
  }
  throw Error(ErrorCategory::Internal, "RestoreObject: unknown answer");
}

void S3ArchiveStore::write(const std::string& bucket, const std::string& key, const std::string& body) {
  s3::WriteOptions options;
  options.storage_class = "STANDARD";  // a record next to an archive in an archival class
  options.content_type = "application/json";
  client_.put_object(bucket, key, std::make_shared<const std::string>(body), options).get();
}

}  // namespace s3tar::catalog
