// `s3tar restore`: from keys (through the job's catalog) or an archive's members to their bytes.
// Requests the restores the archives need (prepare_restore: the cost first, idempotent, exit 4
// while any runs), then extracts with the code `-x` uses, pinned to each archive's ETag.
#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <fstream>
#include <iostream>
#include <sstream>

#include "catalog/s3_archive_store.h"
#include "cli/command_line.h"
#include "cli/context.h"
#include "cli/output.h"
#include "cli/restore/commands.h"
#include "cli/restore/lookup.h"
#include "cli/tar/extract_members.h"
#include "cli/tar/tar_options.h"
#include "cli/usage.h"
#include "s3tar/archive/exec/archive_reader.h"
#include "s3tar/errors.h"
#include "s3tar/exit_codes.h"
#include "s3tar/log/log.h"
#include "scheduler/config.h"
#include "scheduler/s3_store.h"

namespace s3tar::cli {
namespace {

struct RestoreArgs {
  std::string config, archive, destination, tier = "Standard", prices, from, to, version;
  std::string region, endpoint, profile;
  std::vector<std::string> items;  // KEY|PREFIX with --config; member names with -f
  int days = 7, verbosity = 0;
  bool dry_run = false, json = false, path_style = false, virtual_host = false;
};

// nullopt when help was printed.
std::optional<RestoreArgs> parse_args(const std::vector<std::string>& args) {
  RestoreArgs a;
  CLI::App app{kRestoreDescription, "s3tar restore"};
  app.formatter(usage_formatter(kRestoreUsage));
  app.add_option("--config", a.config, "The daily job's JSON config file: find the keys in its catalog");
  app.add_option("-f,--file", a.archive, "The archive (s3://bucket/key.tar): restore members of this one");
  app.add_option("items", a.items,
                 "With --config: KEY (exact) or PREFIX (ending in / or *); with -f: members");
  app.add_option("-C,--directory", a.destination,
                 "Where to extract: s3://bucket/prefix/ or a local directory")
      ->required();
  app.add_option("--tier", a.tier,
                 "Restore tier: Bulk, Standard (default) or Expedited (not for DEEP_ARCHIVE)");
  app.add_option("--days", a.days, "Days the restored copy lasts (default 7)");
  app.add_flag("--dry-run", a.dry_run, "Print the cost of the restores and request nothing");
  app.add_option("--prices", a.prices, "Price table (config/restore-prices.json's format) for the estimate");
  app.add_option("--from", a.from, "With --config: first day to look in (YYYY-MM-DD)");
  app.add_option("--to", a.to, "With --config: last day to look in (YYYY-MM-DD)");
  app.add_option("--version", a.version, "With --config: only this version id of the keys");
  app.add_flag("--json", a.json, "Print the summary as one JSON object on stdout");
  app.add_flag("-v,--verbose", a.verbosity, "More log output");
  app.add_option("--region", a.region, "AWS region (default: the config's, AWS_REGION, profile)");
  app.add_option("--endpoint-url", a.endpoint,
                 "S3 endpoint URL (default: the config's, AWS_ENDPOINT_URL_S3)");
  app.add_option("--profile", a.profile, "Shared config profile");
  app.add_flag("--path-style", a.path_style, "Path-style addressing (default for custom endpoints)");
  app.add_flag("--virtual-host", a.virtual_host, "Virtual-hosted addressing (default for AWS)");
  app.footer(
      "\nExit codes: 0 extracted (or --dry-run), 2 usage/config (a tier the class does not offer), 3 not "
      "found or an archive changed, 4 a restore is in progress: run the same command again later, 5 "
      "transient.\n");
  if (!parse_command_line(app, args)) return std::nullopt;
  if (a.config.empty() == a.archive.empty()) throw UsageError("restore: give exactly one of --config and -f");
  if (!a.config.empty() && a.items.empty())
    throw UsageError("restore --config: name at least one KEY or PREFIX");
  if (!a.archive.empty() && !(a.from.empty() && a.to.empty() && a.version.empty()))
    throw UsageError("restore -f: --from, --to and --version go with --config");
  if (a.path_style && a.virtual_host) throw UsageError("choose one of --path-style and --virtual-host");
  if (a.days < 1) throw UsageError("--days must be at least 1, not " + std::to_string(a.days));
  if (is_s3_url(a.destination)) parse_s3_url(a.destination, "-C");
  return a;
}

s3::ConnectionOptions with_flags(s3::ConnectionOptions c, const RestoreArgs& a) {
  if (!a.region.empty()) c.region = a.region;
  if (!a.endpoint.empty()) c.endpoint_url = a.endpoint;
  if (!a.profile.empty()) c.profile = a.profile;
  if (a.path_style) c.path_style = true;
  if (a.virtual_host) c.path_style = false;
  c.stop_flag = &stop_flag();
  return c;
}

std::string read_file(const std::string& path, const std::string& flag) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw UsageError(flag + " " + path + ": cannot read the file");
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string url(const catalog::ArchiveRequest& r) { return "s3://" + r.bucket + "/" + r.key; }

// The archives holding the newest copy of each key the catalog matches.
std::vector<catalog::ArchiveRequest> from_catalog(const RestoreArgs& a, const scheduler::DailyConfig& cfg,
                                                  s3::S3Client& client) {
  catalog::FindOptions options;
  for (const auto& k : a.items) options.queries.push_back(catalog::parse_query(k));
  options.range = catalog::parse_range(a.from.empty() ? std::nullopt : std::optional(a.from),
                                       a.to.empty() ? std::nullopt : std::optional(a.to));
  options.version_id = a.version;
  scheduler::S3ObjectStore store(client);
  const catalog::FindResult found = catalog::find(store, job_layout(cfg), options);
  if (found.matches.empty()) {
    std::string asked;
    for (const auto& k : a.items) asked += (asked.empty() ? "" : ", ") + k;
    throw BadInputError("no archived object matches " + asked + " in the days read");
  }
  std::size_t older = 0;
  auto archives = catalog::newest_copies(found.matches, &older);
  if (older > 0)
    log::info(
        "restore.older_copies",
        fmt::format("{} older cop{} of the keys left out (restore one with -f ARCHIVE; `s3tar find` lists "
                    "them)",
                    older, older == 1 ? "y" : "ies"));
  return archives;
}

// The members of an archive asked for; nullopt when its index cannot be read before it is
// restored (no sidecar): they are chosen once it is.
std::optional<std::vector<tar::TocEntry>> members_of(s3::S3Client& client, const s3::ObjectRef& archive,
                                                     const std::vector<std::string>& filters) {
  exec::ArchiveIndex index;
  try {
    index = exec::load_index(client, archive, "");
  } catch (const s3::S3Error& e) {
    if (!e.is_archived()) throw;
    log::info("restore.no_index", "s3://" + archive.bucket + "/" + archive.key +
                                      ": no index sidecar; its members are read once it is restored");
    return std::nullopt;
  }
  // A damaged or hostile index is refused before a restore is paid for.
  exec::check_index(index.entries, client.head_object(archive).get().size,
                    "s3://" + archive.bucket + "/" + archive.key + " (" + index.source + ")");
  std::vector<tar::TocEntry> chosen;
  for (const auto& e : index.entries)
    if (member_selected(e, filters)) chosen.push_back(e);
  if (chosen.empty())
    throw BadInputError("no member of s3://" + archive.bucket + "/" + archive.key +
                        " matches the names given");
  return chosen;
}

nlohmann::json summary(const std::vector<catalog::ArchiveStep>& steps, const std::string& estimate) {
  nlohmann::json archives = nlohmann::json::array();
  for (const auto& s : steps)
    archives.push_back({{"archive", url(s.request)},
                        {"state", catalog::describe_state(s)},
                        {"ready", s.step == catalog::Step::kReady},
                        {"members", s.request.members.size()}});
  nlohmann::json lines = nlohmann::json::array();
  std::istringstream in(estimate);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return {{"archives", archives}, {"text", lines}};  // text: what the text form prints
}

}  // namespace

int restore_command(const std::vector<std::string>& args) {
  const auto a = parse_args(args);
  if (!a) return kSuccess;
  catalog::RestoreOptions options;
  const auto tier = s3::parse_restore_tier(a->tier);
  if (!tier) throw UsageError("--tier must be Bulk, Standard or Expedited, not '" + a->tier + "'");
  options.tier = *tier;
  options.days = a->days;
  options.dry_run = a->dry_run;
  options.now = unix_now();
  if (!a->prices.empty()) options.prices = catalog::parse_prices(read_file(a->prices, "--prices"), a->prices);

  std::unique_ptr<s3::S3Client> client;
  std::vector<catalog::ArchiveRequest> archives;
  ExtractTarget target{a->destination, "", {}, a->verbosity};
  bool members_known = true;
  if (!a->config.empty()) {
    const scheduler::DailyConfig cfg = scheduler::load_config(a->config);
    client = make_client(with_flags(scheduler::connection_options(cfg), *a));
    target.limits = scheduler::job_settings(cfg, a->config).write.plan.limits;
    archives = from_catalog(*a, cfg, *client);
  } else {
    const S3Url archive = parse_s3_url(a->archive, "-f");
    client = make_client(with_flags({}, *a));
    auto members = members_of(*client, {archive.bucket, archive.key, ""}, a->items);
    members_known = members.has_value();
    archives.push_back({archive.bucket, archive.key, "", members.value_or(std::vector<tar::TocEntry>{})});
  }

  catalog::S3ArchiveStore store(*client);
  std::ostringstream estimate;
  std::vector<catalog::ArchiveStep> steps, pending;
  try {
    steps = catalog::prepare_restore(store, archives, options, a->json ? estimate : std::cout, &pending);
  } catch (const NotYetError&) {
    if (a->json) {
      auto out = summary(pending, estimate.str());
      out["state"] = "not-yet";
      print_json(out);
    }
    throw;
  }
  if (a->dry_run) {
    if (a->json) print_json(summary(steps, estimate.str()));
    return kSuccess;
  }

  std::uint64_t members = 0, bytes = 0;
  for (auto& s : steps) {
    const s3::ObjectRef archive{s.request.bucket, s.request.key, ""};
    if (!members_known) s.request.members = *members_of(*client, archive, a->items);
    // Offsets from a catalog or sidecar must lie inside the archive HEAD saw.
    exec::check_index(s.request.members, s.head.size, url(s.request));
    bytes += extract_members(*client, archive, s.head.etag, s.request.members, target);
    members += s.request.members.size();
  }
  log::info("restore.done", fmt::format("extracted {} member{} ({} bytes) from {} archive{} to {}", members,
                                        members == 1 ? "" : "s", bytes, steps.size(),
                                        steps.size() == 1 ? "" : "s", a->destination));
  if (a->json) {
    auto out = summary(steps, estimate.str());
    out["state"] = "extracted";
    out["destination"] = a->destination;
    out["extracted"] = {{"members", members}, {"bytes", bytes}};
    print_json(out);
  }
  return kSuccess;
}

}  // namespace s3tar::cli
