// --generate-toc and --generate-manifest: the Go s3tar's two indexing modes. Both write a local
// file (-C) or stdout.
#include <fmt/format.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/context.h"
#include "cli/output.h"
#include "cli/tar/commands.h"
#include "cli/tar/sources.h"
#include "inventory/manifest_csv.h"
#include "s3tar/archive/exec/archive_reader.h"
#include "s3tar/archive/tar/toc.h"
#include "s3tar/errors.h"
#include "s3tar/exit_codes.h"
#include "s3tar/log/log.h"

namespace s3tar::cli {
namespace {

// Where an index goes: stdout, or the -C file, which is replaced only once complete (no
// half-written index left behind by a failure).
class Output {
 public:
  Output(std::string path, std::string what) : path_(std::move(path)), what_(std::move(what)) {
    if (path_.empty()) return;
    file_.open(path_ + ".s3tar-partial", std::ios::binary | std::ios::trunc);
    if (!file_) fail();
  }
  ~Output() {
    if (!path_.empty() && !done_) std::remove((path_ + ".s3tar-partial").c_str());
  }
  std::ostream& stream() { return path_.empty() ? std::cout : file_; }
  void commit() {
    if (path_.empty()) return;
    file_.close();
    if (!file_ || std::rename((path_ + ".s3tar-partial").c_str(), path_.c_str()) != 0) fail();
    done_ = true;
  }

 private:
  [[noreturn]] void fail() const {
    throw UsageError("cannot write " + what_ + " to " + path_ + ": " + std::strerror(errno));
  }
  std::string path_, what_;
  std::ofstream file_;
  bool done_ = false;
};

}  // namespace

int generate_toc_command(const TarOptions& o) {
  const S3Url url = parse_s3_url(o.archive, "-f");
  auto client = make_client(o.connection);
  const s3::ObjectRef archive{url.bucket, url.key, ""};
  // Index a tar that has none (or whose TOC we don't trust): scan its headers.
  const s3::ObjectInfo info = client->head_object(archive).get();
  Output out(o.directory, "the TOC");
  uint64_t members = 0;
  for (const auto& m : exec::scan_archive(*client, archive, info.size)) {
    if (!m.regular) continue;
    std::string row;
    tar::append_toc_row(row, m.name, m.data_offset, m.size, "");
    out.stream() << row;
    ++members;
  }
  out.commit();
  if (!o.directory.empty()) {
    log::info("toc.generated",
              fmt::format("wrote the TOC of {} ({} members) to {}", o.archive, members, o.directory));
  }
  if (o.json && !o.directory.empty())
    print_json({{"archive", o.archive}, {"members", members}, {"output", o.directory}});
  return kSuccess;
}

int generate_manifest_command(const TarOptions& o) {
  const S3Url url = parse_s3_url(o.archive, "-f");
  auto client = make_client(o.connection);
  // Like the Go s3tar: every object under the prefix but folder markers, with its ETag, so that
  // `s3tar -c -m` pins each row to the content listed here.
  Output out(o.directory, "the manifest");
  inventory::ManifestCsvWriter w(out.stream());
  uint64_t objects = 0, bytes = 0;
  client->list_all(url.bucket, url.key, [&](const s3::ListedObject& obj) {
    if (obj.size == 0 && !obj.key.empty() && obj.key.back() == '/') return;
    w.write(url.bucket, obj.key, obj.size, s3::strip_quotes(obj.etag));
    ++objects;
    bytes += obj.size;
  });
  out.commit();
  if (!o.directory.empty()) {
    log::info("manifest.generated", fmt::format("wrote {} objects ({} bytes) under {} to {}", objects, bytes,
                                                o.archive, o.directory));
  }
  if (o.json && !o.directory.empty())
    print_json({{"prefix", o.archive}, {"objects", objects}, {"bytes", bytes}, {"output", o.directory}});
  return kSuccess;
}

}  // namespace s3tar::cli
