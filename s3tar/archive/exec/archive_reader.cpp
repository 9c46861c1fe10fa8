#include "s3tar/archive/exec/archive_reader.h"

#include <archive.h>
#include <archive_entry.h>

#include <algorithm>
#include <memory>
#include <nlohmann/json.hpp>

namespace s3tar::exec {
namespace {

constexpr uint64_t kTocProbe = 64 * 1024;  // one GET usually holds the header and the whole TOC
constexpr uint64_t kChunk = 1024 * 1024;   // block cache for header scans

using ArchivePtr = std::unique_ptr<struct archive, decltype(&archive_read_free)>;

std::string fetch(s3::S3Client& client, const s3::ObjectRef& obj, uint64_t first, uint64_t last) {
  s3::GetRequest req;
  req.object = obj;
  req.range = s3::ByteRange{first, last};
  return client.get_object(std::move(req)).get().body;
}

// libarchive client reading an S3 object through ranged GETs, with one cached chunk; skip
// moves the position without reading, so member data is never downloaded.
struct RangedSource {
  s3::S3Client* client;
  s3::ObjectRef object;
  uint64_t size = 0;
  uint64_t pos = 0;
  uint64_t chunk_start = 0;
  std::string chunk;
  std::exception_ptr error;

  static la_ssize_t read(struct archive*, void* self, const void** buf) {
    auto* s = static_cast<RangedSource*>(self);
    if (s->pos >= s->size) return 0;
    try {
      if (s->pos < s->chunk_start || s->pos >= s->chunk_start + s->chunk.size()) {
        const uint64_t last = std::min(s->size, s->pos + kChunk) - 1;
        s->chunk = fetch(*s->client, s->object, s->pos, last);
        s->chunk_start = s->pos;
      }
    } catch (...) {
      s->error = std::current_exception();
      return -1;
    }
    const uint64_t off = s->pos - s->chunk_start;
    *buf = s->chunk.data() + off;
    const uint64_t n = s->chunk.size() - off;
    s->pos += n;
    return static_cast<la_ssize_t>(n);
  }

  static la_int64_t skip(struct archive*, void* self, la_int64_t request) {
    auto* s = static_cast<RangedSource*>(self);
    const uint64_t n = std::min<uint64_t>(static_cast<uint64_t>(request), s->size - s->pos);
    s->pos += n;
    return static_cast<la_int64_t>(n);
  }
};

}  // namespace

std::optional<std::vector<tar::TocEntry>> read_toc(s3::S3Client& client, const s3::ObjectRef& archive) {
  const std::string head = fetch(client, archive, 0, kTocProbe - 1);
  ArchivePtr a(archive_read_new(), archive_read_free);
  archive_read_support_format_tar(a.get());
  archive_read_support_format_gnutar(a.get());
  if (archive_read_open_memory(a.get(), head.data(), head.size()) != ARCHIVE_OK) return std::nullopt;
  struct archive_entry* entry = nullptr;
  if (archive_read_next_header(a.get(), &entry) != ARCHIVE_OK) return std::nullopt;
  const char* name = archive_entry_pathname(entry);
  if (!name || std::string_view(name) != tar::kTocName) return std::nullopt;
  const uint64_t size = static_cast<uint64_t>(archive_entry_size(entry));
  const uint64_t data_offset = static_cast<uint64_t>(archive_filter_bytes(a.get(), -1));
  std::string text;
  if (data_offset + size <= head.size()) {
    text = head.substr(data_offset, size);
  } else if (size > 0) {
    text = fetch(client, archive, data_offset, data_offset + size - 1);
  }
  return tar::parse_toc(text);
}

std::vector<ArchiveMember> scan_archive(s3::S3Client& client, const s3::ObjectRef& archive,
                                        uint64_t archive_size) {
  RangedSource src{&client, archive, archive_size, 0, 0, {}, nullptr};
  ArchivePtr a(archive_read_new(), archive_read_free);
  archive_read_support_format_tar(a.get());
  archive_read_support_format_gnutar(a.get());
  archive_read_set_callback_data(a.get(), &src);
  archive_read_set_read_callback(a.get(), &RangedSource::read);
  archive_read_set_skip_callback(a.get(), &RangedSource::skip);
  const std::string where = "s3://" + archive.bucket + "/" + archive.key;
  if (archive_read_open1(a.get()) != ARCHIVE_OK) {
    if (src.error) std::rethrow_exception(src.error);
    throw std::runtime_error(where + " is not a tar archive: " + archive_error_string(a.get()));
  }
  std::vector<ArchiveMember> members;
  struct archive_entry* entry = nullptr;
  for (;;) {
    const int rc = archive_read_next_header(a.get(), &entry);
    if (rc == ARCHIVE_EOF) break;
    if (rc < ARCHIVE_WARN) {
      if (src.error) std::rethrow_exception(src.error);
      throw std::runtime_error(where + ": bad tar header after " + std::to_string(members.size()) +
                               " members: " + archive_error_string(a.get()));
    }
    ArchiveMember m;
    m.name = archive_entry_pathname(entry) ? archive_entry_pathname(entry) : "";
    m.header_offset = static_cast<uint64_t>(archive_read_header_position(a.get()));
    m.data_offset = static_cast<uint64_t>(archive_filter_bytes(a.get(), -1));
    m.size = static_cast<uint64_t>(archive_entry_size(entry));
    m.regular = archive_entry_filetype(entry) == AE_IFREG;
    members.push_back(std::move(m));
    if (archive_read_data_skip(a.get()) != ARCHIVE_OK) {
      if (src.error) std::rethrow_exception(src.error);
      throw std::runtime_error(where + ": truncated member " + members.back().name);
    }
  }
  return members;
}

std::optional<std::vector<tar::TocEntry>> read_index_sidecar(s3::S3Client& client,
                                                             const s3::ObjectRef& archive) {
  std::string body;
  try {
    body = client
               .get_object(s3::GetRequest{
                   {archive.bucket, archive.key + ".index.json", ""}, std::nullopt, "", nullptr})
               .get()
               .body;
  } catch (const s3::S3Error& e) {
    if (e.status() == 404) return std::nullopt;
    throw;
  }
  const auto j = nlohmann::json::parse(body);
  // A sidecar left from an earlier archive under the same key would give wrong offsets.
  const s3::ObjectInfo info = client.head_object(archive).get();
  if (j.value("etag", std::string()) != info.etag)
    throw std::runtime_error("the index sidecar of s3://" + archive.bucket + "/" + archive.key +
                             " describes another version of the archive (ETag " +
                             j.value("etag", std::string()) + ", the archive has " + info.etag + ")");
  std::vector<tar::TocEntry> entries;
  for (const auto& m : j.at("members"))
    entries.push_back({m.at("key").get<std::string>(), m.at("offset").get<uint64_t>(),
                       m.at("size").get<uint64_t>(), m.value("etag", std::string())});
  return entries;
}

ArchiveIndex load_index(s3::S3Client& client, const s3::ObjectRef& archive,
                        const std::string& external_toc_bytes) {
  if (!external_toc_bytes.empty()) return {tar::parse_toc(external_toc_bytes), "external TOC"};
  try {
    if (auto toc = read_toc(client, archive)) return {std::move(*toc), "toc.csv"};
  } catch (const s3::S3Error& e) {
    // An archive in GLACIER/DEEP_ARCHIVE cannot be read until restored: its sidecar can.
    if (e.code() != "InvalidObjectState") throw;
    if (auto idx = read_index_sidecar(client, archive)) return {std::move(*idx), "index sidecar"};
    throw;
  }
  const s3::ObjectInfo info = client.head_object(archive).get();
  ArchiveIndex index;
  index.source = "header scan";
  for (const auto& m : scan_archive(client, archive, info.size)) {
    if (m.regular) index.entries.push_back({m.name, m.data_offset, m.size, ""});
  }
  return index;
}

}  // namespace s3tar::exec
