// The executor: writes one planned volume to S3, through an upload session (one multipart
// upload) or one PutObject for a volume under the minimum part size, then checks what S3 holds
// and writes the index sidecar. Any failure or stop request aborts the upload: no half-written
// archive is left behind looking complete, and no multipart upload is left open (or the error
// says which one is).
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "s3tar/archive/exec/sidecar.h"
#include "s3tar/archive/exec/source_cache.h"
#include "s3tar/archive/exec/source_problem.h"
#include "s3tar/archive/plan/plan.h"
#include "s3tar/errors.h"
#include "s3tar/s3/client.h"
#include "s3tar/s3/upload_session.h"

namespace s3tar::exec {

struct ExecOptions {
  s3::WriteOptions write;                        // storage class, SSE, tags of the archive
  std::string index_storage_class = "STANDARD";  // the sidecar stays readable without a restore
  bool write_index = true;
  // Parts assembled in memory at once (each up to the volume's upload part size).
  size_t max_upload_parts_in_flight = 8;
  // Parts (copy or upload) in progress at once.
  size_t max_parts_in_flight = 32;
  // Bytes of uploaded parts pushed out of memory kept on local disk for a rewrite (spool.h),
  // per volume; 0: none (a rewrite reads their sources from S3 again).
  std::uint64_t spool_limit = 8ULL << 30;
  std::string spool_dir;  // empty: $TMPDIR, else /tmp
  s3::AbortPolicy abort;
};

// Thrown when a stop was requested (SIGTERM/SIGINT); the upload was aborted.
class Interrupted : public InterruptedError {
 public:
  using InterruptedError::InterruptedError;
};

// The archive S3 holds after the write is not the one planned (size or ETag): a concurrent
// writer, or damage. Its sidecar is not written, so it does not count as written; run again.
class VerificationError : public TransientError {
 public:
  using TransientError::TransientError;
};

struct VolumeResult {
  std::string bucket, key;
  uint64_t size = 0;
  std::string etag;
  size_t members = 0;
  size_t parts = 0;
  std::string index_key;
};

// A multipart upload kept open for a volume's rewrite (archive_writer.cpp): when the first
// attempt finds sources unreadable and has stored copy parts, the upload is not aborted, so
// that the rewrite keeps them (plan/reuse.h) instead of copying them again.
struct OpenUpload {
  bool keep_on_unreadable = false;              // in: keep the upload open on a SourceError
  std::unique_ptr<s3::UploadSession> session;   // out: the upload kept open (null: none)
  std::map<std::uint32_t, std::string> stored;  // out: ETags of the parts it holds, by number
  // Aborts the upload kept open, if any; on failure throws UploadLeftOpen (transient) naming it.
  void abort(const std::string& why);
};

class Executor {
 public:
  Executor(s3::S3Client& client, ExecOptions options, const std::atomic<bool>& stop);

  // Writes one volume into `bucket`; `index_extras` adds fields to its sidecar. Throws
  // SourceError (sources unreadable: every one the failed parts met), Interrupted,
  // VerificationError, s3::UploadLeftOpen (a failure, then the abort failed too) or the
  // failure's own error; the upload is aborted first.
  // With a cache, sources a failed attempt read are taken from it, and sources read before
  // this attempt fails on unreadable ones are kept in it (source_cache.h).
  // With `open`: when it holds an upload, the volume is written into it (its reused parts are
  // not sent again; any failure aborts it); otherwise, with keep_on_unreadable, a SourceError
  // after copy parts were stored leaves the upload open in `open` instead of aborting it.
  VolumeResult write_volume(const std::string& bucket, const plan::Volume& volume,
                            const nlohmann::json& index_extras = nullptr, SourceCache* cache = nullptr,
                            OpenUpload* open = nullptr);

 private:
  // What was sent, for the check: the ETag S3 should report ("" when it cannot be known).
  std::string put_single(const std::string& bucket, const plan::Volume& volume, const std::string& toc,
                         SourceCache* cache);
  std::string upload_multipart(const std::string& bucket, const plan::Volume& volume, const std::string& toc,
                               SourceCache* cache, OpenUpload* open);
  s3::ObjectInfo verify_written(const std::string& bucket, const plan::Volume& volume,
                                const std::string& expected_etag);

  s3::S3Client& client_;
  ExecOptions options_;
  const std::atomic<bool>& stop_;
};

}  // namespace s3tar::exec
