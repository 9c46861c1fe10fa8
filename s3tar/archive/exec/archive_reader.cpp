#include "s3tar/archive/exec/archive_reader.h"

#include <nlohmann/json.hpp>

#include "s3tar/errors.h"

namespace s3tar::exec {
namespace {

constexpr uint64_t kTocProbe = 64 * 1024;  // one GET usually holds the header and the whole TOC
constexpr uint64_t kChunk = 1024 * 1024;   // block cache for header scans

s3::GetResult fetch_range(s3::S3Client& client, const s3::ObjectRef& obj, uint64_t first, uint64_t last) {
  s3::GetRequest req;
  req.object = obj;
  req.range = s3::ByteRange{first, last};
  return client.get_object(std::move(req)).get();
}

std::string fetch(s3::S3Client& client, const s3::ObjectRef& obj, uint64_t first, uint64_t last) {
  return fetch_range(client, obj, first, last).body;
}

std::string where_of(const s3::ObjectRef& archive) { return "s3://" + archive.bucket + "/" + archive.key; }

}  // namespace

void check_index(const std::vector<tar::TocEntry>& entries, uint64_t archive_size, const std::string& where) {
  for (size_t i = 0; i < entries.size(); ++i) {
    const auto& e = entries[i];
    if (e.offset > archive_size || e.size > archive_size - e.offset)
      throw BadInputError(where + ": index row " + std::to_string(i + 1) + " puts " + std::to_string(e.size) +
                          " bytes at offset " + std::to_string(e.offset) + ", past the end of the archive (" +
                          std::to_string(archive_size) + " bytes)");
  }
}

std::optional<std::vector<tar::TocEntry>> read_toc(s3::S3Client& client, const s3::ObjectRef& archive) {
  const s3::GetResult probe = fetch_range(client, archive, 0, kTocProbe - 1);
  const std::string& head = probe.body;
  const auto toc = tar::find_toc(head);
  if (!toc) return std::nullopt;
  // A damaged or hostile header must not make us download (or hold) more than the archive.
  const uint64_t archive_size = probe.info.size;
  if (toc->data_offset > archive_size || toc->size > archive_size - toc->data_offset)
    throw BadInputError(where_of(archive) + ": toc.csv claims " + std::to_string(toc->size) +
                        " bytes, past the end of the archive (" + std::to_string(archive_size) + " bytes)");
  std::string text;
  if (toc->data_offset + toc->size <= head.size()) {
    text = head.substr(toc->data_offset, toc->size);
  } else if (toc->size > 0) {
    text = fetch(client, archive, toc->data_offset, toc->data_offset + toc->size - 1);
  }
  return tar::parse_toc(text);
}

std::vector<ArchiveMember> scan_archive(s3::S3Client& client, const s3::ObjectRef& archive,
                                        uint64_t archive_size) {
  return tar::scan_headers(
      archive_size, [&](uint64_t first, uint64_t last) { return fetch(client, archive, first, last); },
      where_of(archive), kChunk);
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
    if (e.is_not_found()) return std::nullopt;
    throw;
  }
  const std::string where = where_of(archive) + ".index.json";
  const auto j = nlohmann::json::parse(body, nullptr, false);
  if (!j.is_object() || !j.contains("members") || !j["members"].is_array())
    throw BadInputError(where + " is not an s3tar index sidecar");
  // A sidecar left from an earlier archive under the same key would give wrong offsets.
  const s3::ObjectInfo info = client.head_object(archive).get();
  const std::string recorded = j.value("etag", std::string());
  if (recorded != info.etag)
    throw BadInputError(where + " describes another version of the archive (ETag " + recorded +
                        ", the archive has " + info.etag + ")");
  std::vector<tar::TocEntry> entries;
  try {
    for (const auto& m : j.at("members"))
      entries.push_back({m.at("key").get<std::string>(), m.at("offset").get<uint64_t>(),
                         m.at("size").get<uint64_t>(), m.value("etag", std::string())});
  } catch (const nlohmann::json::exception& e) {
    throw BadInputError(where + ": bad member entry (" + e.what() + ")");
  }
  return entries;
}

ArchiveIndex load_index(s3::S3Client& client, const s3::ObjectRef& archive,
                        const std::string& external_toc_bytes) {
  if (!external_toc_bytes.empty()) return {tar::parse_toc(external_toc_bytes), "external TOC"};
  try {
    if (auto toc = read_toc(client, archive)) return {std::move(*toc), "toc.csv"};
  } catch (const s3::S3Error& e) {
    // An archive in GLACIER/DEEP_ARCHIVE cannot be read until restored: its sidecar can.
    if (!e.is_archived()) throw;
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
