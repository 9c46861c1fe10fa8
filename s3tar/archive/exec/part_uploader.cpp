#include "s3tar/archive/exec/part_uploader.h"

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <utility>

#include "s3tar/archive/exec/part_assembler.h"
#include "s3tar/log/log.h"

namespace s3tar::exec {
namespace {

// Memory for parts assembled in memory: `n` slots, each up to the upload part size, so peak
// memory is bounded by their number times the part size, whatever the number of objects. An
// uploaded part may stay in its slot ("kept"): its bytes hold the sources it read, which a
// rewrite of the volume (sources that turn unreadable later in the write) then takes instead
// of reading them again. A part that needs a slot when none is free takes the oldest kept
// part's, so keeping costs no memory beyond the bound and never makes a part wait; with a
// spool, the bytes pushed out go to local disk first (spool.h), so that a rewrite reads no
// source twice however many parts the volume has (up to the spool's limit).
class PartMemory {
 public:
  struct Kept {
    size_t part = 0;  // index in the volume's parts
    std::shared_ptr<const std::string> bytes;
  };
  struct Spooled {
    size_t part = 0;
    uint64_t offset = 0;  // of the part's bytes in the spool
  };

  PartMemory(size_t n, Spool* spool) : free_(n), spool_(spool) {}
  void acquire() {
    Kept pushed_out;
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [&] { return free_ > 0 || !kept_.empty(); });
      if (free_ > 0) {
        --free_;
        return;
      }
      pushed_out = std::move(kept_.front());  // its slot is ours now
      kept_.pop_front();
    }
    // Written outside the lock; the slot's memory is freed once it is on disk.
    if (spool_)
      if (auto offset = spool_->append(*pushed_out.bytes)) {
        std::lock_guard lock(mu_);
        spooled_.push_back({pushed_out.part, *offset});
      }
  }
  void release() {
    {
      std::lock_guard lock(mu_);
      ++free_;
    }
    cv_.notify_one();
  }
  // Keeps an uploaded part's bytes in the slot it holds (instead of release()).
  void keep(size_t part, std::shared_ptr<const std::string> bytes) {
    {
      std::lock_guard lock(mu_);
      kept_.push_back({part, std::move(bytes)});
    }
    cv_.notify_one();
  }
  // The kept parts, oldest first; their slots are free again.
  std::deque<Kept> take_kept() {
    std::lock_guard lock(mu_);
    free_ += kept_.size();
    return std::exchange(kept_, {});
  }
  // The parts pushed out of memory into the spool.
  std::vector<Spooled> take_spooled() {
    std::lock_guard lock(mu_);
    return std::exchange(spooled_, {});
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  size_t free_;
  Spool* spool_;
  std::deque<Kept> kept_;
  std::vector<Spooled> spooled_;
};

// Holds a slot while a part is assembled and uploaded; releases it unless the part is kept.
class Slot {
 public:
  explicit Slot(PartMemory& memory) : memory_(memory) { memory_.acquire(); }
  ~Slot() {
    if (held_) memory_.release();
  }
  Slot(const Slot&) = delete;
  Slot& operator=(const Slot&) = delete;
  void keep(size_t part, std::shared_ptr<const std::string> bytes) {
    memory_.keep(part, std::move(bytes));
    held_ = false;
  }

 private:
  PartMemory& memory_;
  bool held_ = true;
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
            const std::atomic<bool>& stop, const std::map<std::uint32_t, std::string>& stored)
      : client_(client),
        session_(session),
        volume_(volume),
        toc_(toc_bytes),
        cache_(cache),
        stop_(stop),
        stored_(stored),
        memory_(std::max<size_t>(1, c.upload_parts), cache ? &cache->spool() : nullptr),
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
        uint64_t shown = 0;  // bytes of this part already in the progress
        if (part.reused) {
          const auto it = stored_.find(part.number);
          if (it == stored_.end())
            throw std::logic_error("part " + std::to_string(part.number) + " is reused but was not stored");
          etag = it->second;
        } else if (part.kind == plan::PartKind::Copy) {
          etag = send_copy_part(session_, volume_, part);
        } else {
          Slot slot(memory_);
          // Each source read counts as it completes; the rest of the part once it is uploaded.
          auto read = [&](uint64_t bytes) {
            shown += bytes;
            progress_.add(0, bytes);
          };
          auto body = std::make_shared<const std::string>(
              assemble_part(client_, volume_, part, toc_, cache_, &failed_, read));
          if (failed_) {  // another part failed: the volume will be written again (or not at all)
            if (cache_) keep_sources(volume_, part, *body, *cache_);
            return;
          }
          // No ETag check here: the signed Content-MD5 makes S3 refuse a corrupted body.
          etag = session_.upload_part(static_cast<int>(part.number), body).get();
          if (cache_) slot.keep(i, std::move(body));
        }
        outcome_.completed[i] = {static_cast<int>(part.number), etag};
        progress_.add(objects_in(part), part.size - shown);
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
    // The volume is written again without the unreadable sources. Its parts all change (toc.csv
    // leads the archive), so what the uploaded parts read goes to the cache too.
    std::deque<PartMemory::Kept> kept = memory_.take_kept();
    if (cache_ && !outcome_.problems.empty()) {
      for (auto& k : kept) {
        keep_sources(volume_, volume_.parts[k.part], *k.bytes, *cache_);
        k.bytes.reset();
      }
      for (const auto& s : memory_.take_spooled())
        keep_spooled_sources(volume_, volume_.parts[s.part], s.offset, *cache_);
      cache_->spool().seal();  // the rewrite is the last attempt: nothing to keep for another
    }
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
  const std::map<std::uint32_t, std::string>& stored_;
  PartMemory memory_;
  log::Progress progress_;
  std::mutex mu_;
  PartsOutcome outcome_;
  std::atomic<size_t> next_{0};
  std::atomic<bool> failed_{false};
};

}  // namespace

uint64_t objects_in(const plan::Part& part) {
  uint64_t objects = 0;
  for (const auto& piece : part.pieces) {
    if (piece.kind == plan::PieceKind::Header) ++objects;
    if (piece.kind == plan::PieceKind::Members) objects += piece.offset;  // a run of whole members
  }
  return objects;
}

PartsOutcome upload_parts(s3::S3Client& client, s3::UploadSession& session, const plan::Volume& volume,
                          const std::string& toc_bytes, const PartConcurrency& concurrency,
                          SourceCache* cache, const std::atomic<bool>& stop,
                          const std::map<std::uint32_t, std::string>& stored) {
  PartQueue queue(client, session, volume, toc_bytes, concurrency, cache, stop, stored);
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
