// -x: the members of an archive chosen by name or prefix, extracted by extract_members.
#include <fmt/format.h>

#include "cli/context.h"
#include "cli/output.h"
#include "cli/tar/commands.h"
#include "cli/tar/extract_members.h"
#include "cli/tar/sources.h"
#include "s3tar/archive/exec/archive_reader.h"
#include "s3tar/exit_codes.h"
#include "s3tar/log/log.h"

namespace s3tar::cli {

int extract_command(const TarOptions& o) {
  const S3Url url = parse_s3_url(o.archive, "-f");
  auto client = make_client(o.connection);
  const s3::ObjectRef archive{url.bucket, url.key, ""};
  std::string external;
  if (!o.external_toc.empty()) external = read_local_or_s3(*client, o.external_toc);
  const s3::ObjectInfo info = client->head_object(archive).get();
  const exec::ArchiveIndex index = exec::load_index(*client, archive, external);
  exec::check_index(index.entries, info.size, o.archive + " (" + index.source + ")");

  std::vector<tar::TocEntry> todo;
  for (const auto& e : index.entries)
    if (member_selected(e, o.positional)) todo.push_back(e);
  if (todo.empty()) {
    log::warn("extract.none", "no member of " + o.archive + " matches");
    if (o.json)
      print_json({{"archive", o.archive}, {"destination", o.directory}, {"members", 0}, {"bytes", 0}});
    return o.positional.empty() ? kSuccess : kBadInput;
  }
  const std::string storage_class = o.storage_class == "STANDARD" ? "" : o.storage_class;
  const uint64_t bytes =
      extract_members(*client, archive, info.etag, todo,
                      ExtractTarget{o.directory, storage_class, o.settings.write.plan.limits, o.verbosity});
  log::info("extract.done",
            fmt::format("extracted {} members ({} bytes) from {}", todo.size(), bytes, o.archive));
  if (o.json) {
    print_json(
        {{"archive", o.archive}, {"destination", o.directory}, {"members", todo.size()}, {"bytes", bytes}});
  }
  return kSuccess;
}

}  // namespace s3tar::cli
