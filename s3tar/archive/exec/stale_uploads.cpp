#include "s3tar/archive/exec/stale_uploads.h"

#include "s3tar/log/log.h"

namespace s3tar::exec {

std::vector<s3::UploadInfo> abort_stale_uploads(s3::S3Client& client, const std::string& bucket,
                                                const std::string& prefix,
                                                const std::function<bool(const std::string& key)>& ours,
                                                const s3::AbortPolicy& policy) {
  std::vector<s3::UploadInfo> aborted;
  for (const auto& u : client.list_multipart_uploads(bucket, prefix).get()) {
    if (!ours(u.key)) continue;
    if (!s3::abort_upload(client, bucket, u.key, u.upload_id, policy)) continue;  // gone meanwhile
    log::warn("upload.stale_aborted",
              "aborted the multipart upload of s3://" + bucket + "/" + u.key +
                  " that an earlier run left open" +
                  (u.initiated.empty() ? "" : " (started " + u.initiated + ")"),
              {{"upload_id", u.upload_id}, {"initiated", u.initiated}});
    aborted.push_back(u);
  }
  return aborted;
}

}  // namespace s3tar::exec
