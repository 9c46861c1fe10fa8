#include "inventory/reader.h"

#include <malloc.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <exception>
#include <iterator>
#include <mutex>
#include <thread>

#include "inventory/csv_gz.h"
#include "inventory/encoding.h"
#include "inventory/errors.h"
#include "s3tar/s3/digest.h"

namespace s3tar::inventory {
namespace {

// Everything one data file produced, held until it is delivered in manifest order.
struct FileResult {
  FileSummary summary;
  Summary counts;
  std::vector<plan::Member> objects;
  std::vector<NotArchivable> not_archivable;
  std::vector<BadRow> bad_rows;
  std::exception_ptr error;
  bool done = false;
};

// Thrown inside a worker to stop reading a file because an earlier file already failed.
struct Cancelled {};

void count(Summary& s, Outcome outcome) {
  switch (outcome) {
    case Outcome::kKept:
      ++s.kept;
      break;
    case Outcome::kBadRow:
      ++s.bad_rows;
      break;
    case Outcome::kDeleteMarker:
      ++s.delete_marker;
      break;
    case Outcome::kNotLatest:
      ++s.not_latest;
      break;
    case Outcome::kExcludedPrefix:
      ++s.excluded_prefix;
      break;
    case Outcome::kOutsideDate:
      ++s.outside_date;
      break;
    case Outcome::kTooSmall:
      ++s.too_small;
      break;
    case Outcome::kArchivedClass:
      ++s.archived_class;
      break;
  }
}

void read_file(ObjectStore& store, const std::string& bucket, const DataFile& file, const RowFilter& filter,
               BadRowPolicy policy, const std::atomic<bool>& cancel, FileResult& out) {
  out.summary.key = file.key;
  InventoryObject object;
  std::string problem, reason;
  GzipCsvStream stream(
      [&](std::span<const std::string_view> fields, std::uint64_t line) {
        ++out.summary.rows;
        ++out.counts.rows_read;
        const Outcome outcome = filter.apply(fields, object, problem, reason);
        count(out.counts, outcome);
        switch (outcome) {
          case Outcome::kKept:
            ++out.summary.kept;
            out.summary.bytes_kept += object.size;
            out.counts.bytes_kept += object.size;
            // The row's strings stay in `object` for the next row to reuse.
            out.objects.emplace_back(object.bucket, object.key, object.version_id, object.etag, object.size,
                                     object.last_modified);
            break;
          case Outcome::kArchivedClass:
            out.counts.bytes_not_archivable += object.size;
            out.not_archivable.push_back({std::move(object), std::move(reason)});
            object = InventoryObject();
            reason.clear();
            break;
          case Outcome::kBadRow:
            if (policy == BadRowPolicy::kFail) throw BadRowError(file.key, line, problem);
            out.bad_rows.push_back({file.key, line, problem});
            break;
          default:
            break;
        }
      },
      file.key);
  // When the server's ETag for the version read is the manifest's MD5 (a single-part upload
  // without SSE-KMS/SSE-C), the server vouches for the content: hashing it again would cost a
  // tenth of the scan. Bytes damaged on the way are still caught by gzip's CRC-32 and length
  // (checked at each member's trailer) and by the size check below. Any other ETag (multipart,
  // SSE-KMS, none from a local store): the MD5 is computed.
  bool etag_is_the_md5 = false;
  s3::Md5Stream md5;
  std::uint64_t bytes = 0;
  store.read(
      bucket, file.key,
      [&](const char* data, std::size_t size) {
        if (cancel.load(std::memory_order_relaxed)) throw Cancelled();
        bytes += size;
        if (!etag_is_the_md5) md5.update(data, size);
        stream.feed(data, size);
      },
      [&](const std::string& etag) { etag_is_the_md5 = same_hex_digest(etag, file.md5); });
  // A wrong size or checksum explains a broken stream better than the stream error would,
  // but the stream may already have thrown: both are BadInputError either way.
  if (!etag_is_the_md5) {
    const std::string actual = md5.hex();
    if (!same_hex_digest(actual, file.md5)) throw ChecksumMismatchError(file.key, file.md5, actual);
  }
  if (bytes != file.size) {
    throw BadInputError("data file " + file.key + " is " + std::to_string(bytes) +
                        " bytes, manifest.json says " + std::to_string(file.size));
  }
  stream.finish();
}

void merge(Summary& total, const FileResult& r) {
  const Summary& c = r.counts;
  total.rows_read += c.rows_read;
  total.kept += c.kept;
  total.bytes_kept += c.bytes_kept;
  total.too_small += c.too_small;
  total.outside_date += c.outside_date;
  total.not_latest += c.not_latest;
  total.delete_marker += c.delete_marker;
  total.archived_class += c.archived_class;
  total.excluded_prefix += c.excluded_prefix;
  total.bad_rows += c.bad_rows;
  total.bytes_not_archivable += c.bytes_not_archivable;
  total.files.push_back(r.summary);
}

}  // namespace

std::uint64_t Summary::count(Outcome outcome) const {
  switch (outcome) {
    case Outcome::kKept:
      return kept;
    case Outcome::kBadRow:
      return bad_rows;
    case Outcome::kDeleteMarker:
      return delete_marker;
    case Outcome::kNotLatest:
      return not_latest;
    case Outcome::kExcludedPrefix:
      return excluded_prefix;
    case Outcome::kOutsideDate:
      return outside_date;
    case Outcome::kTooSmall:
      return too_small;
    case Outcome::kArchivedClass:
      return archived_class;
  }
  return 0;
}

Summary scan_inventory(ObjectStore& store, const std::string& bucket, const Manifest& manifest,
                       const Filter& filter, const InventoryCallbacks& callbacks,
                       const ReadOptions& options) {
  const RowFilter row_filter(ColumnMap::from_schema(manifest.file_schema), filter);
  const std::size_t n = manifest.files.size();
  std::vector<FileResult> results(n);
  std::mutex mu;
  std::condition_variable cv;
  std::atomic<std::size_t> next{0};
  // Files after the first failed one are cancelled; earlier ones finish so that the error
  // reported is always the first in manifest order.
  std::atomic<std::size_t> first_failed{n};
  std::vector<std::atomic<bool>> cancel(n);
  const std::size_t threads = std::clamp<std::size_t>(options.threads, 1, std::max<std::size_t>(n, 1));
  std::size_t emitted = 0;  // files delivered so far; guarded by mu

  auto worker = [&] {
    for (;;) {
      const std::size_t i = next.fetch_add(1);
      if (i >= n) return;
      {
        // Read at most `threads` files ahead of delivery: finished files wait in memory.
        std::unique_lock lock(mu);
        cv.wait(lock, [&] { return i < emitted + threads || cancel[i].load(); });
      }
      FileResult& r = results[i];
      if (i > first_failed.load() || cancel[i].load()) {
        r.error = std::make_exception_ptr(Cancelled());
      } else {
        try {
          read_file(store, bucket, manifest.files[i], row_filter, options.bad_rows, cancel[i], r);
        } catch (...) {
          r.error = std::current_exception();
          std::size_t expected = first_failed.load();
          while (i < expected && !first_failed.compare_exchange_weak(expected, i)) {
          }
          for (std::size_t j = i + 1; j < n; ++j) cancel[j] = true;
        }
      }
      {
        std::lock_guard lock(mu);
        r.done = true;
      }
      cv.notify_all();
    }
  };

  std::vector<std::thread> pool;
  Summary total;
  std::exception_ptr error;
  try {
    for (std::size_t t = 0; t < threads && n > 0; ++t) pool.emplace_back(worker);
    for (std::size_t i = 0; i < n; ++i) {
      {
        std::unique_lock lock(mu);
        cv.wait(lock, [&] { return results[i].done; });
      }
      FileResult& r = results[i];
      if (r.error) {
        error = r.error;
        break;
      }
      merge(total, r);
      if (callbacks.on_objects && !r.objects.empty()) callbacks.on_objects(std::move(r.objects));
      for (auto& a : r.not_archivable) {
        if (callbacks.on_not_archivable) callbacks.on_not_archivable(std::move(a));
      }
      for (const auto& b : r.bad_rows) {
        if (callbacks.on_bad_row) callbacks.on_bad_row(b);
      }
      {
        std::lock_guard lock(mu);
        r = FileResult();  // release the memory
        r.done = true;
        ++emitted;
      }
      cv.notify_all();
    }
  } catch (...) {
    error = std::current_exception();
  }
  if (error) {
    {
      std::lock_guard lock(mu);
      for (auto& c : cancel) c = true;
    }
    first_failed = 0;
    cv.notify_all();
  }
  for (auto& t : pool) t.join();
  if (error) std::rethrow_exception(error);
  return total;
}

InventoryResult read_inventory(ObjectStore& store, const std::string& bucket, const Manifest& manifest,
                               const Filter& filter, const ReadOptions& options) {
  InventoryResult result;
  InventoryCallbacks cb;
  const std::size_t files = manifest.files.size();
  std::size_t files_delivered = 0;
  cb.on_objects = [&](std::vector<plan::Member>&& objects) {
    std::vector<plan::Member>& all = result.objects;
    ++files_delivered;
    const std::size_t needed = all.size() + objects.size();
    if (all.capacity() < needed) {
      // Room for the files still to come at the rate so far, plus a quarter, so that the
      // selection is moved less often than by doubling; capacity never written is never
      // resident. A day's objects may sit in a few of many files (keys led by the date): the
      // guess is capped at four times what is needed, no more address space than doubling
      // twice would take.
      const std::size_t per_file = needed / files_delivered;
      const std::size_t guess = needed + per_file * (files - files_delivered) * 5 / 4;
      all.reserve(std::min(guess, 4 * needed));
    }
    all.insert(all.end(), std::make_move_iterator(objects.begin()), std::make_move_iterator(objects.end()));
  };
  cb.on_not_archivable = [&](NotArchivable&& a) { result.not_archivable.push_back(std::move(a)); };
  cb.on_bad_row = [&](const BadRow& b) { result.bad_rows.push_back(b); };
  result.summary = scan_inventory(store, bucket, manifest, filter, cb, options);
  // The workers grew and freed each file's vectors in their own malloc arenas, and the
  // selection grew more than once: hand those free pages back before the caller's next peak
  // (the planner holds every member). Measured: 7-12 bytes less peak RSS per selected object.
  ::malloc_trim(0);
  return result;
}

InventoryResult read_inventory(ObjectStore& store, const Report& report, const Filter& filter,
                               const ReadOptions& options) {
  return read_inventory(store, report.location.bucket, report.manifest, filter, options);
}

}  // namespace s3tar::inventory
