#include "s3tar/archive/tar/header.h"

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

struct Capture {
  std::string bytes;
  bool done = false;
};

la_ssize_t capture(struct archive*, void* client, const void* buffer, size_t length) {
  auto* c = static_cast<Capture*>(client);
  if (c->done) return -1;
  c->bytes.append(static_cast<const char*>(buffer), length);
  return static_cast<la_ssize_t>(length);
}

// Ends the writer without letting it write the member's data padding or the end blocks: the
// callback refuses every byte after the header, so closing fails at its first write (no loop over
// a huge member's size) but still releases the writer's client state. archive_write_fail() alone
// skips that release and leaks it on every header.
struct Writer {
  struct archive* a = archive_write_new();
  Capture c;
  Writer() {
    if (!a) throw std::bad_alloc();
  }
  ~Writer() {
    c.done = true;
    archive_write_close(a);
    archive_write_free(a);
  }
  Writer(const Writer&) = delete;
  Writer& operator=(const Writer&) = delete;
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
  Writer w;
  struct archive* a = w.a;
  int r =
      format == Format::Pax ? archive_write_set_format_pax_restricted(a) : archive_write_set_format_gnutar(a);
  if (r != ARCHIVE_OK) throw std::runtime_error(fmt::format("tar format: {}", archive_error_string(a)));
  // No blocking: the callback sees exactly the header bytes.
  archive_write_set_bytes_per_block(a, 0);
  archive_write_set_bytes_in_last_block(a, 1);
  if (archive_write_open(a, &w.c, nullptr, capture, nullptr) != ARCHIVE_OK)
    throw std::runtime_error(fmt::format("tar open: {}", archive_error_string(a)));

  std::unique_ptr<archive_entry, EntryDeleter> e(archive_entry_new());
  if (!e) throw std::bad_alloc();
  archive_entry_copy_pathname(e.get(), info.name.c_str());
  archive_entry_set_filetype(e.get(), AE_IFREG);
  archive_entry_set_perm(e.get(), static_cast<mode_t>(info.mode & 07777));
  archive_entry_set_size(e.get(), static_cast<la_int64_t>(info.size));
  archive_entry_set_mtime(e.get(), static_cast<time_t>(info.mtime), 0);
  archive_entry_set_uid(e.get(), 0);
  archive_entry_set_gid(e.get(), 0);
  r = archive_write_header(a, e.get());
  if (r < ARCHIVE_WARN)
    throw std::runtime_error(fmt::format("tar header for '{}': {}", info.name, archive_error_string(a)));
  return std::move(w.c.bytes);
}

std::uint64_t header_size(const MemberHeaderInfo& info, Format format) {
  if (is_plain(info, format)) return kBlockSize;
  return make_header(info, format).size();
}

}  // namespace s3tar::tar
