#include "s3tar/archive/exec/executor.h"

#include <algorithm>
#include <utility>

#include "s3tar/archive/exec/part_assembler.h"
#include "s3tar/archive/exec/part_uploader.h"
#include "s3tar/log/log.h"
#include "s3tar/s3/digest.h"

namespace s3tar::exec {
namespace {

// S3 computes ETags from MD5s unless the object is KMS-encrypted.
bool etag_is_md5(const s3::WriteOptions& w) { return w.sse.empty() || w.sse == "AES256"; }

std::string where(const std::string& bucket, const std::string& key) { return "s3://" + bucket + "/" + key; }

// The multipart ETag S3 will report for these parts, when every part ETag is an MD5.
std::string expected_multipart_etag(const std::vector<s3::CompletedPart>& parts) {
  std::vector<std::string> etags;
  for (const auto& p : parts) etags.push_back(p.etag);
  if (!std::all_of(etags.begin(), etags.end(), [](const std::string& e) { return s3::is_md5_etag(e); }))
    return "";
  return s3::multipart_etag(etags);
}

// Copy parts of `volume` that S3 stored (a completed part has its ETag).
size_t stored_copy_parts(const plan::Volume& volume, const std::vector<s3::CompletedPart>& completed) {
  size_t n = 0;
  for (size_t i = 0; i < completed.size() && i < volume.parts.size(); ++i)
    n += volume.parts[i].kind == plan::PartKind::Copy && !completed[i].etag.empty() ? 1 : 0;
  return n;
}

}  // namespace

Executor::Executor(s3::S3Client& client, ExecOptions options, const std::atomic<bool>& stop)
    : client_(client), options_(std::move(options)), stop_(stop) {}

void OpenUpload::abort(const std::string& why) {
  if (!session) return;
  const std::unique_ptr<s3::UploadSession> s = std::move(session);
  stored.clear();
  try {
    s->abort();
  } catch (const std::exception& e) {
    throw s3::UploadLeftOpen(ErrorCategory::Transient,
                             why + "; aborting the upload of " + s->where() + " failed too: " + e.what(),
                             s->upload_id());
  }
}

VolumeResult Executor::write_volume(const std::string& bucket, const plan::Volume& volume,
                                    const nlohmann::json& index_extras, SourceCache* cache,
                                    OpenUpload* open) {
  if (stop_) {
    const std::string why = "stopped before writing " + where(bucket, volume.key);
    if (open) open->abort(why);
    throw Interrupted(why);
  }
  if (open && open->session && volume.single_put) open->abort("the rewrite is one PutObject");
  const std::string toc = plan::render_toc(volume);
  const std::string expected_etag = volume.single_put ? put_single(bucket, volume, toc, cache)
                                                      : upload_multipart(bucket, volume, toc, cache, open);
  const s3::ObjectInfo head = verify_written(bucket, volume, expected_etag);

  VolumeResult result;
  result.bucket = bucket;
  result.key = volume.key;
  result.size = volume.total_size;
  result.members = volume.members.size();
  result.parts = volume.parts.size();
  result.etag = head.etag;
  if (options_.write_index) {
    s3::WriteOptions w;
    w.storage_class = options_.index_storage_class;
    w.content_type = "application/json";
    w.sse = options_.write.sse;
    w.kms_key_id = options_.write.kms_key_id;
    result.index_key = index_key_for(volume.key);
    const std::string index = render_index(bucket, volume, head.etag, index_extras);
    client_.put_object(bucket, result.index_key, std::make_shared<const std::string>(index), w).get();
  }
  return result;
}

// One PutObject: nothing to abort if it fails. A source that cannot be read is a SourceError
// here too, so --skip-unreadable can re-plan without it.
std::string Executor::put_single(const std::string& bucket, const plan::Volume& volume,
                                 const std::string& toc, SourceCache* cache) {
  log::Progress progress(where(bucket, volume.key), volume.members.size(), volume.total_size);
  uint64_t shown = 0;
  auto read = [&](uint64_t bytes) {
    shown += bytes;
    progress.add(0, bytes);
  };
  const plan::Part& part = volume.parts.at(0);
  auto body =
      std::make_shared<const std::string>(assemble_part(client_, volume, part, toc, cache, nullptr, read));
  const std::string expected = s3::md5_hex(*body);
  client_.put_object(bucket, volume.key, body, options_.write).get();
  progress.add(objects_in(part), part.size - shown);
  return etag_is_md5(options_.write) ? expected : "";
}

std::string Executor::upload_multipart(const std::string& bucket, const plan::Volume& volume,
                                       const std::string& toc, SourceCache* cache, OpenUpload* open) {
  // The rewrite goes into the upload its first attempt left open; otherwise a new one.
  std::unique_ptr<s3::UploadSession> owned;
  std::map<std::uint32_t, std::string> stored;
  const bool rewrite = open && open->session;
  if (rewrite) {
    owned = std::move(open->session);
    stored = std::exchange(open->stored, {});
  } else {
    owned = std::make_unique<s3::UploadSession>(client_, bucket, volume.key, options_.write, options_.abort);
  }
  s3::UploadSession& session = *owned;
  PartsOutcome parts =
      upload_parts(client_, session, volume, toc,
                   {options_.max_parts_in_flight, options_.max_upload_parts_in_flight}, cache, stop_, stored);
  if (parts.stopped)
    session.abort_and_rethrow(
        std::make_exception_ptr(Interrupted("stopped while writing " + where(bucket, volume.key))));
  if (!parts.problems.empty() && !parts.error && open && open->keep_on_unreadable && !rewrite &&
      stored_copy_parts(volume, parts.completed) > 0) {
    // Planned again without these sources, the volume keeps the copy parts stored so far
    // (plan/reuse.h): the upload stays open for the rewrite, which aborts it on any failure.
    for (const auto& p : parts.completed)
      if (!p.etag.empty()) open->stored[static_cast<std::uint32_t>(p.number)] = p.etag;
    open->session = std::move(owned);
    std::string problems = describe_problems(parts.problems);
    throw SourceError(problems, std::move(parts.problems));
  }
  if (!parts.problems.empty()) {
    // The volume may be planned again without these sources. An abort that fails then is S3
    // failing, not the sources: run again.
    std::string problems = describe_problems(parts.problems);
    session.abort_and_rethrow(std::make_exception_ptr(SourceError(problems, std::move(parts.problems))),
                              ErrorCategory::Transient);
  }
  if (parts.error) session.abort_and_rethrow(parts.error);

  s3::CompleteExpectation expected;
  expected.size = volume.total_size;
  if (etag_is_md5(options_.write)) expected.etag = expected_multipart_etag(parts.completed);
  expected.if_none_match = options_.write.if_none_match;  // conditional completion where supported
  session.complete(std::move(parts.completed), expected);
  // Tags sent with CreateMultipartUpload are not applied by every S3-compatible server.
  if (!options_.write.tags.empty())
    client_.put_object_tagging({bucket, volume.key, ""}, options_.write.tags).get();
  return expected.etag;
}

// What S3 holds must be what was planned and sent: the size, and the ETag computed from the
// parts (when it is computed from MD5s). Otherwise no sidecar is written.
s3::ObjectInfo Executor::verify_written(const std::string& bucket, const plan::Volume& volume,
                                        const std::string& expected_etag) {
  const s3::ObjectInfo head = client_.head_object({bucket, volume.key, ""}).get();
  std::string problem;
  if (head.size != volume.total_size) {
    problem = "has " + std::to_string(head.size) + " bytes, planned " + std::to_string(volume.total_size);
  } else if (head.server_side_encryption.rfind("aws:kms", 0) != 0 && !expected_etag.empty() &&
             head.etag != expected_etag) {
    problem = "has ETag " + head.etag + ", the parts sent make " + expected_etag;
  }
  if (problem.empty()) return head;
  throw VerificationError(
      where(bucket, volume.key) + " " + problem +
      " (another writer, or damage): its index sidecar is not written, so it does not count "
      "as written; run again to rewrite it");
}

}  // namespace s3tar::exec
