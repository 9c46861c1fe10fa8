#include <fmt/format.h>

#include <fstream>
#include <iostream>

#include "cli/context.h"
#include "cli/tar/commands.h"
#include "cli/tar/sources.h"
#include "s3tar/archive/exec/archive_reader.h"
#include "s3tar/exit_codes.h"
#include "s3tar/log/log.h"

namespace s3tar::cli {

int list_command(const TarOptions& o) {
  const S3Url url = parse_s3_url(o.archive, "-f");
  auto client = make_client(o.connection);
  const s3::ObjectRef archive{url.bucket, url.key, ""};
  std::string external;
  if (!o.external_toc.empty()) external = read_local_or_s3(*client, o.external_toc);

  if (o.generate_toc) {
    // Index a tar that has none (or whose TOC we don't trust): scan its headers.
    const s3::ObjectInfo info = client->head_object(archive).get();
    std::string csv;
    for (const auto& m : exec::scan_archive(*client, archive, info.size))
      if (m.regular) tar::append_toc_row(csv, m.name, m.data_offset, m.size, "");
    if (o.directory.empty()) {
      std::cout << csv;
    } else {
      std::ofstream f(o.directory, std::ios::binary);
      f << csv;
      if (!f) throw std::runtime_error("cannot write the TOC to " + o.directory);
      log::info("toc.generated", "wrote the TOC of " + o.archive + " to " + o.directory);
    }
    return kSuccess;
  }

  const exec::ArchiveIndex index = exec::load_index(*client, archive, external);
  log::debug("list.index", "read the index from " + index.source, {{"entries", index.entries.size()}});
  std::string out;
  for (const auto& e : index.entries) {
    if (o.extended) {
      tar::append_toc_row(out, e.name, e.offset, e.size, e.etag);
    } else if (o.verbosity > 0) {
      out += fmt::format("{:>14} {}\n", e.size, e.name);
    } else {
      out += e.name + "\n";
    }
    if (out.size() > (1 << 20)) {
      std::cout << out;
      out.clear();
    }
  }
  std::cout << out;
  return kSuccess;
}

}  // namespace s3tar::cli
