// The ArchiveStore `s3tar find` and `s3tar restore` use: HEAD, small reads and writes, and
// RestoreObject through the S3 client.
#pragma once

#include <optional>
#include <string>

#include "catalog/restore_run.h"
#include "s3tar/s3/client.h"

namespace s3tar::catalog {

// What HEAD says of an archive, as the restore decisions read it.
ArchiveHead archive_head(const s3::ObjectInfo& info);

class S3ArchiveStore : public ArchiveStore {
 public:
  explicit S3ArchiveStore(s3::S3Client& client) : client_(client) {}

  ArchiveHead head(const std::string& bucket, const std::string& key) override;
  std::optional<std::string> read(const std::string& bucket, const std::string& key) override;
  Answer request_restore(const std::string& bucket, const std::string& key, s3::ArchiveAccess access,
                         int days, s3::RestoreTier tier) override;
  void write(const std::string& bucket, const std::string& key, const std::string& body) override;

 private:
  s3::S3Client& client_;
};

}  // namespace s3tar::catalog
