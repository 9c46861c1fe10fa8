// Test helpers: deterministic pseudo-content for source objects and an independent reference
// archive written by libarchive in one go.
#pragma once

#include <archive.h>
#include <archive_entry.h>
#include <locale.h>

#include <cstdint>
#include <stdexcept>
#include <string>

#include "s3tar/archive/plan/plan.h"
#include "s3tar/archive/tar/names.h"
#include "s3tar/archive/tar/toc.h"

namespace s3tar::plan::testing {

inline std::uint64_t splitmix64(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ull;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}

inline std::uint64_t object_seed(const Member& m) {
  std::uint64_t h = 0xcbf29ce484222325ull;
  for (std::string_view s : {std::string_view(m.bucket()), m.key(), m.version_id()}) {
    for (unsigned char c : s) h = (h ^ c) * 0x100000001b3ull;
    h = (h ^ 0xff) * 0x100000001b3ull;
  }
  return h;
}

// Bytes [offset, offset+length) of a member's object: a function of its identity and position.
inline std::string content(const Member& m, std::uint64_t offset, std::uint64_t length) {
  if (offset + length > m.size) throw std::out_of_range("read past the end of " + std::string(m.key()));
  const std::uint64_t seed = object_seed(m);
  std::string out(length, '\0');
  for (std::uint64_t i = 0; i < length; ++i) {
    const std::uint64_t p = offset + i;
    out[i] = static_cast<char>(splitmix64(seed ^ (p / 8)) >> (8 * (p % 8)));
  }
  return out;
}

class ScopedUtf8Locale {
 public:
  ScopedUtf8Locale() : loc_(newlocale(LC_ALL_MASK, "C.UTF-8", static_cast<locale_t>(0))) {
    if (loc_ != static_cast<locale_t>(0)) prev_ = uselocale(loc_);
  }
  ~ScopedUtf8Locale() {
    if (loc_ != static_cast<locale_t>(0)) {
      uselocale(prev_);
      freelocale(loc_);
    }
  }

 private:
  locale_t loc_;
  locale_t prev_ = static_cast<locale_t>(0);
};

struct Written {
  std::string bytes;
  std::vector<std::uint64_t> data_offsets;  // per member
};

// The whole archive written through libarchive's normal API: toc.csv with `toc_text`, then every
// member with its content, then libarchive's own end of archive.
inline Written write_with_libarchive(const Volume& v, const std::string& toc_text) {
  ScopedUtf8Locale locale;
  Written w;
  struct archive* a = archive_write_new();
  if (v.format == tar::Format::Pax)
    archive_write_set_format_pax_restricted(a);
  else
    archive_write_set_format_gnutar(a);
  archive_write_set_bytes_per_block(a, 0);
  archive_write_set_bytes_in_last_block(a, 1);
  auto cb = [](struct archive*, void* client, const void* buf, size_t n) -> la_ssize_t {
    static_cast<std::string*>(client)->append(static_cast<const char*>(buf), n);
    return static_cast<la_ssize_t>(n);
  };
  if (archive_write_open(a, &w.bytes, nullptr, cb, nullptr) != ARCHIVE_OK) throw std::runtime_error("open");
  std::int64_t newest = 0;
  for (const Member& m : v.members) newest = std::max(newest, m.mtime());
  auto add = [&](const std::string& name, std::int64_t mtime, const std::string& data) {
    archive_entry* e = archive_entry_new();
    archive_entry_copy_pathname(e, name.c_str());
    archive_entry_set_filetype(e, AE_IFREG);
    archive_entry_set_perm(e, 0644);
    archive_entry_set_size(e, static_cast<la_int64_t>(data.size()));
    archive_entry_set_mtime(e, mtime, 0);
    archive_entry_set_uid(e, 0);
    archive_entry_set_gid(e, 0);
    if (archive_write_header(a, e) < ARCHIVE_WARN) throw std::runtime_error(archive_error_string(a));
    const std::uint64_t data_offset = w.bytes.size();
    if (!data.empty() &&
        archive_write_data(a, data.data(), data.size()) != static_cast<la_ssize_t>(data.size()))
      throw std::runtime_error(archive_error_string(a));
    archive_entry_free(e);
    return data_offset;
  };
  add(std::string(tar::kTocName), newest, toc_text);
  for (const Member& m : v.members)
    w.data_offsets.push_back(add(tar::member_name_for_key(m.key()), m.mtime(), content(m, 0, m.size)));
  if (archive_write_close(a) != ARCHIVE_OK) throw std::runtime_error(archive_error_string(a));
  archive_write_free(a);
  return w;
}

// Reference archive for a volume's members in the volume's order, with a toc.csv found by
// rewriting the archive until the offsets it lists are the offsets where the data landed.
inline std::string reference_archive(const Volume& v) {
  std::string toc;
  for (int round = 0; round < 20; ++round) {
    Written w = write_with_libarchive(v, toc);
    std::vector<tar::TocEntry> rows;
    for (std::size_t i = 0; i < v.members.size(); ++i)
      rows.push_back(
          {std::string(v.members[i].key()), w.data_offsets[i], v.members[i].size, v.members[i].etag()});
    std::string next = tar::render_toc_csv(rows);
    if (next == toc) return w.bytes;
    toc = next;
  }
  throw std::runtime_error("toc.csv did not converge");
}

inline std::string render(const Volume& v) { return render_volume_reference(v, content); }

}  // namespace s3tar::plan::testing
