#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <iostream>
#include <set>

#include "catalog/find_output.h"
#include "catalog/s3_archive_store.h"
#include "cli/command_line.h"
#include "cli/context.h"
#include "cli/restore/commands.h"
#include "cli/restore/lookup.h"
#include "s3tar/errors.h"
#include "s3tar/exit_codes.h"
#include "s3tar/log/log.h"
#include "scheduler/s3_store.h"

namespace s3tar::cli {

int find_command(const std::vector<std::string>& args) {
  CLI::App app{
      "s3tar find: which archives hold a key (or the keys under a prefix), across the days the daily job "
      "archived. Reads the job's catalog (a day without one from its archives' index sidecars) and says for "
      "each match the archive, the offset, the object's size, ETag and version, and the archive's storage "
      "class and restore state.",
      "s3tar find"};
  std::string from, to, version;
  std::vector<std::string> keys;
  bool json = false;
  const JobConfigOption config(app, "The daily job's JSON config file (see config/README.md)");
  app.add_option("keys", keys, "KEY (exact) or PREFIX (ending in / or *)")->required();
  app.add_option("--from", from, "First day to look in (YYYY-MM-DD); default: every day catalogued");
  app.add_option("--to", to, "Last day to look in (YYYY-MM-DD)");
  app.add_option("--version", version, "Only this version id");
  app.add_flag("--json", json, "Print JSON (for scripts)");
  int verbosity = 0;
  app.add_flag("-v,--verbose", verbosity, "More log output");
  app.footer("\nExit codes: 0 found, 2 usage/config, 3 not found (or a corrupt catalog), 5 transient.\n");
  if (!parse_command_line(app, args)) return kSuccess;

  catalog::FindOptions options;
  for (const auto& k : keys) options.queries.push_back(catalog::parse_query(k));
  options.range = catalog::parse_range(from.empty() ? std::nullopt : std::optional(from),
                                       to.empty() ? std::nullopt : std::optional(to));
  options.version_id = version;
  const scheduler::DailyConfig cfg = config.load();
  auto client = make_client(scheduler::connection_options(cfg));
  scheduler::S3ObjectStore store(*client);
  const catalog::FindResult result = catalog::find(store, job_layout(cfg), options);

  // The state of each archive holding a match.
  std::vector<catalog::ArchiveRequest> archives;
  std::set<std::string> seen;
  for (const auto& m : result.matches)
    if (seen.insert(catalog::archive_url(m.row)).second)
      archives.push_back({m.row.archive_bucket, m.row.archive_key, m.row.archive_etag, {}});
  catalog::S3ArchiveStore archive_store(*client);
  catalog::ArchiveStates states;
  for (auto& step : catalog::assess_archives(archive_store, archives, unix_now()))
    states["s3://" + step.request.bucket + "/" + step.request.key] = std::move(step);

  if (json)
    std::cout << catalog::render_find_json(result, states).dump(1) << "\n";
  else
    std::cout << catalog::render_find_text(result, states);
  log::info("find.done", fmt::format("{} match{} in {} archive{}, {} day{} read ({} from sidecars)",
                                     result.matches.size(), result.matches.size() == 1 ? "" : "es",
                                     archives.size(), archives.size() == 1 ? "" : "s", result.days.size(),
                                     result.days.size() == 1 ? "" : "s", result.sidecar_days.size()));
  if (result.matches.empty()) {
    std::string asked;
    for (const auto& k : keys) asked += (asked.empty() ? "" : ", ") + k;
    throw BadInputError("no archived object matches " + asked + " in the days read");
  }
  return kSuccess;
}

}  // namespace s3tar::cli
