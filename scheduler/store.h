// The narrow interface the daily job's apply step acts through: the S3 client implements it
// (S3DailyStore), and unit tests implement it in memory.
#pragma once

#include <atomic>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "s3tar/archive/exec/archive_writer.h"
#include "s3tar/archive/plan/plan.h"
#include "s3tar/s3/client.h"
#include "scheduler/decide.h"

namespace s3tar::scheduler {

// The outcome of writing one planned volume.
struct VolumeWrite {
  enum class Outcome {
    kWritten,     // archive and sidecar are there; `result`, `volume` and `skipped` say what
    kAllSkipped,  // every source was unreadable: nothing was written; `skipped` says why
    kLostRace,    // another run completed or aborted this key's upload while we wrote it
  };
  Outcome outcome = Outcome::kWritten;
  exec::VolumeResult result;
  plan::Volume volume;                       // as written (without the skipped sources)
  std::vector<exec::SourceProblem> skipped;  // sources left out of this volume
  std::string detail;                        // kLostRace: the error
};

class DailyStore {
 public:
  virtual ~DailyStore() = default;
  virtual std::optional<s3::ObjectInfo> head(const std::string& bucket, const std::string& key) = 0;
  virtual std::optional<std::string> get(const std::string& bucket, const std::string& key) = 0;
  // A small STANDARD object (state, reports). With if_none_match, false when the key exists.
  virtual bool put(const std::string& bucket, const std::string& key, std::string body,
                   const std::string& content_type, bool if_none_match = false) = 0;
  virtual std::vector<std::string> list(const std::string& bucket, const std::string& prefix) = 0;
  virtual std::vector<s3::UploadInfo> list_uploads(const std::string& bucket, const std::string& prefix) = 0;
  // False when the upload is gone already (completed, or aborted by another run).
  virtual bool abort_upload(const std::string& bucket, const std::string& key,
                            const std::string& upload_id) = 0;
  // Tags exactly what was archived: HEAD with If-Match (fails when the key was overwritten
  // since), then tags the version HEAD names. Throws on failure. Called from several threads.
  virtual void tag(const TagTarget& target, const std::vector<std::pair<std::string, std::string>>& tags) = 0;
  // Writes volume `index` of `plan` (its key assigned), with If-None-Match when asked. Called
  // from several threads (ApplyContext::volumes_in_flight volumes at once).
  virtual VolumeWrite write_volume(const plan::Plan& plan, std::size_t index, bool if_none_match) = 0;
};

// The S3 client as a DailyStore. `request` holds the destination bucket and the planner and
// executor settings; reports are written with `report_write` (its SSE; STANDARD class).
class S3DailyStore : public DailyStore {
 public:
  S3DailyStore(s3::S3Client& client, exec::WriteRequest request, s3::WriteOptions report_write,
               const std::atomic<bool>& stop);

  std::optional<s3::ObjectInfo> head(const std::string& bucket, const std::string& key) override;
  std::optional<std::string> get(const std::string& bucket, const std::string& key) override;
  bool put(const std::string& bucket, const std::string& key, std::string body,
           const std::string& content_type, bool if_none_match) override;
  std::vector<std::string> list(const std::string& bucket, const std::string& prefix) override;
  std::vector<s3::UploadInfo> list_uploads(const std::string& bucket, const std::string& prefix) override;
  bool abort_upload(const std::string& bucket, const std::string& key, const std::string& upload_id) override;
  void tag(const TagTarget& target, const std::vector<std::pair<std::string, std::string>>& tags) override;
  VolumeWrite write_volume(const plan::Plan& plan, std::size_t index, bool if_none_match) override;

 private:
  s3::S3Client& client_;
  exec::WriteRequest request_;
  s3::WriteOptions report_write_;
  const std::atomic<bool>& stop_;
};

}  // namespace s3tar::scheduler
