// The tar-style command line shared with the Go s3tar (-c/-t/-x with -f, -C, -m, ...).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "s3tar/archive/settings/settings.h"
#include "s3tar/s3/client_config.h"

namespace s3tar::cli {

enum class Mode { None, Create, List, Extract, Verify, GenerateToc, GenerateManifest };

struct TarOptions {
  Mode mode = Mode::None;
  int verbosity = 0;
  bool debug = false;                   // --debug: every request logged (read by run_app before parsing)
  std::string archive;                  // -f s3://bucket/key.tar (--generate-manifest: s3://bucket/prefix)
  std::string directory;                // -C/--location: s3://bucket/prefix/, a local directory or file
  std::string manifest;                 // -m manifest.csv (local or s3://)
  std::vector<std::string> positional;  // create: sources; extract: member names or prefixes
  bool skip_manifest_header = false;
  bool urldecode = false;
  std::string manifest_format = "s3tar";  // s3tar (bucket,key,size[,etag]) | batch (bucket,key[,versionId])
  std::string storage_class = "STANDARD";
  uint64_t size_limit = 0;
  std::string format = "pax";
  std::string tagging;  // {"TagSet":[{"Key":..,"Value":..}]}
  std::string sse;      // AES256 | aws:kms | aws:kms:dsse
  std::string kms_key_id;
  bool skip_unreadable = false;
  uint64_t spool_limit = settings::kDefaultSpoolLimit;  // --spool-limit
  bool dry_run = false;
  bool extended = false;
  bool json = false;            // --json: the command's summary as one JSON object on stdout
  bool verify_content = false;  // verify: also compare member bytes with the sources
  std::string external_toc;
  std::string report;                 // --report FILE: JSON summary of the run
  std::optional<uint64_t> part_size;  // upload part target (default: the planner's)
  // --max-part-size (Go: MB): no part s3tar makes is bigger than this.
  std::optional<uint64_t> part_size_cap;
  // Limits for S3-compatible servers that differ from AWS.
  std::optional<uint64_t> min_part_size, max_part_size, max_object_size;
  std::optional<uint32_t> max_parts;
  unsigned concurrency = settings::kDefaultConcurrency;  // --concurrency: S3 requests in flight
  s3::ConnectionOptions connection;
  // The client, planner and executor settings of the flags above (settings_input → make_settings),
  // validated like the daily job's config. `connection` above is settings.connection.
  settings::Settings settings;
};

// The flags' values as the shared settings input (the daily job's config has its own).
settings::SettingsInput settings_input(const TarOptions& options);

// Parses argv (without the program name). Throws UsageError with a one-line message on a usage
// error. Returns nullopt when help/version was printed. `verify`: the options of `s3tar verify`.
std::optional<TarOptions> parse_tar_options(const std::vector<std::string>& args, bool verify = false);

// The help of the tar-style command line (`s3tar --help`) and of `s3tar verify --help`.
std::string tar_help();
std::string verify_help();

// "s3://bucket/key" → {bucket, key}; throws UsageError naming the flag.
struct S3Url {
  std::string bucket;
  std::string key;
};
bool is_s3_url(const std::string& s);
// --tagging {"TagSet":[{"Key":..,"Value":..}]} → pairs; throws UsageError.
std::vector<std::pair<std::string, std::string>> parse_tagging(const std::string& text);
// Also checks the bucket name as the AWS SDKs do before sending a request.
S3Url parse_s3_url(const std::string& s, const std::string& what);

}  // namespace s3tar::cli
