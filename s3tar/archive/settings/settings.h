// The one place where what a user gave (command-line flags of `s3tar -c`, or the daily job's
// config file) becomes the settings of the S3 client, the planner and the executor. Both front
// ends fill a SettingsInput and call make_settings, so a value means the same thing and is
// checked the same way whichever way it came in.
//
// Concurrency: one number C of S3 requests in flight (kDefaultConcurrency unless set) reaches
// the client (C connections, fewer to a host that throttles), the executor (C parts in flight)
// and its memory bound: at most min(8, C) upload parts assembled at once, in all the volumes
// being written together, so archive data in memory stays under min(8, C) x part size.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "s3tar/archive/exec/archive_writer.h"
#include "s3tar/archive/plan/plan.h"
#include "s3tar/s3/client_config.h"

namespace s3tar::settings {

// S3 requests in flight unless --concurrency / "concurrency" says otherwise, for `s3tar -c`/`-x`
// and the daily job alike. Why 128: a small object costs one GET of 10-30 ms on AWS, so the
// requests in flight divided by that time cap the objects per second: 16 allow 500-1,600, 128
// allow 4,000-12,000, enough for the 5,500 GETs per second S3 serves per prefix down to 23 ms per
// GET. The Go s3tar uses 100, s5cmd 256: more buys nothing S3 serves per prefix and costs one
// kept-alive connection each. A host that throttles (503 SlowDown) gets fewer at once
// (s3/http/aimd_limit.h). Memory does not grow with it beyond kUploadPartsInMemory parts.
inline constexpr unsigned kDefaultConcurrency = 128;
// Upload parts assembled in memory at once (each up to the part size), in all volumes together.
inline constexpr unsigned kUploadPartsInMemory = 8;
// Volumes the daily job writes at once when a day has several: one's last part, Complete, HEAD
// and index overlap the other's GETs. They share the upload-part memory above.
inline constexpr unsigned kVolumesInFlight = 2;
// Local disk for upload parts pushed out of that memory while a volume is written, in all the
// volumes being written together (exec/spool.h): when sources turn unreadable late in a volume,
// its rewrite reads what those parts held from this file instead of from S3. 8 GiB leaves room
// in the 20 GiB of a Fargate task's default ephemeral storage; 0 turns it off.
inline constexpr std::uint64_t kDefaultSpoolLimit = 8ULL << 30;

// Where the values came from: decides how an error names the value ("--size-limit" or
// "job.json: size_limit").
enum class Origin { Flags, ConfigFile };

struct SettingsInput {
  Origin origin = Origin::Flags;
  std::string config_name;  // the config file's name, for messages (Origin::ConfigFile)

  // Archive layout and server limits (unset: the planner's / AWS's defaults).
  std::uint64_t size_limit = 0;  // bytes per archive, 0 = none
  std::optional<std::uint64_t> part_size;
  // The largest part s3tar makes (the Go s3tar's --max-part-size), below the server's maximum:
  // assembled upload parts stay within it, and so do copied ranges (down to twice the minimum
  // part size, the least a split copy needs).
  std::optional<std::uint64_t> part_size_cap;
  std::optional<std::uint64_t> min_part_size, max_part_size, max_object_size;
  std::optional<std::uint32_t> max_parts;
  std::string format = "pax";

  // The archive object.
  std::string storage_class = "STANDARD";
  std::string sse, kms_key_id;
  bool bucket_key = false;
  std::vector<std::pair<std::string, std::string>> tags;
  bool skip_unreadable = false;
  std::uint64_t spool_limit = kDefaultSpoolLimit;  // bytes of local disk ($TMPDIR), 0 = none

  // S3 requests in flight.
  unsigned concurrency = kDefaultConcurrency;
  s3::ConnectionOptions connection;  // max_in_flight is set from `concurrency`
};

struct Settings {
  s3::ConnectionOptions connection;  // → the S3 client
  exec::WriteRequest write;          // → the planner (write.plan) and the executor (write.exec)
  unsigned volumes_in_flight = 1;    // volumes written at once (the daily job)
};

// The executor settings of each of `settings.volumes_in_flight` volumes written together: the
// upload-part memory is shared among them.
exec::WriteRequest volume_write(const Settings& settings);

// Validates the input and maps it. Throws UsageError naming the flag or config field.
Settings make_settings(const SettingsInput& input);

// Throws UsageError when `key` (an archive key or a naming template) has a "." or ".." path
// segment: tools that map keys to paths would put the archive outside its prefix.
void check_key_segments(std::string_view key, const std::string& what);

// The S3 storage classes an archive may be written in.
bool known_storage_class(const std::string& storage_class);

}  // namespace s3tar::settings
