#include "s3tar/archive/exec/part_uploader.h"

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "s3tar/archive/exec/part_assembler.h"
#include "s3tar/log/log.h"

namespace s3tar::exec {
namespace {

// Counts parts assembled in memory, so peak memory is bounded by their number times the part
// size, whatever the number of objects.
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

struct SlotGuard {
  Slots& slots;
  explicit SlotGuard(Slots& s) : slots(s) { slots.acquire(); }
  ~SlotGuard() { slots.release(); }
};

std::string send_copy_part(s3::UploadSession& session, const plan::Volume& volume, const plan::Part& part) {
  const auto& m = volume.members[part.copy.member];
  try {
    return session
        .upload_part_copy(static_cast<int>(part.number),
                          {m.bucket(), std::string(m.key()), std::string(m.version_id())},
                          s3::ByteRange{part.copy.offset, part.copy.offset + part.copy.length - 1}, m.etag())
        .get();
  } catch (const s3::S3Error& e) {
    auto reason = source_problem_reason(e);
    if (!reason) throw;
    std::vector<SourceProblem> problems{
        {m.bucket(), std::string(m.key()), std::string(m.version_id()), *reason, e.what()}};
    throw SourceError(e.what(), std::move(problems));
  }
}

// Shared by the workers of one volume.
class PartQueue {
 public:
  PartQueue(s3::S3Client& client, s3::UploadSession& session, const plan::Volume& volume,
            const std::string& toc_bytes, const PartConcurrency& c, SourceCache* cache,
            const std::atomic<bool>& stop)
      : client_(client),
        session_(session),
        volume_(volume),
        toc_(toc_bytes),
        cache_(cache),
        stop_(stop),
        memory_(std::max<size_t>(1, c.upload_parts)),
        progress_("s3://" + session.bucket() + "/" + volume.key, volume.members.size(), volume.total_size) {
    outcome_.completed.resize(volume.parts.size());
  }

  void work() {
    for (;;) {
      const size_t i = next_++;
      if (i >= volume_.parts.size() || failed_ || stop_) return;
      const plan::Part& part = volume_.parts[i];
      try {
        std::string etag;
        if (part.kind == plan::PartKind::Copy) {
          etag = send_copy_part(session_, volume_, part);
        } else {
          SlotGuard slot(memory_);
          auto body = std::make_shared<const std::string>(
              assemble_part(client_, volume_, part, toc_, cache_, &failed_));
          if (failed_) {  // another part failed: the volume will be written again (or not at all)
            if (cache_) keep_sources(volume_, part, *body, *cache_);
            return;
          }
          // No ETag check here: the signed Content-MD5 makes S3 refuse a corrupted body.
          etag = session_.upload_part(static_cast<int>(part.number), std::move(body)).get();
        }
        outcome_.completed[i] = {static_cast<int>(part.number), etag};
        uint64_t objects = 0;
        for (const auto& piece : part.pieces) {
          if (piece.kind == plan::PieceKind::Header) ++objects;
          if (piece.kind == plan::PieceKind::Members) objects += piece.offset;  // a run of whole members
        }
        progress_.add(objects, part.size);
      } catch (const SourceError& e) {
        std::lock_guard lock(mu_);
        outcome_.problems.insert(outcome_.problems.end(), e.problems().begin(), e.problems().end());
        failed_ = true;
      } catch (...) {
        std::lock_guard lock(mu_);
        if (!outcome_.error) outcome_.error = std::current_exception();
        failed_ = true;
      }
    }
  }

  PartsOutcome finish(bool stopped) {
    progress_.finish();
    outcome_.stopped = stopped;
    return std::move(outcome_);
  }

 private:
  s3::S3Client& client_;
  s3::UploadSession& session_;
  const plan::Volume& volume_;
  const std::string& toc_;
  SourceCache* cache_;
  const std::atomic<bool>& stop_;
  Slots memory_;
  log::Progress progress_;
  std::mutex mu_;
  PartsOutcome outcome_;
  std::atomic<size_t> next_{0};
  std::atomic<bool> failed_{false};
};

}  // namespace

PartsOutcome upload_parts(s3::S3Client& client, s3::UploadSession& session, const plan::Volume& volume,
                          const std::string& toc_bytes, const PartConcurrency& concurrency,
                          SourceCache* cache, const std::atomic<bool>& stop) {
  PartQueue queue(client, session, volume, toc_bytes, concurrency, cache, stop);
  const size_t n_workers = std::min(std::max<size_t>(1, concurrency.parts), volume.parts.size());
  std::atomic<size_t> running{n_workers};
  std::vector<std::thread> workers;
  for (size_t w = 0; w < n_workers; ++w)
    workers.emplace_back([&] {
      queue.work();
      --running;
    });
  // On a stop request (SIGTERM: ECS kills the task 30 s later) abort at once rather than wait
  // for copies in flight; their requests then fail and the workers end. The caller aborts again
  // once they have (a part in flight may still have been stored).
  bool stopped = false;
  while (running > 0) {
    if (stop && !stopped) {
      stopped = true;
      log::warn("upload.stopping", "stop requested: aborting the upload of " + session.where());
      try {
        session.abort();
      } catch (const std::exception&) {
        // The caller's abort, after the workers end, reports it.
      }
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  for (auto& t : workers) t.join();
  return queue.finish(stopped || stop);
}

}  // namespace s3tar::exec
