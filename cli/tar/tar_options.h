// The tar-style command line shared with the Go s3tar (-c/-t/-x with -f, -C, -m, ...).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "s3tar/archive/settings/settings.h"
#include "s3tar/s3/client_config.h"

namespace s3tar::cli {

enum class Mode { None, Create, List, Extract, Verify };

struct TarOptions {
  Mode mode = Mode::None;
  int verbosity = 0;
  std::string archive;                  // -f s3://bucket/key.tar
  std::string directory;                // -C s3://bucket/prefix/ or a local directory
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
  bool dry_run = false;
  bool extended = false;
  bool verify_content = false;  // verify: also compare member bytes with the sources
  bool generate_toc = false;
  std::string external_toc;
  std::string report;                 // --report FILE: JSON summary of the run
  std::optional<uint64_t> part_size;  // upload part target (default: the planner's)
  // Limits for S3-compatible servers that differ from AWS.
  std::optional<uint64_t> min_part_size, max_part_size, max_object_size;
  std::optional<uint32_t> max_parts;
  unsigned concurrency = 64;  // --concurrency: S3 requests in flight
  s3::ConnectionOptions connection;
  // The client, planner and executor settings of the flags above (settings_input → make_settings),
  // validated like the daily job's config. `connection` above is settings.connection.
  settings::Settings settings;
};

// The flags' values as the shared settings input (the daily job's config has its own).
settings::SettingsInput settings_input(const TarOptions& options);

// Parses argv (without the program name). Throws CLI-style std::invalid_argument with a
// one-line message on a usage error. Returns nullopt when help/version was printed.
std::optional<TarOptions> parse_tar_options(const std::vector<std::string>& args, bool verify = false);

// "s3://bucket/key" → {bucket, key}; throws std::invalid_argument naming the flag.
struct S3Url {
  std::string bucket;
  std::string key;
};
bool is_s3_url(const std::string& s);
// --tagging {"TagSet":[{"Key":..,"Value":..}]} → pairs; throws std::invalid_argument.
std::vector<std::pair<std::string, std::string>> parse_tagging(const std::string& text);
S3Url parse_s3_url(const std::string& s, const std::string& what);

}  // namespace s3tar::cli
