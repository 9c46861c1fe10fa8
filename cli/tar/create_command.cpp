#include <fmt/format.h>

#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/context.h"
#include "cli/output.h"
#include "cli/tar/commands.h"
#include "cli/tar/sources.h"
#include "s3tar/archive/exec/archive_writer.h"
#include "s3tar/errors.h"
#include "s3tar/exit_codes.h"
#include "s3tar/log/log.h"

namespace s3tar::cli {

using exec::describe_plan;
using exec::write_archives;
using exec::WriteOutcome;
using exec::WriteRequest;

namespace {

nlohmann::json problems_json(const std::vector<exec::SourceProblem>& problems) {
  nlohmann::json a = nlohmann::json::array();
  for (const auto& p : problems)
    a.push_back({{"bucket", p.bucket}, {"key", p.key}, {"reason", p.reason}, {"error", p.message}});
  return a;
}

}  // namespace

int create_command(const TarOptions& o) {
  const S3Url dest = parse_s3_url(o.archive, "-f");
  if (dest.key.empty()) throw UsageError("-f needs an object key: s3://bucket/key.tar");
  auto client = make_client(o.settings.connection);

  // Everything else the flags set comes from the shared settings (validated like the config's).
  WriteRequest req = o.settings.write;
  req.bucket = dest.bucket;
  req.plan.archive_key = dest.key;
  req.dry_run = o.dry_run;

  // Gather the sources; never archive the archive itself (a re-run under the same prefix).
  SourceSet sources;
  if (!o.manifest.empty()) {
    sources = manifest_sources(*client, o.manifest, o.skip_manifest_header, o.urldecode,
                               o.manifest_format == "batch" ? ManifestFormat::Batch : ManifestFormat::S3tar);
  } else {
    // The archive, the volumes it may become (K.00.tar ... K.NNN.tar) and their index sidecars.
    const std::string stem = dest.key.size() > 4 && dest.key.ends_with(".tar")
                                 ? dest.key.substr(0, dest.key.size() - 4)
                                 : dest.key;
    const std::string index_suffix = exec::index_key_for("");
    auto own_output = [&](const std::string& key) {
      std::string k = key;
      if (k.ends_with(index_suffix)) k.resize(k.size() - index_suffix.size());
      if (k == dest.key) return true;
      if (k.size() <= stem.size() + 5 || !k.starts_with(stem + ".") || !k.ends_with(".tar")) return false;
      const std::string number = k.substr(stem.size() + 1, k.size() - stem.size() - 5);
      return number.find_first_not_of("0123456789") == std::string::npos;
    };
    for (const auto& src : o.positional) {
      SourceSet s = list_sources(*client, src, own_output);
      sources.members.insert(sources.members.end(), std::make_move_iterator(s.members.begin()),
                             std::make_move_iterator(s.members.end()));
      sources.problems.insert(sources.problems.end(), s.problems.begin(), s.problems.end());
    }
  }
  for (const auto& p : sources.problems)
    log::warn("source.unreadable", p.message, {{"bucket", p.bucket}, {"key", p.key}, {"reason", p.reason}});
  // A dry run refuses what the run would refuse, so a plan that exits 0 does not fail later.
  if (!sources.problems.empty() && !o.skip_unreadable) {
    throw exec::SourceError(
        fmt::format("{} source object(s) cannot be archived (first: {}); nothing was written; "
                    "use --skip-unreadable to archive the rest",
                    sources.problems.size(), sources.problems.front().message),
        sources.problems);
  }
  if (sources.members.empty()) {
    log::warn("create.empty", "no objects to archive: nothing was written");
    return sources.problems.empty() ? kSuccess : kPartial;
  }

  const size_t n_members = sources.members.size();
  WriteOutcome out = write_archives(*client, std::move(sources.members), req, stop_flag());
  if (o.dry_run) {
    std::cout << describe_plan(out.plan, dest.bucket, o.storage_class);
    return sources.problems.empty() ? kSuccess : kPartial;  // the run would skip them: exit 6
  }
  std::vector<exec::SourceProblem> skipped = sources.problems;
  skipped.insert(skipped.end(), out.skipped.begin(), out.skipped.end());

  const auto& c = client->counters();
  uint64_t total_requests = 0;
  const nlohmann::json requests = exec::request_counts(c, total_requests);
  nlohmann::json archives = nlohmann::json::array();
  for (const auto& r : out.written)
    archives.push_back({{"archive", "s3://" + r.bucket + "/" + r.key},
                        {"size", r.size},
                        {"etag", r.etag},
                        {"objects", r.members},
                        {"parts", r.parts},
                        {"index", "s3://" + r.bucket + "/" + r.index_key}});
  nlohmann::json report = {{"archives", archives},
                           {"objects_planned", n_members},
                           {"objects_skipped", problems_json(skipped)},
                           {"requests", requests},
                           {"requests_total", total_requests},
                           {"retries", c.retries.load()},
                           {"bytes_sent", c.bytes_sent.load()},
                           {"bytes_received", c.bytes_received.load()}};
  log::info("create.done",
            fmt::format("{} archive(s), {} objects, {} requests ({} retries), {} skipped", out.written.size(),
                        n_members - out.skipped.size(), total_requests, c.retries.load(), skipped.size()),
            {{"archives", out.written.size()}, {"requests", requests}, {"skipped", skipped.size()}});
  if (!o.report.empty()) {
    std::ofstream f(o.report);
    f << report.dump(2) << "\n";
    if (!f) throw UsageError("cannot write the report to " + o.report);
  }
  if (o.json) print_json(report);
  return skipped.empty() ? kSuccess : kPartial;
}

}  // namespace s3tar::cli
