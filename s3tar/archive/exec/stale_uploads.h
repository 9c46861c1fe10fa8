// Multipart uploads an earlier run left open (killed with SIGKILL, or out of memory): they hold
// their parts, billed as storage, until aborted. A run that writes a key aborts what earlier
// runs left for it before it starts; an AbortIncompleteMultipartUpload lifecycle rule on the
// bucket is the safety net for keys nobody writes again.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "s3tar/s3/client.h"
#include "s3tar/s3/upload_session.h"

namespace s3tar::exec {

// Aborts the open uploads under `prefix` whose key `ours` accepts, saying so for each; returns
// them. Two runs writing the same key at once are not supported: the second aborts the first's.
std::vector<s3::UploadInfo> abort_stale_uploads(s3::S3Client& client, const std::string& bucket,
                                                const std::string& prefix,
                                                const std::function<bool(const std::string& key)>& ours,
                                                const s3::AbortPolicy& policy = {});

}  // namespace s3tar::exec
