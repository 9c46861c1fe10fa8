#include "cli/tar/tar_options.h"

#include <CLI/CLI.hpp>
#include <iostream>
#include <nlohmann/json.hpp>

#include "s3tar/exit_codes.h"
#include "scheduler/config.h"

namespace s3tar::cli {
namespace {

// Sizes read like the job config's: K/M/G/T and KiB/MiB/... are binary, KB/MB/GB/TB decimal.
uint64_t parse_size(const std::string& text, const std::string& flag) {
  return scheduler::parse_size(text, flag);
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
    throw std::invalid_argument("--tagging must be JSON like {\"TagSet\":[{\"Key\":\"k\",\"Value\":\"v\"}]}");
  }
  return tags;
}

bool is_s3_url(const std::string& s) { return s.rfind("s3://", 0) == 0; }

S3Url parse_s3_url(const std::string& s, const std::string& what) {
  if (!is_s3_url(s)) throw std::invalid_argument(what + " must be an s3://bucket/key URL, not '" + s + "'");
  const std::string rest = s.substr(5);
  const auto slash = rest.find('/');
  S3Url u;
  u.bucket = rest.substr(0, slash);
  if (slash != std::string::npos) u.key = rest.substr(slash + 1);
  if (u.bucket.empty()) throw std::invalid_argument(what + " has no bucket: '" + s + "'");
  return u;
}

std::optional<TarOptions> parse_tar_options(const std::vector<std::string>& args, bool verify) {
  TarOptions o;
  CLI::App app{"s3tar: build tar archives inside Amazon S3 from S3 objects, without downloading them",
               "s3tar"};
  app.footer(std::string("\nExamples:\n"
                         "  s3tar -cvf s3://dest/archive.tar s3://source/prefix/\n"
                         "  s3tar -cvf s3://dest/archive.tar -m manifest.csv --storage-class DEEP_ARCHIVE\n"
                         "  s3tar -tvf s3://dest/archive.tar\n"
                         "  s3tar -xvf s3://dest/archive.tar -C s3://restore/prefix/ [member ...]\n"
                         "  s3tar verify -f s3://dest/archive.tar\n"
                         "  s3tar run --config job.json [--date YYYY-MM-DD]\n"
                         "  s3tar inventory --config job.json [--date YYYY-MM-DD] [-o manifest.csv]\n"
                         "  s3tar find --config job.json KEY|PREFIX [--from D] [--to D] [--json]\n\n") +
             exit_code_help());
  bool create = false, list = false, extract = false;
  app.add_flag("-c,--create", create, "Create an archive");
  app.add_flag("-t,--list", list, "List the members of an archive");
  app.add_flag("-x,--extract", extract, "Extract members (server-side to s3://, or to a local directory)");
  app.add_flag("-v,--verbose", o.verbosity, "More output (-v, -vv, -vvv)");
  app.add_option("-f,--file", o.archive, "The archive: s3://bucket/key.tar");
  app.add_option("-C,--directory", o.directory,
                 "Extract destination: s3://bucket/prefix/ or a local directory");
  app.add_option("-m,--manifest", o.manifest, "CSV manifest (local or s3://): bucket,key,size[,etag]");
  app.add_option("sources", o.positional, "create: s3://bucket/prefix; extract: member names or prefixes");
  app.add_flag("--skipManifestHeader,--skip-manifest-header", o.skip_manifest_header,
               "The manifest's first row is a header");
  app.add_flag("--urldecode", o.urldecode, "Manifest keys are URL-encoded (S3 Inventory style)");
  app.add_option(
         "--manifest-format", o.manifest_format,
         "s3tar (bucket,key,size[,etag]; default) or batch (S3 Batch Operations: bucket,key[,versionId])")
      ->check(CLI::IsMember({"s3tar", "batch"}));
  app.add_option("--storage-class", o.storage_class, "Storage class of the archive (default STANDARD)");
  std::string size_limit, part_size, min_part, max_part, max_object;
  app.add_option("--size-limit", size_limit,
                 "Split into archives of at most this size: K.01.tar, K.02.tar, ...");
  app.add_option("--format", o.format, "Header format: pax (default) or gnu")
      ->check(CLI::IsMember({"pax", "gnu"}));
  app.add_option("--tagging", o.tagging,
                 "Tags of the archive: {\"TagSet\":[{\"Key\":\"k\",\"Value\":\"v\"}]}");
  app.add_option("--sse,--sse-algo", o.sse, "Server-side encryption: AES256, aws:kms, aws:kms:dsse");
  app.add_option("--kms-key-id,--sse-kms-key-id", o.kms_key_id, "KMS key for aws:kms");
  app.add_flag(
      "--skip-unreadable", o.skip_unreadable,
      "Leave out sources that changed, vanished or are archived, list them, and complete the archive");
  app.add_flag("--dry-run", o.dry_run, "Print the plan (parts, requests, bytes, cost) without writing");
  app.add_flag("--extended", o.extended, "-t: print name,offset,size,etag");
  app.add_flag("--content", o.verify_content, "verify: also compare each member's bytes with its source");
  app.add_flag("--generate-toc", o.generate_toc,
               "Index a tar that has no toc.csv (writes the index to -C or stdout)");
  app.add_option("--external-toc", o.external_toc,
                 "Use this index (local or s3://) instead of the archive's toc.csv");
  app.add_option("--report", o.report, "Write a JSON report of the run to this local file");
  app.add_option("--part-size", part_size, "Target size of assembled upload parts (default 16MiB)");
  app.add_option("--min-part-size", min_part, "Server's minimum part size (default 5MiB)");
  app.add_option("--max-part-size", max_part, "Server's maximum part size (default 5GiB)");
  app.add_option("--max-parts", o.max_parts, "Server's maximum number of parts (default 10000)");
  app.add_option("--max-object-size", max_object, "Server's maximum object size (default 48.8TiB)");
  bool concat_in_memory = false;
  app.add_flag("--concat-in-memory", concat_in_memory,
               "Accepted for compatibility: small objects are always assembled in memory");

  std::string region, endpoint, profile;
  int max_attempts = 0;
  std::optional<unsigned> concurrency;
  bool path_style = false, virtual_host = false;
  app.add_option("--region", region, "AWS region (default: AWS_REGION, profile, us-east-1)");
  app.add_option("--endpoint-url,--endpointUrl", endpoint,
                 "S3 endpoint URL (default: AWS_ENDPOINT_URL_S3, AWS)");
  app.add_option("--profile", profile,
                 "Shared config profile; its credentials win over AWS_ACCESS_KEY_ID (default: "
                 "AWS_DEFAULT_PROFILE, AWS_PROFILE, default)");
  app.add_option("--max-attempts", max_attempts, "Attempts per request, including the first (default 10)");
  app.add_option("--concurrency,--goroutines", concurrency, "Requests in flight (default 64)");
  app.add_flag("--path-style", path_style, "Path-style addressing (default for custom endpoints)");
  app.add_flag("--virtual-host", virtual_host, "Virtual-hosted addressing (default for AWS)");
  app.add_flag("--no-verify-ssl", o.connection.no_verify_tls, "Do not verify TLS certificates");
  app.set_version_flag("--version", "s3tar 0.1.0");

  std::vector<std::string> reversed(args.rbegin(), args.rend());
  try {
    app.parse(reversed);
  } catch (const CLI::CallForHelp&) {
    std::cout << app.help();
    return std::nullopt;
  } catch (const CLI::CallForVersion&) {
    std::cout << "s3tar 0.1.0\n";
    return std::nullopt;
  } catch (const CLI::ParseError& e) {
    throw std::invalid_argument(e.what());
  }
  const int modes = int(create) + int(list) + int(extract);
  if (verify) {
    if (modes != 0) throw std::invalid_argument("verify takes -f s3://bucket/key.tar, not -c/-t/-x");
    o.mode = Mode::Verify;
  } else {
    if (modes != 1) throw std::invalid_argument("choose exactly one of -c (create), -t (list), -x (extract)");
    o.mode = create ? Mode::Create : list ? Mode::List : Mode::Extract;
  }
  if (o.archive.empty()) throw std::invalid_argument("-f s3://bucket/key.tar is required");
  parse_s3_url(o.archive, "-f");
  if (!size_limit.empty()) o.size_limit = parse_size(size_limit, "--size-limit");
  if (!part_size.empty()) o.part_size = parse_size(part_size, "--part-size");
  if (!min_part.empty()) o.min_part_size = parse_size(min_part, "--min-part-size");
  if (!max_part.empty()) o.max_part_size = parse_size(max_part, "--max-part-size");
  if (!max_object.empty()) o.max_object_size = parse_size(max_object, "--max-object-size");
  if (!o.kms_key_id.empty() && o.sse.empty()) o.sse = "aws:kms";
  if (path_style && virtual_host)
    throw std::invalid_argument("choose one of --path-style and --virtual-host");
  if (!region.empty()) o.connection.region = region;
  if (!endpoint.empty()) o.connection.endpoint_url = endpoint;
  if (!profile.empty()) o.connection.profile = profile;
  if (max_attempts) o.connection.max_attempts = max_attempts;
  if (concurrency) o.concurrency = *concurrency;
  if (path_style) o.connection.path_style = true;
  if (virtual_host) o.connection.path_style = false;
  if (o.mode == Mode::Create && o.manifest.empty() && o.positional.empty())
    throw std::invalid_argument("-c needs a source: s3://bucket/prefix or -m manifest.csv");
  if (o.mode == Mode::Create && !o.manifest.empty() && !o.positional.empty())
    throw std::invalid_argument("-c takes either a source prefix or -m, not both");
  if (o.mode == Mode::Extract && o.directory.empty())
    throw std::invalid_argument("-x needs -C s3://bucket/prefix/ or -C ./local-directory");
  if (o.mode == Mode::Create) settings::check_key_segments(parse_s3_url(o.archive, "-f").key, "-f");
  o.settings = settings::make_settings(settings_input(o));
  o.connection = o.settings.connection;
  return o;
}

settings::SettingsInput settings_input(const TarOptions& o) {
  settings::SettingsInput in;
  in.origin = settings::Origin::Flags;
  in.size_limit = o.size_limit;
  in.part_size = o.part_size;
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
  in.concurrency = o.concurrency;
  in.connection = o.connection;
  return in;
}

}  // namespace s3tar::cli
