// `s3tar find`: which archives hold a key (or the keys under a prefix), across days. Reads the
// catalog partitions of the days asked; a day without a catalog (archived before the job wrote
// one) is read from its archives' index sidecars instead. Reads through inventory::ObjectStore,
// so it is tested on a directory tree; the S3 client implements the same interface.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "catalog/catalog.h"
#include "inventory/object_store.h"

namespace s3tar::catalog {

// A command-line KEY or PREFIX: an argument ending in "/" or "*" is a prefix (the "*" is not part
// of it), anything else an exact key.
struct KeyQuery {
  std::string text;
  bool prefix = false;
  bool matches(std::string_view key) const;
};
// Throws UsageError for an empty argument or a lone "*".
KeyQuery parse_query(std::string_view argument);

// Days as "YYYY-MM-DD"; both ends inclusive, either may be open.
struct DayRange {
  std::optional<std::string> from, to;
  bool contains(std::string_view day) const;
};
// Checks --from/--to (dates, from <= to); throws UsageError naming the flag.
DayRange parse_range(const std::optional<std::string>& from, const std::optional<std::string>& to);
// Every day from `from` to `to`, inclusive (both valid dates).
std::vector<std::string> days_between(const std::string& from, const std::string& to);

// Where the job keeps things.
struct Layout {
  std::string report_bucket, report_prefix;  // catalog and day reports
  std::string archive_bucket;
  // The key prefix under which day D's archives (and their sidecars) are, for days without a
  // catalog.
  std::function<std::string(const std::string& day)> day_archive_prefix;
};

struct FindOptions {
  std::vector<KeyQuery> queries;  // a row matching any of them is found
  DayRange range;
  std::string version_id;  // when not empty, only this version
};

struct Match {
  std::string day;  // the partition (archived day)
  Row row;
  bool from_sidecar = false;  // the day had no catalog
};

struct FindResult {
  std::vector<Match> matches;             // newest day first (see order_newest_first)
  std::vector<std::string> days;          // the days read
  std::vector<std::string> sidecar_days;  // of those, the days read from sidecars
};

// The days to read: with both --from and --to, every day between them (a day without a catalog
// or a day report may still have archives, e.g. made with `s3tar -c` under the job's naming);
// otherwise every day in the range that has a catalog partition or a day report. Throws what
// the store throws, and BadInputError for a malformed catalog file or sidecar.
FindResult find(inventory::ObjectStore& store, const Layout& layout, const FindOptions& options);

// Newest day first; within a day by key, newest LastModified first, then archive and offset.
// Drops exact duplicates (a day re-run with a different shard count leaves extra part files).
void order_newest_first(std::vector<Match>& matches);

}  // namespace s3tar::catalog
