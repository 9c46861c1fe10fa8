// RestoreObject, the pure parts: the request body, the tiers each archival class offers, and the
// restore state an object's x-amz-restore header reports. No I/O.
//
//   POST /key?restore  <RestoreRequest><Days>N</Days><GlacierJobParameters><Tier>T</Tier>...
//   202 Accepted: the restore started; 200 OK: already restored (the call sets the expiry
//   again); 409 RestoreAlreadyInProgress: a restore is running.
//   HEAD: x-amz-restore: ongoing-request="true" while it runs;
//         ongoing-request="false", expiry-date="Fri, 21 Dec 2012 00:00:00 GMT" once restored;
//         no header: never restored, or the restored copy expired.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace s3tar::s3 {

enum class RestoreTier { Bulk, Standard, Expedited };

// "Bulk", "Standard", "Expedited" (any case); nullopt for anything else.
std::optional<RestoreTier> parse_restore_tier(std::string_view text);
const char* to_string(RestoreTier tier);

// What a stored object needs before its bytes can be read.
enum class ArchiveAccess {
  kReadable,           // STANDARD, *_IA, GLACIER_IR, Intelligent-Tiering access tiers, ...
  kGlacier,            // GLACIER (Flexible Retrieval): a restore for N days
  kDeepArchive,        // DEEP_ARCHIVE: a restore for N days; no Expedited
  kTieringArchive,     // Intelligent-Tiering Archive Access: a restore without Days
  kTieringDeepArchive  // Intelligent-Tiering Deep Archive Access: without Days, no Expedited
};
// From HEAD's storage class and x-amz-archive-status.
ArchiveAccess archive_access(std::string_view storage_class, std::string_view archive_status);
bool needs_restore(ArchiveAccess access);
bool offers(ArchiveAccess access, RestoreTier tier);
// "DEEP_ARCHIVE", "INTELLIGENT_TIERING (Deep Archive Access)", ...
std::string describe(ArchiveAccess access);

// The RestoreObject body. Days is left out for the Intelligent-Tiering archive tiers (S3 refuses
// it there), and given otherwise.
std::string restore_request_body(ArchiveAccess access, int days, RestoreTier tier);

// What RestoreObject answered.
enum class RestoreAnswer {
  kStarted,          // 202 Accepted: the restore started
  kAlreadyRestored,  // 200 OK: a restored copy is there (its expiry was set again)
  kInProgress,       // 409 RestoreAlreadyInProgress: a restore is running
};

struct RestoreStatus {
  enum class State { kNone, kInProgress, kRestored };
  State state = State::kNone;
  std::int64_t expiry = 0;  // kRestored: unix seconds the restored copy lasts until (0: unknown)
};

// Parses x-amz-restore ("" = no header). A restored copy whose expiry is at or before `now` is
// reported as kNone: it is gone, or about to be.
RestoreStatus parse_restore_status(std::string_view header, std::int64_t now);

}  // namespace s3tar::s3
