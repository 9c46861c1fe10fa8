// The executor: writes planned volumes to S3, one multipart upload per volume (or one
// PutObject for a volume under the minimum part size), then checks the result and writes the
// index sidecar. Any failure or stop request aborts the upload: no half-written archive is
// left behind looking complete, and no multipart upload is left open.
#pragma once

#include <atomic>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "s3tar/archive/plan/plan.h"
#include "s3tar/errors.h"
#include "s3tar/s3/client.h"

namespace s3tar::exec {

struct ExecOptions {
  s3::WriteOptions write;                        // storage class, SSE, tags of the archive
  std::string index_storage_class = "STANDARD";  // the sidecar stays readable without a restore
  bool write_index = true;
  // Parts assembled in memory at once (each up to the volume's upload part size).
  size_t max_upload_parts_in_flight = 8;
  // Parts (copy or upload) in progress at once.
  size_t max_parts_in_flight = 32;
};

// A source object that could not be read as planned.
struct SourceProblem {
  std::string bucket, key, version_id;
  std::string reason;   // changed | missing | archived | access-denied | error
  std::string message;  // one line, from S3
};

// Thrown when sources could not be read; the upload was aborted.
class SourceError : public BadInputError {
 public:
  SourceError(const std::string& what, std::vector<SourceProblem> problems)
      : BadInputError(what), problems_(std::move(problems)) {}
  const std::vector<SourceProblem>& problems() const { return problems_; }

 private:
  std::vector<SourceProblem> problems_;
};

// Thrown when a stop was requested (SIGTERM/SIGINT); the upload was aborted.
class Interrupted : public InterruptedError {
 public:
  using InterruptedError::InterruptedError;
};

struct VolumeResult {
  std::string bucket, key;
  uint64_t size = 0;
  std::string etag;
  size_t members = 0;
  size_t parts = 0;
  std::string index_key;
};

class Executor {
 public:
  Executor(s3::S3Client& client, ExecOptions options, const std::atomic<bool>& stop);

  // Writes one volume into `bucket`. Throws SourceError (sources unreadable), Interrupted,
  // s3::S3Error or std::runtime_error (verification failed); the upload is aborted first.
  VolumeResult write_volume(const std::string& bucket, const plan::Volume& volume);

 private:
  s3::S3Client& client_;
  ExecOptions options_;
  const std::atomic<bool>& stop_;
};

// The sidecar index of a volume: JSON with the archive and every member's exact key, version,
// data offset, size, ETag and mtime. Stored next to the archive as `<key>.index.json`.
std::string index_key_for(const std::string& archive_key);
std::string render_index(const std::string& bucket, const plan::Volume& volume, const std::string& etag);

// Why a source object cannot be archived as planned ("changed", "missing", "archived"), when the
// error is S3's answer about that object; nullopt for every other error (network, throttling,
// server errors, permissions, the destination), which must propagate rather than drop objects.
std::optional<std::string> source_problem_reason(const s3::S3Error& e);

}  // namespace s3tar::exec
