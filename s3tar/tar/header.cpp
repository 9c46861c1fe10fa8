#include "s3tar/tar/header.h"

#include <archive.h>
#include <archive_entry.h>
#include <fmt/format.h>
#include <locale.h>

#include <memory>
#include <stdexcept>
#include <string>

namespace s3tar::tar {
namespace {

// libarchive converts names through the current locale: run it under C.UTF-8 on this thread so
// UTF-8 keys become PAX path records the same way whatever locale the process uses.
class Utf8LocaleScope {
 public:
  Utf8LocaleScope() {
    static const locale_t utf8 = [] {
      locale_t l = newlocale(LC_ALL_MASK, "C.UTF-8", static_cast<locale_t>(0));
      return l != static_cast<locale_t>(0) ? l : newlocale(LC_ALL_MASK, "C", static_cast<locale_t>(0));
    }();
    if (utf8 != static_cast<locale_t>(0)) previous_ = uselocale(utf8);
  }
  ~Utf8LocaleScope() {
    if (previous_ != static_cast<locale_t>(0)) uselocale(previous_);
  }
  Utf8LocaleScope(const Utf8LocaleScope&) = delete;
  Utf8LocaleScope& operator=(const Utf8LocaleScope&) = delete;

 private:
  locale_t previous_ = static_cast<locale_t>(0);
};

la_ssize_t capture(struct archive*, void* client, const void* buffer, size_t length) {
  static_cast<std::string*>(client)->append(static_cast<const char*>(buffer), length);
  return static_cast<la_ssize_t>(length);
}

struct ArchiveDeleter {
  void operator()(struct archive* a) const {
    // Never finish the archive: that would write padding and end blocks.
    archive_write_fail(a);
    archive_write_free(a);
  }
};
struct EntryDeleter {
  void operator()(archive_entry* e) const { archive_entry_free(e); }
};

bool is_plain(const MemberHeaderInfo& info, Format format) {
  // Cases where both formats write exactly one 512-byte header (checked against libarchive in tests).
  if (info.name.empty() || info.name.size() > 100) return false;
  for (unsigned char c : info.name)
    if (c >= 0x80 || c == 0) return false;
  if (format == Format::Pax) {
    if (info.size >= (std::uint64_t{1} << 33)) return false;
    if (info.mtime < 0 || info.mtime >= 0x7fffffff) return false;
  } else {
    if (info.mtime < 0 || info.mtime >= (std::int64_t{1} << 33)) return false;
  }
  return true;
}

}  // namespace

std::string make_header(const MemberHeaderInfo& info, Format format) {
  Utf8LocaleScope locale_scope;
  std::string out;
  std::unique_ptr<struct archive, ArchiveDeleter> a(archive_write_new());
  if (!a) throw std::bad_alloc();
  int r = format == Format::Pax ? archive_write_set_format_pax_restricted(a.get())
                                : archive_write_set_format_gnutar(a.get());
  if (r != ARCHIVE_OK) throw std::runtime_error(fmt::format("tar format: {}", archive_error_string(a.get())));
  // No blocking: the callback sees exactly the header bytes.
  archive_write_set_bytes_per_block(a.get(), 0);
  archive_write_set_bytes_in_last_block(a.get(), 1);
  if (archive_write_open(a.get(), &out, nullptr, capture, nullptr) != ARCHIVE_OK)
    throw std::runtime_error(fmt::format("tar open: {}", archive_error_string(a.get())));

  std::unique_ptr<archive_entry, EntryDeleter> e(archive_entry_new());
  if (!e) throw std::bad_alloc();
  archive_entry_copy_pathname(e.get(), info.name.c_str());
  archive_entry_set_filetype(e.get(), AE_IFREG);
  archive_entry_set_perm(e.get(), static_cast<mode_t>(info.mode & 07777));
  archive_entry_set_size(e.get(), static_cast<la_int64_t>(info.size));
  archive_entry_set_mtime(e.get(), static_cast<time_t>(info.mtime), 0);
  archive_entry_set_uid(e.get(), 0);
  archive_entry_set_gid(e.get(), 0);
  r = archive_write_header(a.get(), e.get());
  if (r < ARCHIVE_WARN)
    throw std::runtime_error(
        fmt::format("tar header for '{}': {}", info.name, archive_error_string(a.get())));
  return out;
}

std::uint64_t header_size(const MemberHeaderInfo& info, Format format) {
  if (is_plain(info, format)) return kBlockSize;
  return make_header(info, format).size();
}

}  // namespace s3tar::tar
