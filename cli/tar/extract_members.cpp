#include "cli/tar/extract_members.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <functional>
#include <future>

#include "cli/context.h"
#include "cli/tar/tar_options.h"
#include "s3tar/archive/exec/executor.h"
#include "s3tar/archive/tar/names.h"
#include "s3tar/errors.h"
#include "s3tar/log/log.h"
#include "s3tar/s3/upload_session.h"

namespace s3tar::cli {
namespace {

// `done` is called with bytes as each read or copy of them completes (for progress).
using DoneBytesFn = std::function<void(uint64_t bytes)>;

// Copies one member server-side into its own object: ranged UploadPartCopy from the archive
// for members of at least the minimum part size, ranged GET + PUT below it.
void extract_to_s3(s3::S3Client& client, const s3::ObjectRef& archive, const std::string& archive_etag,
                   const tar::TocEntry& e, const std::string& bucket, const std::string& key,
                   const std::string& storage_class, const plan::Limits& limits, const DoneBytesFn& done) {
  s3::WriteOptions w;
  w.storage_class = storage_class;
  if (e.size < limits.min_part) {
    std::string body;
    if (e.size > 0) {
      s3::GetRequest req;
      req.object = archive;
      req.range = s3::ByteRange{e.offset, e.offset + e.size - 1};
      req.if_match = archive_etag;
      body = client.get_object(std::move(req)).get().body;
      done(body.size());
    }
    client.put_object(bucket, key, std::make_shared<const std::string>(std::move(body)), w).get();
    return;
  }
  const uint64_t n = (e.size + limits.max_part - 1) / limits.max_part;
  if (n > limits.max_parts)
    throw BadInputError(e.name + ": " + std::to_string(e.size) + " bytes would take " + std::to_string(n) +
                        " parts, more than the " + std::to_string(limits.max_parts) + " allowed");
  const uint64_t chunk = (e.size + n - 1) / n;
  s3::UploadSession session(client, bucket, key, w);
  try {
    std::vector<std::future<std::string>> etags;
    for (uint64_t i = 0; i < n; ++i) {
      const uint64_t first = i * chunk;
      const uint64_t last = std::min(e.size, first + chunk) - 1;
      etags.push_back(session.upload_part_copy(
          static_cast<int>(i + 1), archive, s3::ByteRange{e.offset + first, e.offset + last}, archive_etag));
    }
    std::vector<s3::CompletedPart> parts;
    std::exception_ptr failed;
    for (size_t i = 0; i < etags.size(); ++i) {  // every copy is waited for before the abort
      try {
        parts.push_back({static_cast<int>(i + 1), etags[i].get()});
        done(std::min(e.size, (i + 1) * chunk) - i * chunk);
      } catch (...) {
        if (!failed) failed = std::current_exception();
      }
    }
    if (failed) std::rethrow_exception(failed);
    session.complete(std::move(parts), {e.size, "", false});
  } catch (...) {
    if (session.state() == s3::UploadState::Open) session.abort_and_rethrow(std::current_exception());
    throw;
  }
}

// A relative path under dir for a key; refuses anything that could escape dir.
std::filesystem::path local_path(const std::filesystem::path& dir, const std::string& key) {
  const std::string name = tar::member_name_for_key(key);
  const std::filesystem::path rel(name);
  if (rel.is_absolute() || name.empty())
    throw BadInputError("refusing to extract '" + key + "': absolute path");
  for (const auto& part : rel)
    if (part == ".." || part == "." || part.empty())
      throw BadInputError("refusing to extract '" + key + "': it would escape " + dir.string());
  return dir / rel;
}

// Writes the member to a temporary file next to `path` (a short name of its own, so that a
// member name of up to the file system's 255 bytes still fits), then renames it into place.
// `done` is called from the transfer's sink as bytes arrive.
void extract_to_local(s3::S3Client& client, const s3::ObjectRef& archive, const std::string& archive_etag,
                      const tar::TocEntry& e, const std::filesystem::path& path, const DoneBytesFn& done) {
  std::filesystem::create_directories(path.parent_path());
  std::string tmp = (path.parent_path() / ".s3tar-partial-XXXXXX").string();
  const int fd = ::mkostemp(tmp.data(), O_CLOEXEC);
  if (fd < 0)
    throw std::runtime_error("cannot create a file in " + path.parent_path().string() + ": " +
                             std::strerror(errno));
  try {
    if (::fchmod(fd, 0644) != 0)
      throw std::runtime_error("cannot set the mode of " + tmp + ": " + std::strerror(errno));
    if (e.size > 0) {
      s3::GetRequest req;
      req.object = archive;
      req.range = s3::ByteRange{e.offset, e.offset + e.size - 1};
      req.if_match = archive_etag;
      uint64_t written = 0;  // a retry starts again at offset 0: the last write's end counts
      log::TransferBytes received;
      req.sink = [fd, &written, &received, &done](uint64_t offset, const char* data, size_t n) {
        written = offset + n;
        if (::pwrite(fd, data, n, static_cast<off_t>(offset)) != static_cast<ssize_t>(n)) return false;
        done(received.advance(written));
        return true;
      };
      client.get_object(std::move(req)).get();
      if (written != e.size)
        throw TransientError("extracting " + e.name + ": got " + std::to_string(written) +
                             " bytes, expected " + std::to_string(e.size));
    }
    if (::fsync(fd) != 0 || ::close(fd) != 0) throw std::runtime_error("cannot write " + tmp);
  } catch (...) {
    ::close(fd);
    ::unlink(tmp.c_str());
    throw;
  }
  std::filesystem::rename(tmp, path);
}

}  // namespace

bool member_selected(const tar::TocEntry& e, const std::vector<std::string>& filters) {
  if (filters.empty()) return true;
  for (const auto& f : filters)
    if (e.name == f || e.name.rfind(f, 0) == 0) return true;
  return false;
}

std::uint64_t extract_members(s3::S3Client& client, const s3::ObjectRef& archive,
                              const std::string& archive_etag, const std::vector<tar::TocEntry>& todo,
                              const ExtractTarget& target) {
  const bool to_s3 = is_s3_url(target.destination);
  S3Url dest;
  if (to_s3) dest = parse_s3_url(target.destination, "-C");
  const std::string url = "s3://" + archive.bucket + "/" + archive.key;

  // Members in windows of parallel work; the engine bounds the requests in flight.
  constexpr size_t kWindow = 64;
  uint64_t bytes = 0, total_bytes = 0;
  for (const auto& e : todo) total_bytes += e.size;
  log::Progress progress("extract " + url, todo.size(), total_bytes);
  const DoneBytesFn done = [&progress](uint64_t n) {
    if (n > 0) progress.add(0, n);
  };
  for (size_t start = 0; start < todo.size(); start += kWindow) {
    if (stop_flag()) throw exec::Interrupted("stopped while extracting " + url);
    const size_t end = std::min(todo.size(), start + kWindow);
    std::vector<std::future<void>> work;
    for (size_t i = start; i < end; ++i) {
      const tar::TocEntry& e = todo[i];
      if (to_s3) {
        work.push_back(std::async(std::launch::async, [&, e] {
          extract_to_s3(client, archive, archive_etag, e, dest.bucket, dest.key + e.name,
                        target.storage_class, target.limits, done);
        }));
      } else {
        const auto path = local_path(target.destination, e.name);
        work.push_back(std::async(std::launch::async, [&, e, path] {
          extract_to_local(client, archive, archive_etag, e, path, done);
        }));
      }
    }
    for (size_t i = start; i < end; ++i) {
      work[i - start].get();
      bytes += todo[i].size;
      progress.add(1, 0);  // its bytes were counted as they arrived
      if (target.verbosity > 0) log::info("extract.member", todo[i].name, {{"size", todo[i].size}});
    }
  }
  progress.finish();
  return bytes;
}

}  // namespace s3tar::cli
