// The per-day catalog: one row per archived object, saying which archive holds it and where.
// The daily job writes it after a day's archives are verified, under
// `<report prefix>/catalog/dt=YYYY-MM-DD/part-NNNN.csv.gz` (NNNN = the shard, so the shards of
// an array job never write the same object); `s3tar find` and `s3tar restore` read it, and so
// can Athena (config/athena/). Pure: no I/O here.
//
// Format: gzip'd CSV, no header row, every field quoted (RFC 4180: inner quotes doubled), rows
// ending in "\n", columns in kColumns order. Rows are sorted by (archive_key, offset), and the
// gzip stream carries no time or name, so the same archives give the same bytes on every run.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "s3tar/archive/plan/plan.h"

namespace s3tar::catalog {

inline constexpr std::array<std::string_view, 10> kColumns = {
    "bucket",         "key",         "version_id",   "size",  "last_modified", "etag",
    "archive_bucket", "archive_key", "archive_etag", "offset"};

struct Row {
  std::string bucket, key, version_id;  // the archived source object (version_id may be empty)
  std::uint64_t size = 0;
  std::int64_t last_modified = 0;  // unix seconds; written as 2025-11-20T13:45:07Z
  std::string etag;                // the source's ETag, without quotes
  std::string archive_bucket, archive_key, archive_etag;
  std::uint64_t offset = 0;  // where the member's data starts in the archive

  bool operator==(const Row&) const = default;
};

// "2025-11-20T13:45:07Z" and back. parse_utc returns nullopt for anything else.
std::string format_utc(std::int64_t unix_seconds);
std::optional<std::int64_t> parse_utc(std::string_view text);

// The rows of one archive, from the plan of the volume as written and the archive's ETag.
std::vector<Row> rows_for_volume(const std::string& archive_bucket, const plan::Volume& volume,
                                 const std::string& archive_etag);

// The rows of one archive, from its index sidecar (`<archive>.index.json`). Gives the same rows
// as rows_for_volume for the volume the sidecar was written for. Throws BadInputError naming
// `name` when the text is not a sidecar.
std::vector<Row> rows_from_sidecar(std::string_view sidecar_json, const std::string& name);

// Sorts by (archive_bucket, archive_key, offset): the order of a catalog file.
void sort_rows(std::vector<Row>& rows);

// The CSV text (rows as given) and the gzip'd file (rows sorted first).
std::string render_csv(const std::vector<Row>& rows);
std::string render_part(std::vector<Row> rows);

// gzip with no file name and no time stamp: the same text gives the same bytes.
std::string gzip(std::string_view text);

// Reads a catalog file (gzip'd CSV) fed in chunks of any size, one row at a time. Throws
// BadInputError naming `name` and the line for a corrupt file or a malformed row.
class PartReader {
 public:
  PartReader(std::function<void(Row&&)> on_row, std::string name);
  ~PartReader();
  void feed(const char* data, std::size_t size);
  void finish();  // throws for a truncated file

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// A whole catalog file.
std::vector<Row> parse_part(std::string_view gzipped, const std::string& name);

// Where the catalog lives: "<report_prefix>/catalog/" ("catalog/" for an empty prefix).
std::string catalog_prefix(const std::string& report_prefix);
// The day's partition: "<catalog prefix>dt=2025-11-20/".
std::string partition_prefix(const std::string& report_prefix, std::string_view day);
// Shard `shard` of the day: "<partition>part-0003.csv.gz".
std::string part_key(const std::string& report_prefix, std::string_view day, std::uint32_t shard);

// The day ("2025-11-20") of a partition given by its listed common prefix (".../dt=2025-11-20/"),
// nullopt for anything else.
std::optional<std::string> partition_day(std::string_view common_prefix);

}  // namespace s3tar::catalog
