#include "cli/tar/tar_options.h"

#include <CLI/CLI.hpp>
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/command_line.h"
#include "cli/usage.h"
#include "inventory/manifest_csv.h"
#include "s3tar/errors.h"
#include "s3tar/exit_codes.h"
#include "scheduler/config.h"

namespace s3tar::cli {
namespace {

// Values that need a second look after parsing (sizes with units, flags that pair up).
struct RawFlags {
  bool create = false, list = false, extract = false, generate_toc = false, generate_manifest = false;
  std::string size_limit, part_size, part_size_cap, min_part, server_max_part, max_object, spool_limit;
  std::string region, endpoint, profile;
  std::optional<int> max_attempts;
  std::optional<unsigned> concurrency;
  bool path_style = false, virtual_host = false, concat_in_memory = false;
};

// What --max-attempts 0 stands for: the most attempts the S3 client takes (its range is 1-100).
constexpr int kMostAttempts = 100;

// Sizes read like the job config's: K/M/G/T and KiB/MiB/... are binary, KB/MB/GB/TB decimal.
uint64_t parse_size(const std::string& text, const std::string& flag) {
  return scheduler::parse_size(text, flag);
}

// --max-part-size as the Go s3tar reads it: a bare number is MiB (its "MB" is 1024 * 1024
// bytes), from 5 to 5120 (5 GiB, S3's largest part); a number with a unit is that size.
uint64_t parse_part_size_cap(const std::string& text) {
  const bool bare = !text.empty() && text.find_first_not_of("0123456789") == std::string::npos;
  const uint64_t bytes =
      bare ? parse_size(text + "MiB", "--max-part-size") : parse_size(text, "--max-part-size");
  if (bytes < 5 * s3::kMiB || bytes > 5 * s3::kGiB)
    throw UsageError("--max-part-size must be from 5 to 5120 (MiB), not '" + text + "'");
  return bytes;
}

// The options every command that reads or writes S3 takes: connection, verbosity, --json.
void add_common_options(CLI::App& app, TarOptions& o, RawFlags& f) {
  app.add_flag("-v,--verbose", o.verbosity, "More log output (-v, -vv, -vvv)")->group("Output");
  app.add_flag("--debug", o.debug,
               "Log every S3 request (method, path, status, request id, milliseconds; never a "
               "credential) and every retry")
      ->group("Output");
  app.add_flag("--json", o.json, "Print the command's summary as one JSON object on stdout")->group("Output");
  const char* conn = "Connection (as the AWS CLI: flags, then environment, then profile)";
  app.add_option("--region", f.region, "AWS region (default: AWS_REGION, profile, us-east-1)")->group(conn);
  app.add_option("--endpoint-url,--endpointUrl", f.endpoint,
                 "S3 endpoint URL (default: AWS_ENDPOINT_URL_S3, AWS)")
      ->group(conn);
  app.add_option("--profile", f.profile,
                 "Shared config profile; its credentials win over AWS_ACCESS_KEY_ID (default: "
                 "AWS_DEFAULT_PROFILE, AWS_PROFILE, default)")
      ->group(conn);
  app.add_option("--max-attempts", f.max_attempts,
                 "Attempts per request, including the first; 0 = the most allowed, 100 (default 10, "
                 "AWS_MAX_ATTEMPTS)")
      ->group(conn);
  app.add_option("--concurrency,--goroutines", f.concurrency,
                 "Requests in flight (default " + std::to_string(settings::kDefaultConcurrency) + ")")
      ->group(conn);
  app.add_flag("--path-style", f.path_style, "Path-style addressing (default for custom endpoints)")
      ->group(conn);
  app.add_flag("--virtual-host", f.virtual_host, "Virtual-hosted addressing (default for AWS)")->group(conn);
  app.add_flag("--no-verify-ssl", o.connection.no_verify_tls, "Do not verify TLS certificates")->group(conn);
}

void add_tar_options(CLI::App& app, TarOptions& o, RawFlags& f) {
  const char* mode = "Mode (exactly one)";
  app.add_flag("-c,--create", f.create, "Create an archive from a prefix or a manifest")->group(mode);
  app.add_flag("-t,--list", f.list, "List the members of an archive")->group(mode);
  app.add_flag("-x,--extract", f.extract, "Extract members (server-side to s3://, or to a local directory)")
      ->group(mode);
  app.add_flag("--generate-toc", f.generate_toc,
               "Index a tar that has no toc.csv: write name,offset,size,etag to -C FILE (or stdout)")
      ->group(mode);
  app.add_flag("--generate-manifest", f.generate_manifest,
               "List -f s3://bucket/prefix and write bucket,key,size,etag to -C FILE (or stdout)")
      ->group(mode);
  const char* where = "Archive and locations";
  app.add_option("-f,--file", o.archive, "The archive: s3://bucket/key.tar")->group(where);
  app.add_option("-C,--location,--directory", o.directory,
                 "Extract destination (s3://bucket/prefix/ or a local directory); output file of "
                 "--generate-toc and --generate-manifest")
      ->group(where);
  app.add_option("sources", o.positional, "create: s3://bucket/prefix; extract: member names or prefixes");

  const char* create = "Create";
  app.add_option("-m,--manifest", o.manifest, "CSV manifest (local or s3://): bucket,key,size[,etag]")
      ->group(create);
  app.add_flag("--skipManifestHeader,--skip-manifest-header", o.skip_manifest_header,
               "The manifest's first row is a header")
      ->group(create);
  app.add_flag("--urldecode", o.urldecode, "Manifest keys are URL-encoded (S3 Inventory style)")
      ->group(create);
  app.add_option(
         "--manifest-format", o.manifest_format,
         "s3tar (bucket,key,size[,etag]; default) or batch (S3 Batch Operations: bucket,key[,versionId])")
      ->check(CLI::IsMember({"s3tar", "batch"}))
      ->group(create);
  app.add_option("--storage-class", o.storage_class,
                 "Storage class of the archive: STANDARD (default), STANDARD_IA, ONEZONE_IA, "
                 "INTELLIGENT_TIERING, GLACIER, DEEP_ARCHIVE, GLACIER_IR, ...")
      ->group(create);
  app.add_option("--size-limit", f.size_limit,
                 "Split into archives of at most this size (bytes, 500MB, 10GiB): K.00.tar, K.01.tar, ...")
      ->group(create);
  app.add_option("--format", o.format, "Header format: pax (default) or gnu")
      ->check(CLI::IsMember({"pax", "gnu"}))
      ->group(create);
  app.add_option("--tagging", o.tagging,
                 "Tags of the archive: {\"TagSet\":[{\"Key\":\"k\",\"Value\":\"v\"}]}")
      ->group(create);
  app.add_option("--sse,--sse-algo", o.sse, "Server-side encryption: AES256, aws:kms, aws:kms:dsse")
      ->group(create);
  app.add_option("--kms-key-id,--sse-kms-key-id", o.kms_key_id, "KMS key for aws:kms")->group(create);
  app.add_flag("--skip-unreadable", o.skip_unreadable,
               "Leave out sources that changed, vanished or are archived, list them, complete the archive")
      ->group(create);
  app.add_option("--spool-limit", f.spool_limit,
                 "Local disk ($TMPDIR) for parts a rewrite after unreadable sources reads back "
                 "instead of S3 (default 8GiB, 0 = none)")
      ->group(create);
  app.add_flag("--dry-run", o.dry_run,
               "Check everything the run would, print the plan (parts, requests, bytes, cost); write nothing")
      ->group(create);
  app.add_option("--report", o.report, "Write a JSON report of the run to this local file")->group(create);
  app.add_flag("--concat-in-memory", f.concat_in_memory,
               "Accepted for compatibility: small objects are always assembled in memory")
      ->group(create);

  const char* read = "List and extract";
  app.add_flag("--extended", o.extended, "-t: print name,offset,size,etag")->group(read);
  app.add_option("--external-toc", o.external_toc,
                 "Use this index (local or s3://) instead of the archive's toc.csv")
      ->group(read);

  const char* limits = "Parts and server limits";
  app.add_option("--max-part-size", f.part_size_cap,
                 "Largest part s3tar makes, in MiB as the Go s3tar's MB (5-5120), or a size (64MiB)")
      ->group(limits);
  app.add_option("--part-size", f.part_size, "Target size of assembled upload parts (default 16MiB)")
      ->group(limits);
  app.add_option("--min-part-size", f.min_part, "Server's minimum part size (default 5MiB)")->group(limits);
  app.add_option("--server-max-part-size", f.server_max_part, "Server's maximum part size (default 5GiB)")
      ->group(limits);
  app.add_option("--max-parts", o.max_parts, "Server's maximum number of parts (default 10000)")
      ->group(limits);
  app.add_option("--max-object-size", f.max_object, "Server's maximum object size (default 48.8TiB)")
      ->group(limits);
}

// The sizes, connection flags and the settings every mode needs.
void finish_common(TarOptions& o, const RawFlags& f) {
  if (!f.size_limit.empty()) o.size_limit = parse_size(f.size_limit, "--size-limit");
  if (!f.part_size.empty()) o.part_size = parse_size(f.part_size, "--part-size");
  if (!f.part_size_cap.empty()) o.part_size_cap = parse_part_size_cap(f.part_size_cap);
  if (!f.min_part.empty()) o.min_part_size = parse_size(f.min_part, "--min-part-size");
  if (!f.server_max_part.empty()) o.max_part_size = parse_size(f.server_max_part, "--server-max-part-size");
  if (!f.max_object.empty()) o.max_object_size = parse_size(f.max_object, "--max-object-size");
  if (!f.spool_limit.empty()) o.spool_limit = parse_size(f.spool_limit, "--spool-limit");
  if (!o.kms_key_id.empty() && o.sse.empty()) o.sse = "aws:kms";
  if (f.path_style && f.virtual_host) throw UsageError("choose one of --path-style and --virtual-host");
  if (!f.region.empty()) o.connection.region = f.region;
  if (!f.endpoint.empty()) o.connection.endpoint_url = f.endpoint;
  if (!f.profile.empty()) o.connection.profile = f.profile;
  // The Go s3tar's 0 means "no limit"; a job that must end gets the client's most instead.
  if (f.max_attempts) o.connection.max_attempts = *f.max_attempts == 0 ? kMostAttempts : *f.max_attempts;
  if (f.concurrency) o.concurrency = *f.concurrency;
  if (f.path_style) o.connection.path_style = true;
  if (f.virtual_host) o.connection.path_style = false;
  o.settings = settings::make_settings(settings_input(o));
  o.connection = o.settings.connection;
}

Mode choose_mode(const RawFlags& f) {
  // -t --generate-toc is the older spelling of --generate-toc.
  const bool toc = f.generate_toc;
  const int modes =
      int(f.create) + int(f.list && !toc) + int(f.extract) + int(toc) + int(f.generate_manifest);
  if (modes == 0)
    throw UsageError(
        "choose one of -c (create), -t (list), -x (extract), --generate-toc, --generate-manifest; "
        "see s3tar --help");
  if (modes > 1) throw UsageError("choose only one of -c, -t, -x, --generate-toc and --generate-manifest");
  if (f.create) return Mode::Create;
  if (f.extract) return Mode::Extract;
  if (toc) return Mode::GenerateToc;
  if (f.generate_manifest) return Mode::GenerateManifest;
  return Mode::List;
}

void check_mode_arguments(const TarOptions& o) {
  if (o.archive.empty()) {
    throw UsageError(o.mode == Mode::GenerateManifest ? "--generate-manifest needs -f s3://bucket/prefix"
                                                      : "-f s3://bucket/key.tar is required");
  }
  const S3Url archive = parse_s3_url(o.archive, "-f");
  switch (o.mode) {
    case Mode::Create:
      if (archive.key.empty()) throw UsageError("-f needs an object key: s3://bucket/key.tar");
      if (o.manifest.empty() && o.positional.empty())
        throw UsageError("-c needs a source: s3://bucket/prefix or -m manifest.csv");
      if (!o.manifest.empty() && !o.positional.empty())
        throw UsageError("-c takes either a source prefix or -m, not both");
      for (const auto& src : o.positional) parse_s3_url(src, "the source");
      if (is_s3_url(o.manifest)) parse_s3_url(o.manifest, "-m");
      settings::check_key_segments(archive.key, "-f");
      break;
    case Mode::Extract:
      if (o.directory.empty()) throw UsageError("-x needs -C s3://bucket/prefix/ or -C ./local-directory");
      if (is_s3_url(o.directory)) parse_s3_url(o.directory, "-C");
      break;
    case Mode::GenerateToc:
    case Mode::GenerateManifest:
      if (is_s3_url(o.directory)) throw UsageError("-C must be a local file here, not " + o.directory);
      if (o.json && o.directory.empty())
        throw UsageError("--json needs -C FILE here: without it the index itself goes to stdout");
      break;
    default:
      break;
  }
  if (is_s3_url(o.external_toc)) parse_s3_url(o.external_toc, "--external-toc");
}

void build_tar_app(CLI::App& app, TarOptions& o, RawFlags& f) {
  add_tar_options(app, o, f);
  add_common_options(app, o, f);
  app.set_version_flag("-V,--print-version,--version", version_line());
  app.formatter(usage_formatter(kTarUsage));
  app.footer(std::string("\n") + kTarExamples + "\n" + exit_code_help());
}

void build_verify_app(CLI::App& app, TarOptions& o, RawFlags& f) {
  app.add_option("-f,--file", o.archive, "The archive: s3://bucket/key.tar")->required();
  app.add_flag("--content", o.verify_content, "Also compare each member's bytes with its source object");
  add_common_options(app, o, f);
  app.formatter(usage_formatter(kVerifyUsage));
  app.footer(std::string("\n") + exit_code_help());
}

}  // namespace

std::vector<std::pair<std::string, std::string>> parse_tagging(const std::string& text) {
  std::vector<std::pair<std::string, std::string>> tags;
  if (text.empty()) return tags;
  try {
    const auto j = nlohmann::json::parse(text);
    for (const auto& t : j.at("TagSet"))
      tags.emplace_back(t.at("Key").get<std::string>(), t.at("Value").get<std::string>());
  } catch (const nlohmann::json::exception&) {
    throw UsageError("--tagging must be JSON like {\"TagSet\":[{\"Key\":\"k\",\"Value\":\"v\"}]}");
  }
  return tags;
}

bool is_s3_url(const std::string& s) { return s.rfind("s3://", 0) == 0; }

S3Url parse_s3_url(const std::string& s, const std::string& what) {
  if (!is_s3_url(s)) throw UsageError(what + " must be an s3://bucket/key URL, not '" + s + "'");
  const std::string rest = s.substr(5);
  const auto slash = rest.find('/');
  S3Url u;
  u.bucket = rest.substr(0, slash);
  if (slash != std::string::npos) u.key = rest.substr(slash + 1);
  if (u.bucket.empty()) throw UsageError(what + " has no bucket: '" + s + "'");
  if (!inventory::valid_bucket_name(u.bucket))
    throw UsageError(what + ": '" + u.bucket +
                     "' is not a valid bucket name (1-255 letters, digits, '.', '-' or '_')");
  return u;
}

std::optional<TarOptions> parse_tar_options(const std::vector<std::string>& args, bool verify) {
  TarOptions o;
  RawFlags f;
  CLI::App app{verify ? kVerifyDescription : kTarDescription, verify ? "s3tar verify" : "s3tar"};
  if (verify) {
    build_verify_app(app, o, f);
  } else {
    build_tar_app(app, o, f);
  }
  if (!verify && args.empty())
    throw UsageError("no command given: try s3tar --help (or -cf, -tf, -xf, verify, run, inventory)");
  if (!parse_command_line(app, args)) return std::nullopt;
  o.mode = verify ? Mode::Verify : choose_mode(f);
  check_mode_arguments(o);
  finish_common(o, f);
  return o;
}

std::string tar_help() {
  TarOptions o;
  RawFlags f;
  CLI::App app{kTarDescription, "s3tar"};
  build_tar_app(app, o, f);
  return app.help();
}

std::string verify_help() {
  TarOptions o;
  RawFlags f;
  CLI::App app{kVerifyDescription, "s3tar verify"};
  build_verify_app(app, o, f);
  return app.help();
}

settings::SettingsInput settings_input(const TarOptions& o) {
  settings::SettingsInput in;
  in.origin = settings::Origin::Flags;
  in.size_limit = o.size_limit;
  in.part_size = o.part_size;
  in.part_size_cap = o.part_size_cap;
  in.min_part_size = o.min_part_size;
  in.max_part_size = o.max_part_size;
  in.max_parts = o.max_parts;
  in.max_object_size = o.max_object_size;
  in.format = o.format;
  in.storage_class = o.storage_class;
  in.sse = o.sse;
  in.kms_key_id = o.kms_key_id;
  in.tags = parse_tagging(o.tagging);
  in.skip_unreadable = o.skip_unreadable;
  in.spool_limit = o.spool_limit;
  in.concurrency = o.concurrency;
  in.connection = o.connection;
  return in;
}

}  // namespace s3tar::cli
