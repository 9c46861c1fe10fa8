#include <fmt/format.h>

#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/context.h"
#include "cli/output.h"
#include "cli/tar/commands.h"
#include "cli/tar/sources.h"
#include "s3tar/archive/exec/archive_reader.h"
#include "s3tar/exit_codes.h"
#include "s3tar/log/log.h"

namespace s3tar::cli {
namespace {

// One member as -t prints it: the name (escaped as GNU tar does), with -v its size first, with
// --extended the TOC row (CSV, quoted where needed), with --json a JSON object per line.
void append_entry(std::string& out, const tar::TocEntry& e, const TarOptions& o) {
  if (o.json) {
    out += nlohmann::json{{"name", e.name}, {"offset", e.offset}, {"size", e.size}, {"etag", e.etag}}.dump(
        -1, ' ', false, nlohmann::json::error_handler_t::replace);
    out += "\n";
  } else if (o.extended) {
    tar::append_toc_row(out, e.name, e.offset, e.size, e.etag);
  } else if (o.verbosity > 0) {
    out += fmt::format("{:>14} {}\n", e.size, escape_name(e.name));
  } else {
    out += escape_name(e.name) + "\n";
  }
}

}  // namespace

int list_command(const TarOptions& o) {
  const S3Url url = parse_s3_url(o.archive, "-f");
  auto client = make_client(o.connection);
  const s3::ObjectRef archive{url.bucket, url.key, ""};
  std::string external;
  if (!o.external_toc.empty()) external = read_local_or_s3(*client, o.external_toc);

  const exec::ArchiveIndex index = exec::load_index(*client, archive, external);
  log::debug("list.index", "read the index from " + index.source, {{"entries", index.entries.size()}});
  std::string out;
  for (const auto& e : index.entries) {
    append_entry(out, e, o);
    if (out.size() > (1 << 20)) {
      std::cout << out;
      out.clear();
    }
  }
  std::cout << out;
  std::cout.flush();
  return kSuccess;
}

}  // namespace s3tar::cli
