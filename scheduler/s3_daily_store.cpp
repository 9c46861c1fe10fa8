#include <algorithm>

#include "scheduler/store.h"

namespace s3tar::scheduler {
namespace {

bool is_not_found(const s3::S3Error& e) { return e.is_not_found(); }

// A destination write failed because another run got there first: it completed the key (a
// conditional write's 412, or the 409 of a conditional write racing another) or aborted our
// upload after completing the key itself (NoSuchUpload). Source problems never reach here: the
// executor turns them into SourceError.
bool lost_race(const s3::S3Error& e) {
  return e.is_no_such_upload() || e.is_precondition_failed() || e.is_conditional_conflict();
}

}  // namespace

S3DailyStore::S3DailyStore(s3::S3Client& client, exec::WriteRequest request, s3::WriteOptions report_write,
                           const std::atomic<bool>& stop)
    : client_(client), request_(std::move(request)), report_write_(std::move(report_write)), stop_(stop) {}

std::optional<s3::ObjectInfo> S3DailyStore::head(const std::string& bucket, const std::string& key) {
  try {
    return client_.head_object({bucket, key, ""}).get();
  } catch (const s3::S3Error& e) {
    if (is_not_found(e)) return std::nullopt;
    throw;
  }
}

std::optional<std::string> S3DailyStore::get(const std::string& bucket, const std::string& key) {
  try {
    return client_.get_object({{bucket, key, ""}, std::nullopt, {}, {}}).get().body;
  } catch (const s3::S3Error& e) {
    if (is_not_found(e)) return std::nullopt;
    throw;
  }
}

bool S3DailyStore::put(const std::string& bucket, const std::string& key, std::string body,
                       const std::string& content_type, bool if_none_match) {
  s3::WriteOptions w = report_write_;
  w.storage_class = "STANDARD";
  w.content_type = content_type;
  w.if_none_match = if_none_match;
  try {
    client_.put_object(bucket, key, std::make_shared<const std::string>(std::move(body)), w).get();
  } catch (const s3::S3Error& e) {
    if (if_none_match && e.is_precondition_failed()) return false;
    throw;
  }
  return true;
}

std::vector<std::string> S3DailyStore::list(const std::string& bucket, const std::string& prefix) {
  std::vector<std::string> keys;
  client_.list_all(bucket, prefix, [&](const s3::ListedObject& o) { keys.push_back(o.key); });
  std::sort(keys.begin(), keys.end());
  return keys;
}

std::vector<s3::UploadInfo> S3DailyStore::list_uploads(const std::string& bucket, const std::string& prefix) {
  return client_.list_multipart_uploads(bucket, prefix).get();
}

bool S3DailyStore::abort_upload(const std::string& bucket, const std::string& key,
                                const std::string& upload_id) {
  try {
    client_.abort_multipart_upload(bucket, key, upload_id).get();
  } catch (const s3::S3Error& e) {
    if (e.is_no_such_upload() || e.is_not_found()) return false;
    throw;
  }
  return true;
}

void S3DailyStore::tag(const TagTarget& t, const std::vector<std::pair<std::string, std::string>>& tags) {
  const s3::ObjectInfo head = client_.head_object({t.bucket, t.key, t.version_id}, t.etag).get();
  client_.put_object_tagging({t.bucket, t.key, t.version_id.empty() ? head.version_id : t.version_id}, tags)
      .get();
}

VolumeWrite S3DailyStore::write_volume(const plan::Plan& plan, std::size_t index, bool if_none_match) {
  plan::Plan one;
  one.volumes.push_back(plan.volumes.at(index));
  one.stats = one.volumes.back().stats;
  exec::WriteRequest req = request_;
  req.exec.write.if_none_match = if_none_match;
  VolumeWrite out;
  req.on_written = [&](std::size_t, const plan::Volume& v, const exec::VolumeResult&) { out.volume = v; };
  try {
    exec::WriteOutcome r = exec::write_plan(client_, std::move(one), req, stop_);
    out.skipped = std::move(r.skipped);
    if (r.written.empty()) {
      out.outcome = VolumeWrite::Outcome::kAllSkipped;
    } else {
      out.result = std::move(r.written.front());
    }
  } catch (const s3::S3Error& e) {
    if (!lost_race(e)) throw;
    out.outcome = VolumeWrite::Outcome::kLostRace;
    out.detail = e.what();
  }
  return out;
}

}  // namespace s3tar::scheduler
