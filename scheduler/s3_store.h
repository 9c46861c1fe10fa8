// The inventory reader's ObjectStore over the S3 client: reports are read straight from the
// inventory's destination bucket.
#pragma once

#include "inventory/object_store.h"
#include "s3tar/s3/client.h"

namespace s3tar::scheduler {

// list_folders uses a delimiter listing; read() streams through the GET sink. A missing key
// throws inventory::NotFoundError; other S3 failures propagate as s3::S3Error, so transient
// ones (5xx, network) keep their exit code instead of looking like bad inventory data.
class S3ObjectStore : public inventory::ObjectStore {
 public:
  explicit S3ObjectStore(s3::S3Client& client) : client_(client) {}

  std::vector<std::string> list_keys(const std::string& bucket, const std::string& prefix) override;
  std::vector<std::string> list_folders(const std::string& bucket, const std::string& prefix) override;
  void read(const std::string& bucket, const std::string& key, const inventory::ByteSink& sink) override;

 private:
  s3::S3Client& client_;
};

}  // namespace s3tar::scheduler
