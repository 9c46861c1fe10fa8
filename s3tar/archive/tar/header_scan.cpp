#include "s3tar/archive/tar/header_scan.h"

#include <archive.h>
#include <archive_entry.h>

#include <algorithm>
#include <exception>
#include <memory>

#include "s3tar/archive/tar/toc.h"
#include "s3tar/errors.h"

namespace s3tar::tar {
namespace {

using ArchivePtr = std::unique_ptr<struct archive, decltype(&archive_read_free)>;

ArchivePtr new_tar_reader() {
  ArchivePtr a(archive_read_new(), archive_read_free);
  if (!a) throw std::bad_alloc();
  archive_read_support_format_tar(a.get());
  archive_read_support_format_gnutar(a.get());
  return a;
}

// libarchive's message for the last failure. It sets none for some truncated headers (a PAX
// header whose records are missing).
std::string error_text(struct archive* a) {
  const char* text = archive_error_string(a);
  return text ? text : "malformed or truncated header";
}

// libarchive client over a RangeReader with one cached chunk; skip moves the position without
// reading, so member data is never fetched.
struct RangedSource {
  const RangeReader* reader;
  std::uint64_t size = 0;
  std::uint64_t chunk_size = 0;
  std::uint64_t pos = 0;
  std::uint64_t chunk_start = 0;
  std::string chunk;
  std::exception_ptr error;

  static la_ssize_t read(struct archive*, void* self, const void** buf) {
    auto* s = static_cast<RangedSource*>(self);
    if (s->pos >= s->size) return 0;
    try {
      if (s->pos < s->chunk_start || s->pos >= s->chunk_start + s->chunk.size()) {
        const std::uint64_t last = std::min(s->size, s->pos + s->chunk_size) - 1;
        s->chunk = (*s->reader)(s->pos, last);
        s->chunk_start = s->pos;
      }
    } catch (...) {
      s->error = std::current_exception();
      return -1;
    }
    const std::uint64_t off = s->pos - s->chunk_start;
    *buf = s->chunk.data() + off;
    const std::uint64_t n = s->chunk.size() - off;
    s->pos += n;
    return static_cast<la_ssize_t>(n);
  }

  static la_int64_t skip(struct archive*, void* self, la_int64_t request) {
    auto* s = static_cast<RangedSource*>(self);
    const std::uint64_t n = std::min<std::uint64_t>(static_cast<std::uint64_t>(request), s->size - s->pos);
    s->pos += n;
    return static_cast<la_int64_t>(n);
  }
};

}  // namespace

std::vector<ArchiveMember> scan_headers(std::uint64_t archive_size, const RangeReader& read,
                                        const std::string& where, std::uint64_t chunk_size) {
  RangedSource src{&read, archive_size, std::max<std::uint64_t>(chunk_size, 1), 0, 0, {}, nullptr};
  ArchivePtr a = new_tar_reader();
  archive_read_set_callback_data(a.get(), &src);
  archive_read_set_read_callback(a.get(), &RangedSource::read);
  archive_read_set_skip_callback(a.get(), &RangedSource::skip);
  if (archive_read_open1(a.get()) != ARCHIVE_OK) {
    if (src.error) std::rethrow_exception(src.error);
    throw BadInputError(where + " is not a tar archive: " + error_text(a.get()));
  }
  std::vector<ArchiveMember> members;
  struct archive_entry* entry = nullptr;
  for (;;) {
    const int rc = archive_read_next_header(a.get(), &entry);
    if (rc == ARCHIVE_EOF) break;
    if (rc < ARCHIVE_WARN) {
      if (src.error) std::rethrow_exception(src.error);
      throw BadInputError(where + ": bad tar header after " + std::to_string(members.size()) +
                          " members: " + error_text(a.get()));
    }
    ArchiveMember m;
    m.name = archive_entry_pathname(entry) ? archive_entry_pathname(entry) : "";
    m.header_offset = static_cast<std::uint64_t>(archive_read_header_position(a.get()));
    m.data_offset = static_cast<std::uint64_t>(archive_filter_bytes(a.get(), -1));
    m.size = static_cast<std::uint64_t>(archive_entry_size(entry));
    m.regular = archive_entry_filetype(entry) == AE_IFREG;
    members.push_back(std::move(m));
    if (archive_read_data_skip(a.get()) != ARCHIVE_OK) {
      if (src.error) std::rethrow_exception(src.error);
      throw BadInputError(where + ": truncated member " + members.back().name);
    }
  }
  return members;
}

std::optional<TocSpan> find_toc(std::string_view head) {
  ArchivePtr a = new_tar_reader();
  if (archive_read_open_memory(a.get(), head.data(), head.size()) != ARCHIVE_OK) return std::nullopt;
  struct archive_entry* entry = nullptr;
  if (archive_read_next_header(a.get(), &entry) != ARCHIVE_OK) return std::nullopt;
  const char* name = archive_entry_pathname(entry);
  if (!name || std::string_view(name) != kTocName) return std::nullopt;
  return TocSpan{static_cast<std::uint64_t>(archive_filter_bytes(a.get(), -1)),
                 static_cast<std::uint64_t>(archive_entry_size(entry))};
}

}  // namespace s3tar::tar
