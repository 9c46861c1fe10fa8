#include "s3tar/archive/exec/executor.h"

#include <algorithm>
#include <condition_variable>
#include <cstring>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <thread>

#include "s3tar/log/log.h"
#include "s3tar/s3/digest.h"

namespace s3tar::exec {
namespace {

// Counts bytes of memory held by assembled upload parts, so peak memory is bounded by the
// number of parts in flight times the part size, whatever the number of objects.
class Slots {
 public:
  explicit Slots(size_t n) : free_(n) {}
  void acquire() {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return free_ > 0; });
    --free_;
  }
  void release() {
    {
      std::lock_guard lock(mu_);
      ++free_;
    }
    cv_.notify_one();
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  size_t free_;
};

struct SourceFailure : std::runtime_error {
  SourceFailure(SourceProblem p) : std::runtime_error(p.message), problem(std::move(p)) {}
  SourceProblem problem;
};

}  // namespace

std::optional<std::string> source_problem_reason(const s3::S3Error& e) {
  if (e.is_precondition_failed()) return "changed";
  if (e.is_not_found()) return "missing";
  if (e.is_archived()) return "archived";
  return std::nullopt;
}

std::string index_key_for(const std::string& archive_key) { return archive_key + ".index.json"; }

std::string render_index(const std::string& bucket, const plan::Volume& volume, const std::string& etag) {
  nlohmann::json members = nlohmann::json::array();
  for (size_t i = 0; i < volume.members.size(); ++i) {
    const auto& m = volume.members[i];
    nlohmann::json j = {{"bucket", m.bucket}, {"key", m.key},   {"offset", volume.data_offsets[i]},
                        {"size", m.size},     {"etag", m.etag}, {"mtime", m.mtime}};
    if (!m.version_id.empty()) j["version_id"] = m.version_id;
    members.push_back(std::move(j));
  }
  nlohmann::json doc = {{"archive", "s3://" + bucket + "/" + volume.key},
                        {"size", volume.total_size},
                        {"etag", etag},
                        {"format", volume.format == tar::Format::Gnu ? "gnu" : "pax"},
                        {"toc_member", "toc.csv"},
                        {"members", std::move(members)}};
  return doc.dump(1) + "\n";
}

Executor::Executor(s3::S3Client& client, ExecOptions options, const std::atomic<bool>& stop)
    : client_(client), options_(std::move(options)), stop_(stop) {}

namespace {

// Assembles the bytes of one upload part: generated pieces rendered locally, source pieces
// fetched with GET (ranged when partial), all GETs of the part in flight together, each pinned
// to the planned ETag (If-Match) and version.
std::string assemble_part(s3::S3Client& client, const plan::Volume& volume, const plan::Part& part,
                          const std::string& toc_bytes) {
  // One buffer of the part's size: generated pieces are rendered into it and every GET writes
  // its bytes straight to their place, so a part is held in memory once.
  uint64_t total = 0;
  for (const auto& piece : part.pieces) total += piece.length;
  if (total != part.size)
    throw std::logic_error("part " + std::to_string(part.number) + " has " + std::to_string(total) +
                           " bytes of pieces, planned " + std::to_string(part.size));
  std::string buf(part.size, '\0');
  struct Received {
    std::atomic<uint64_t> bytes{0};
    std::atomic<bool> too_long{false};  // the sink refused bytes past the planned length
  };
  struct Pending {
    size_t piece;
    std::future<s3::GetResult> result;
    std::shared_ptr<Received> received;
  };
  std::vector<Pending> pending;
  uint64_t pos = 0;
  for (size_t i = 0; i < part.pieces.size(); ++i) {
    const auto& piece = part.pieces[i];
    switch (piece.kind) {
      case plan::PieceKind::Source: {
        const auto& m = volume.members[piece.member];
        s3::GetRequest req;
        req.object = {m.bucket, m.key, m.version_id};
        if (piece.offset != 0 || piece.length != m.size)
          req.range = s3::ByteRange{piece.offset, piece.offset + piece.length - 1};
        req.if_match = m.etag;
        auto received = std::make_shared<Received>();
        char* dest = buf.data() + pos;
        const uint64_t length = piece.length;
        // A retry starts again at offset 0 and overwrites; more bytes than planned means the
        // object changed: stop the transfer.
        req.sink = [dest, length, received](uint64_t offset, const char* data, size_t n) {
          if (offset + n > length) {
            received->too_long = true;
            return false;
          }
          std::memcpy(dest + offset, data, n);
          received->bytes.store(offset + n);
          return true;
        };
        pending.push_back({i, client.get_object(std::move(req)), received});
        break;
      }
      case plan::PieceKind::Toc:
        toc_bytes.copy(buf.data() + pos, piece.length, piece.offset);
        break;
      default: {
        const std::string bytes = plan::render_generated(volume, piece);
        bytes.copy(buf.data() + pos, bytes.size());
      }
    }
    pos += piece.length;
  }
  std::optional<SourceFailure> failure;
  std::exception_ptr other;
  for (auto& p : pending) {
    const auto& piece = part.pieces[p.piece];
    const auto& m = volume.members[piece.member];
    try {
      const s3::GetResult r = p.result.get();
      if ((p.received->bytes.load() != piece.length || r.info.size != m.size) && !failure)
        failure.emplace(SourceProblem{m.bucket, m.key, m.version_id, "changed",
                                      "s3://" + m.bucket + "/" + m.key + ": size is " +
                                          std::to_string(r.info.size) + ", planned " +
                                          std::to_string(m.size)});
    } catch (const s3::S3Error& e) {
      // Only answers about the source make it unreadable; network, server and destination
      // errors propagate (retryable, or a configuration problem), so no object is dropped for
      // them.
      if (!failure && !other) {
        if (p.received->too_long) {
          failure.emplace(SourceProblem{
              m.bucket, m.key, m.version_id, "changed",
              "s3://" + m.bucket + "/" + m.key + ": more bytes than the planned " + std::to_string(m.size)});
        } else if (auto reason = source_problem_reason(e)) {
          failure.emplace(SourceProblem{m.bucket, m.key, m.version_id, *reason, e.what()});
        } else {
          other = std::current_exception();
        }
      }
    } catch (...) {
      if (!other) other = std::current_exception();
    }
  }
  if (failure) throw *failure;
  if (other) std::rethrow_exception(other);
  return buf;
}

bool etag_is_md5(const s3::WriteOptions& w) { return w.sse.empty() || w.sse == "AES256"; }

}  // namespace

VolumeResult Executor::write_volume(const std::string& bucket, const plan::Volume& volume) {
  VolumeResult result;
  result.bucket = bucket;
  result.key = volume.key;
  result.size = volume.total_size;
  result.members = volume.members.size();
  result.parts = volume.parts.size();
  const std::string toc_bytes = plan::render_toc(volume);
  // The ETag S3 should report when the object is not KMS-encrypted (then ETags are not MD5s).
  std::string expected_etag;

  if (volume.single_put) {
    if (stop_) throw Interrupted("stopped before writing s3://" + bucket + "/" + volume.key);
    // One PutObject: nothing to abort if it fails. A source that cannot be read is a
    // SourceError here too, so --skip-unreadable can re-plan without it.
    std::shared_ptr<const std::string> body;
    try {
      body =
          std::make_shared<const std::string>(assemble_part(client_, volume, volume.parts.at(0), toc_bytes));
    } catch (const SourceFailure& f) {
      throw SourceError(f.what(), {f.problem});
    }
    expected_etag = s3::md5_hex(*body);
    result.etag = client_.put_object(bucket, volume.key, body, options_.write).get();
  } else {
    const std::string upload_id = client_.create_multipart_upload(bucket, volume.key, options_.write).get();
    log::debug("upload.created", "started multipart upload of s3://" + bucket + "/" + volume.key,
               {{"upload_id", upload_id}, {"parts", volume.parts.size()}});
    std::vector<s3::CompletedPart> completed(volume.parts.size());
    std::mutex mu;
    std::exception_ptr first_error;
    std::optional<SourceFailure> source_failure;
    std::atomic<size_t> next{0};
    std::atomic<bool> failed{false};
    Slots memory(std::max<size_t>(1, options_.max_upload_parts_in_flight));
    log::Progress progress("s3://" + bucket + "/" + volume.key, volume.members.size(), volume.total_size);

    auto worker = [&] {
      for (;;) {
        const size_t i = next++;
        if (i >= volume.parts.size() || failed || stop_) return;
        const plan::Part& part = volume.parts[i];
        try {
          std::string etag;
          if (part.kind == plan::PartKind::Copy) {
            const auto& m = volume.members[part.copy.member];
            s3::CopyPartRequest req;
            req.bucket = bucket;
            req.key = volume.key;
            req.upload_id = upload_id;
            req.part_number = static_cast<int>(part.number);
            req.source = {m.bucket, m.key, m.version_id};
            req.range = s3::ByteRange{part.copy.offset, part.copy.offset + part.copy.length - 1};
            req.if_match = m.etag;
            try {
              etag = client_.upload_part_copy(req).get();
            } catch (const s3::S3Error& e) {
              auto reason = source_problem_reason(e);
              if (!reason) throw;
              throw SourceFailure(SourceProblem{m.bucket, m.key, m.version_id, *reason, e.what()});
            }
          } else {
            memory.acquire();
            try {
              auto body =
                  std::make_shared<const std::string>(assemble_part(client_, volume, part, toc_bytes));
              etag = client_.upload_part(bucket, volume.key, upload_id, static_cast<int>(part.number), body)
                         .get();
            } catch (...) {
              memory.release();
              throw;
            }
            // No ETag check here: the signed Content-MD5 makes S3 refuse a corrupted body.
            memory.release();
          }
          completed[i] = {static_cast<int>(part.number), etag};
          uint64_t objects = 0;
          for (const auto& piece : part.pieces)
            if (piece.kind == plan::PieceKind::Header) ++objects;
          progress.add(objects, part.size);
        } catch (const SourceFailure& f) {
          std::lock_guard lock(mu);
          if (!source_failure && !first_error) source_failure.emplace(f);
          failed = true;
        } catch (...) {
          std::lock_guard lock(mu);
          if (!first_error && !source_failure) first_error = std::current_exception();
          failed = true;
        }
      }
    };
    const size_t n_workers = std::min(std::max<size_t>(1, options_.max_parts_in_flight), volume.parts.size());
    std::atomic<size_t> running{n_workers};
    std::vector<std::thread> workers;
    for (size_t w = 0; w < n_workers; ++w)
      workers.emplace_back([&] {
        worker();
        --running;
      });

    auto abort_upload = [&] {
      try {
        client_.abort_multipart_upload(bucket, volume.key, upload_id).get();
        log::info("upload.aborted", "aborted the multipart upload of s3://" + bucket + "/" + volume.key);
      } catch (const s3::S3Error& e) {
        if (e.is_no_such_upload() || e.is_not_found()) return;  // already gone
        log::error(
            "upload.abort_failed",
            "could not abort the multipart upload of s3://" + bucket + "/" + volume.key + ": " + e.what(),
            {{"upload_id", upload_id}});
      } catch (const std::exception& e) {
        log::error(
            "upload.abort_failed",
            "could not abort the multipart upload of s3://" + bucket + "/" + volume.key + ": " + e.what(),
            {{"upload_id", upload_id}});
      }
    };
    // On a stop request (SIGTERM: ECS kills the task 30 s later) abort at once rather than
    // wait for in-flight copies of up to 5 GiB; their requests then fail and the workers end.
    bool aborted = false;
    while (running > 0) {
      if (stop_ && !aborted) {
        log::warn("upload.stopping",
                  "stop requested: aborting the upload of s3://" + bucket + "/" + volume.key);
        abort_upload();
        aborted = true;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    for (auto& t : workers) t.join();
    progress.finish();
    if (aborted) {
      // Parts in flight when the upload was aborted may still have landed: abort once more.
      abort_upload();
      throw Interrupted("stopped while writing s3://" + bucket + "/" + volume.key);
    }

    if (source_failure) {
      abort_upload();
      throw SourceError(source_failure->what(), {source_failure->problem});
    }
    if (first_error) {
      abort_upload();
      std::rethrow_exception(first_error);
    }
    if (stop_) {
      abort_upload();
      throw Interrupted("stopped while writing s3://" + bucket + "/" + volume.key);
    }
    std::vector<std::string> part_etags;
    for (const auto& c : completed) part_etags.push_back(c.etag);
    const bool md5_etags = std::all_of(part_etags.begin(), part_etags.end(), [](const std::string& e) {
      return e.size() == 32 && e.find_first_not_of("0123456789abcdef") == std::string::npos;
    });
    if (md5_etags) expected_etag = s3::multipart_etag(part_etags);
    s3::CompleteRequest req;
    req.bucket = bucket;
    req.key = volume.key;
    req.upload_id = upload_id;
    req.parts = std::move(completed);
    req.expected_size = volume.total_size;
    if (etag_is_md5(options_.write)) req.expected_etag = expected_etag;
    req.if_none_match = options_.write.if_none_match;  // conditional completion where supported
    try {
      result.etag = client_.complete_multipart_upload(req).get();
    } catch (...) {
      abort_upload();
      throw;
    }
    // Tags sent with CreateMultipartUpload are not applied by every S3-compatible server.
    if (!options_.write.tags.empty())
      client_.put_object_tagging({bucket, volume.key, ""}, options_.write.tags).get();
  }

  // Check what S3 holds: the planned size, and the ETag computed from the parts we sent.
  const s3::ObjectInfo head = client_.head_object({bucket, volume.key, ""}).get();
  if (head.size != volume.total_size)
    throw std::runtime_error("s3://" + bucket + "/" + volume.key + " has " + std::to_string(head.size) +
                             " bytes, planned " + std::to_string(volume.total_size));
  const bool kms = head.server_side_encryption.rfind("aws:kms", 0) == 0;
  if (!kms && !expected_etag.empty() && head.etag != expected_etag)
    throw std::runtime_error("s3://" + bucket + "/" + volume.key + " has ETag " + head.etag + ", expected " +
                             expected_etag);
  result.etag = head.etag;

  if (options_.write_index) {
    s3::WriteOptions w;
    w.storage_class = options_.index_storage_class;
    w.content_type = "application/json";
    w.sse = options_.write.sse;
    w.kms_key_id = options_.write.kms_key_id;
    result.index_key = index_key_for(volume.key);
    client_
        .put_object(bucket, result.index_key,
                    std::make_shared<const std::string>(render_index(bucket, volume, head.etag)), w)
        .get();
  }
  return result;
}

}  // namespace s3tar::exec
