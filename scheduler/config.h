// The daily job's configuration: a JSON file, validated strictly (unknown fields are errors)
// with one-line messages naming the field. Reference: config/README.md.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "inventory/discovery.h"
#include "s3tar/archive/settings/settings.h"
#include "s3tar/s3/client_config.h"

namespace s3tar::scheduler {

inline constexpr const char* kDefaultNaming =
    "{prefix}/{source_bucket}/{yyyy}/{mm}/{dd}/{source_bucket}-{yyyy}-{mm}-{dd}-{nnnn}.tar";

// Connection settings from the config file. Environment variables (AWS_REGION,
// AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL, AWS_MAX_ATTEMPTS, AWS_PROFILE) win over them, as with
// the AWS CLI, where a config file setting ranks below the environment.
struct ConnectionConfig {
  std::optional<std::string> region;
  std::optional<std::string> endpoint_url;
  std::optional<bool> path_style;
  std::optional<std::string> profile;
  std::optional<int> max_attempts;
};

struct DailyConfig {
  inventory::InventoryLocation inventory;  // destination bucket of the inventory + config prefix
  std::string bucket;                      // archives go here
  std::string prefix;                      // without leading or trailing "/"; may be empty
  std::string naming = kDefaultNaming;
  std::string storage_class = "DEEP_ARCHIVE";
  std::uint64_t size_limit = 0;            // bytes per archive; 0 = only the server's object size limit
  std::optional<std::uint64_t> part_size;  // target size of assembled upload parts
  std::string format = "pax";              // pax | gnu
  std::string sse;                         // "" | AES256 | aws:kms | aws:kms:dsse
  std::string kms_key_id;
  bool bucket_key = false;
  std::vector<std::pair<std::string, std::string>> tags;  // on every archive
  unsigned concurrency = settings::kDefaultConcurrency;   // S3 requests in flight
  unsigned inventory_threads = 4;                         // inventory data files read at once
  std::string time_zone = "UTC";
  std::uint64_t min_size = 1;  // keep objects of at least this many bytes
  std::vector<std::string> include_prefixes;
  std::vector<std::string> exclude_prefixes;
  std::string report_bucket;  // default: `bucket`
  std::string report_prefix;  // default: "<prefix>/_reports" ("_reports" without a prefix)
  bool skip_unreadable = true;
  std::uint64_t spool_limit = settings::kDefaultSpoolLimit;  // local disk for a volume's rewrite
  // Objects the inventory lists in an archival storage class are reported as already archived
  // and leave the exit code alone; true counts them as skipped (exit 6).
  bool count_already_archived_as_skipped = false;
  // An inventory without the ETag field cannot pin reads to what it listed: refused unless true.
  bool allow_unpinned_reads = false;
  ConnectionConfig connection;
  // Server limits, for S3-compatible servers that differ from AWS (and for tests).
  std::optional<std::uint64_t> min_part_size, max_part_size, max_object_size;
  std::optional<std::uint32_t> max_parts;
};

// "100GiB", "5 MiB", "1.5GB", "1048576", "0" -> bytes (KiB/MiB/GiB/TiB and K/M/G/T are powers of
// 1024, KB/MB/GB/TB powers of 1000). Throws UsageError naming `field`.
std::uint64_t parse_size(std::string_view text, const std::string& field);

// "s3://bucket/some/prefix" -> {bucket, "some/prefix"}. Throws UsageError naming `field`.
std::pair<std::string, std::string> parse_s3_url(std::string_view url, const std::string& field);

// Parses and validates the config. `name` (the file name) starts every error message. Throws
// inventory::ConfigError, or UsageError for values the settings (shared with the command line)
// reject.
DailyConfig parse_config(std::string_view json_text, const std::string& name = "config");
DailyConfig load_config(const std::string& path);

// The client's connection options: the config's values, except where the environment sets
// the same thing (AWS CLI precedence: flag > environment > config file).
s3::ConnectionOptions connection_options(const DailyConfig& config);

// The client, planner and executor settings of the config's values: the same mapping and
// validation as the command line's (s3tar/archive/settings).
settings::SettingsInput settings_input(const DailyConfig& config, const std::string& name = "config");
settings::Settings job_settings(const DailyConfig& config, const std::string& name = "config");

}  // namespace s3tar::scheduler
