#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "inventory/discovery.h"
#include "inventory/filter.h"
#include "inventory/manifest.h"
#include "inventory/object_store.h"
#include "s3tar/archive/plan/member.h"

namespace s3tar::inventory {

// An object the filter selected but that cannot be archived without a restore.
struct NotArchivable {
  InventoryObject object;
  std::string reason;
};

// A row that could not be parsed.
struct BadRow {
  std::string file_key;
  std::uint64_t line = 0;
  std::string problem;
};

struct FileSummary {
  std::string key;
  std::uint64_t rows = 0;
  std::uint64_t kept = 0;
  std::uint64_t bytes_kept = 0;
};

struct Summary {
  std::uint64_t rows_read = 0;
  std::uint64_t kept = 0;
  std::uint64_t bytes_kept = 0;
  // Dropped rows by reason.
  std::uint64_t too_small = 0;
  std::uint64_t outside_date = 0;
  std::uint64_t not_latest = 0;
  std::uint64_t delete_marker = 0;
  std::uint64_t archived_class = 0;  // also listed as NotArchivable
  std::uint64_t excluded_prefix = 0;
  std::uint64_t bad_rows = 0;  // only with BadRowPolicy::kSkip
  std::uint64_t bytes_not_archivable = 0;
  std::vector<FileSummary> files;  // manifest order

  // The counter for `outcome` (kKept -> kept).
  std::uint64_t count(Outcome outcome) const;
};

enum class BadRowPolicy {
  kFail,  // the first bad row (in manifest order) fails the run with BadRowError
  kSkip,  // bad rows are counted, reported through on_bad_row and skipped
};

struct ReadOptions {
  unsigned threads = 4;  // data files read at once (at least 1)
  BadRowPolicy bad_rows = BadRowPolicy::kFail;
};

// Output of scan_inventory(), called on the calling thread in a deterministic order: data files
// in manifest order, rows in file order. A file's output is only delivered after its size and
// MD5 have been verified. Unset callbacks are skipped. Kept objects come as the planner's
// compact members (the storage class, readable by then, is not kept): a day selects millions,
// so they come a data file's worth at a time, not one call per object (never an empty vector;
// the callee owns it).
struct InventoryCallbacks {
  std::function<void(std::vector<plan::Member>&&)> on_objects;
  std::function<void(NotArchivable&&)> on_not_archivable;
  std::function<void(const BadRow&)> on_bad_row;
};

// Streams every data file of `manifest` from `bucket`, checking each file's size and MD5,
// and filters the rows. Throws BadInputError or a subclass (ChecksumMismatchError,
// BadRowError, corrupt gzip) for the first failing file in manifest order, StoreError when
// the store fails, ConfigError for a filter without a date. Output delivered before the
// error stays delivered.
Summary scan_inventory(ObjectStore& store, const std::string& bucket, const Manifest& manifest,
                       const Filter& filter, const InventoryCallbacks& callbacks,
                       const ReadOptions& options = {});

// Everything scan_inventory() delivers, collected.
struct InventoryResult {
  std::vector<plan::Member> objects;  // manifest order, then row order
  std::vector<NotArchivable> not_archivable;
  std::vector<BadRow> bad_rows;
  Summary summary;
};

InventoryResult read_inventory(ObjectStore& store, const std::string& bucket, const Manifest& manifest,
                               const Filter& filter, const ReadOptions& options = {});

// Reads the data files of a report found by find_report().
InventoryResult read_inventory(ObjectStore& store, const Report& report, const Filter& filter,
                               const ReadOptions& options = {});

}  // namespace s3tar::inventory
