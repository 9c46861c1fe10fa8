#pragma once

#include <boost/date_time/gregorian/gregorian_types.hpp>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "inventory/schema.h"
#include "inventory/timezone.h"

namespace s3tar::inventory {

// One object selected from the inventory.
struct InventoryObject {
  std::string bucket;
  std::string key;         // form-decoded
  std::string version_id;  // empty for current-only reports and null-version objects
  std::uint64_t size = 0;
  std::int64_t last_modified = 0;  // unix seconds (UTC)
  std::string etag;                // as in the report (no quotes; "-N" for multipart)
  std::string storage_class;

  bool operator==(const InventoryObject&) const = default;
};

// What the daily job keeps.
struct Filter {
  boost::gregorian::date day;  // D: keep LastModified in [D 00:00, D+1 00:00) in `zone`
  TimeZone zone = TimeZone::utc();
  std::uint64_t min_size = 0;                      // keep size > min_size
  std::vector<std::string> include_prefixes = {};  // when non-empty, the key must start with one
  std::vector<std::string> exclude_prefixes = {};  // a key starting with one is dropped
  // When set, a row of another bucket is a bad row: a report lists one source bucket (the
  // manifest's sourceBucket), so such a row means the report is not what it claims to be.
  std::string source_bucket = {};
};

// Why a row was not kept. Each dropped row counts under exactly one reason, checked in this
// order: bad row, delete marker, not latest, excluded prefix, outside date, too small,
// archived class.
enum class Outcome {
  kKept,
  kBadRow,
  kDeleteMarker,
  kNotLatest,
  kExcludedPrefix,
  kOutsideDate,
  kTooSmall,
  kArchivedClass
};

// "kept", "bad_row", "delete_marker", "not_latest", "excluded_prefix", "outside_date",
// "too_small", "archived_class".
const char* to_string(Outcome outcome);

// Why a storage class cannot be copied without a restore, or empty when it can: GLACIER,
// DEEP_ARCHIVE, and INTELLIGENT_TIERING in the ARCHIVE or DEEP_ARCHIVE access tier.
std::string unreadable_reason(std::string_view storage_class, std::string_view access_tier);

// "2025-11-20T13:45:07.000Z" -> unix seconds (fraction dropped). False when malformed.
bool parse_timestamp(std::string_view text, std::int64_t& out);

// Decimal digits only, no sign, fits in 64 bits.
bool parse_size(std::string_view text, std::uint64_t& out);

// Classifies inventory rows. Immutable: one filter serves every worker thread.
class RowFilter {
 public:
  RowFilter(const ColumnMap& columns, const Filter& filter);

  // Fills `object` for kKept and kArchivedClass (reusing its strings' memory; other outcomes
  // leave it in an unspecified state), `problem` for kBadRow and `not_archivable_reason` for
  // kArchivedClass (it must be empty on entry).
  Outcome apply(std::span<const std::string_view> fields, InventoryObject& object, std::string& problem,
                std::string& not_archivable_reason) const;

  const TimeWindow& window() const { return window_; }

 private:
  ColumnMap columns_;
  std::uint64_t min_size_;
  std::vector<std::string> include_, exclude_;
  std::string source_bucket_;
  TimeWindow window_;
};

}  // namespace s3tar::inventory
