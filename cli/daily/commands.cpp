#include "cli/daily/commands.h"

#include <CLI/CLI.hpp>
#include <cstdlib>
#include <iostream>
#include <optional>

#include "cli/command_line.h"
#include "cli/context.h"
#include "cli/usage.h"
#include "s3tar/exit_codes.h"
#include "s3tar/s3/credentials/chain_provider.h"
#include "s3tar/s3/credentials/refreshing_provider.h"
#include "scheduler/config.h"
#include "scheduler/job.h"

namespace s3tar::cli {
using namespace s3tar::scheduler;  // the daily job this front end drives
namespace {

std::unique_ptr<s3::S3Client> make_client(const settings::Settings& s) {
  return s3tar::cli::make_client(s.connection);  // watches the stop flag
}

std::pair<std::string, std::string> parse_tag(const std::string& text) {
  const auto eq = text.find('=');
  if (eq == std::string::npos || eq == 0 || eq > 128 || text.size() - eq - 1 > 256)
    throw UsageError("--tag-sources must be KEY=VALUE (key 1-128, value 0-256 characters), not '" + text +
                     "'");
  return {text.substr(0, eq), text.substr(eq + 1)};
}

const char* kRunExitCodes =
    "\nExit codes of run (README.md has the full table):\n"
    "  0  the day is complete (objects already in an archival class are listed, not counted);\n"
    "     a re-run of a complete day returns the code of the run that completed it\n"
    "  2  configuration error: config, flags, an inventory location with no report folders or\n"
    "     pointing into a report, an inventory without ETags, credentials (do not retry)\n"
    "  3  bad input data: corrupt inventory, a row of another bucket; nothing was written\n"
    "  4  the inventory report for the date is not delivered yet (retry later)\n"
    "  5  transient failure: network, throttling, server error, SIGTERM, or another run of the\n"
    "     same day still writing a volume (retry: completed volumes are kept)\n"
    "  6  completed, but some objects were not archived (sources changed, vanished or archived since\n"
    "     the inventory, in any attempt of the day; failed source tagging): see not-archived*.csv\n"
    "  1  internal error (a bug)\n";

}  // namespace

int run_command(const std::vector<std::string>& args, const std::atomic<bool>& stop) {
  CLI::App app{
      "s3tar run: the daily job. Archives the objects an S3 Inventory report lists as last modified "
      "on the target date (yesterday in the configured time zone) into tar archives in S3.",
      "s3tar run"};
  app.footer(
      std::string("\nRe-runs for the same date are idempotent: complete archives are skipped, leftovers "
                  "of a killed run are aborted and rewritten.\nShards: --shard I/N, or "
                  "AWS_BATCH_JOB_ARRAY_INDEX and AWS_BATCH_JOB_ARRAY_SIZE (AWS Batch array jobs).\n") +
      kRunExitCodes);
  std::string date, shard;
  bool dry_run = false;
  std::vector<std::string> tags;
  const JobConfigOption config(app);
  app.add_option("--date", date, "Archive this date (YYYY-MM-DD) instead of yesterday");
  app.add_flag("--dry-run", dry_run, "Print the inventory summary and the plan with its cost; write nothing");
  app.add_option("--shard", shard, "Write only volumes with index % N == I (0-based I)");
  app.add_option("--tag-sources", tags,
                 "After an archive is written and verified, tag each of its source objects with KEY=VALUE "
                 "(e.g. for a lifecycle rule). Replaces the source's tag set. Nothing is ever deleted.");
  int verbosity = 0;
  app.add_flag("-v,--verbose", verbosity, "More log output (-v, -vv)");
  bool debug = false;  // read by run_app before parsing (verbosity_of)
  app.add_flag("--debug", debug, "Log every S3 request (method, path, status, request id, milliseconds)");
  app.formatter(usage_formatter(kRunUsage));
  if (!parse_command_line(app, args)) return kSuccess;

  RunOptions opt;
  if (!date.empty()) opt.date = parse_date(date);
  opt.dry_run = dry_run;
  opt.shard =
      resolve_shard(shard.empty() ? std::nullopt : std::optional<std::string>(shard),
                    std::getenv("AWS_BATCH_JOB_ARRAY_INDEX"), std::getenv("AWS_BATCH_JOB_ARRAY_SIZE"));
  for (const auto& t : tags) opt.tag_sources.push_back(parse_tag(t));
  if (opt.tag_sources.size() > 10) throw UsageError("--tag-sources: S3 allows at most 10 tags");
  const DailyConfig cfg = config.load();
  const settings::Settings settings = config.settings(cfg);
  auto client = make_client(settings);
  return run_daily(cfg, settings, opt, *client, stop);
}

int inventory_command(const std::vector<std::string>& args) {
  CLI::App app{
      "s3tar inventory: show what the daily job would select for a date, and write the selection as "
      "an s3tar manifest (bucket,key,size,etag) for `s3tar -c -m`.",
      "s3tar inventory"};
  std::string date, output;
  const JobConfigOption config(app);
  app.add_option("--date", date, "The date (YYYY-MM-DD); default yesterday in the configured time zone");
  app.add_option("-o,--output", output,
                 "Write the manifest to this file, or to stdout with -o - (the summary then goes to "
                 "stderr); without -o only the summary is printed");
  bool json = false;
  app.add_flag("--json", json, "Print the summary as one JSON object on stdout");
  int verbosity = 0;
  app.add_flag("-v,--verbose", verbosity, "More log output (-v, -vv)");
  bool debug = false;  // read by run_app before parsing (verbosity_of)
  app.add_flag("--debug", debug, "Log every S3 request (method, path, status, request id, milliseconds)");
  app.formatter(usage_formatter(kInventoryUsage));
  app.footer(
      "\nExit codes: 0 success, 2 usage/config, 3 bad inventory data, 4 report not delivered yet, 5 "
      "transient.\n");
  if (!parse_command_line(app, args)) return kSuccess;
  if (json && output == "-")
    throw UsageError("--json prints the summary on stdout: write the manifest to a file (-o FILE), not -o -");
  RunOptions opt;
  if (!date.empty()) opt.date = parse_date(date);
  const DailyConfig cfg = config.load();
  auto client = make_client(config.settings(cfg));
  return inventory_selection(cfg, opt, *client, output, json);
}

}  // namespace s3tar::cli
