#pragma once

#include <cstdint>
#include <functional>
#include <iosfwd>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "inventory/filter.h"

namespace s3tar::inventory {

// RFC 4180 quoting: the field is wrapped in double quotes (inner quotes doubled) when it holds
// a comma, a quote, CR, LF, or leading/trailing spaces; otherwise it is returned as is.
std::string csv_field(std::string_view value);

// S3 bucket names as the AWS SDKs check them before sending a request: 1-255 letters, digits,
// '.', '-', '_'.
bool valid_bucket_name(std::string_view bucket);

// Writes s3tar manifest CSV lines: `bucket,key,size,etag`, no header, keys raw (not encoded),
// lines ending in "\n".
class ManifestCsvWriter {
 public:
  explicit ManifestCsvWriter(std::ostream& out) : out_(out) {}
  void write(const InventoryObject& object);
  void write(std::string_view bucket, std::string_view key, std::uint64_t size, std::string_view etag);

 private:
  std::ostream& out_;
};

// One line of an s3tar manifest (`bucket,key,size[,etag[,last_modified]]`).
struct ManifestCsvEntry {
  std::string bucket;
  std::string key;
  std::uint64_t size = 0;
  std::string etag;  // empty when the line has no etag column
  // Unix seconds, from an ISO 8601 UTC time like S3 Inventory's LastModifiedDate
  // ("2025-11-20T13:45:07.000Z"); absent when the line has no (or an empty) fifth column.
  std::optional<std::int64_t> last_modified;

  bool operator==(const ManifestCsvEntry&) const = default;
};

struct ManifestCsvOptions {
  bool skip_header = false;  // the first line is a header
  bool url_decode = false;   // keys are form-encoded like inventory keys
};

// Reads an s3tar manifest CSV (RFC 4180; a leading UTF-8 byte order mark is ignored). Throws
// BadRowError (with `name` and the line) for rows with a wrong column count, an empty or invalid
// bucket name, an empty key or one over S3's 1,024 bytes, a bad size, an overlong ETag, a
// last_modified that is not an ISO 8601 UTC time, or an object listed on an earlier row. Messages quote at
// most the start of a long field.
void read_manifest_csv(std::istream& in, const std::string& name,
                       const std::function<void(ManifestCsvEntry&&)>& on_entry,
                       const ManifestCsvOptions& options = {});
std::vector<ManifestCsvEntry> read_manifest_csv(std::istream& in, const std::string& name,
                                                const ManifestCsvOptions& options = {});

// One line of an S3 Batch Operations CSV manifest (`bucket,key[,versionId]`).
struct BatchManifestEntry {
  std::string bucket;
  std::string key;         // decoded
  std::string version_id;  // empty when absent

  bool operator==(const BatchManifestEntry&) const = default;
};

// Reads an S3 Batch Operations CSV manifest. Keys are URL-encoded there; they are decoded like
// inventory keys (`%XX` is a byte, `+` a space), which is also what makes an inventory-derived
// manifest round-trip. Throws BadRowError like read_manifest_csv (an object is the same when
// bucket, key and version id are).
void read_batch_manifest_csv(std::istream& in, const std::string& name,
                             const std::function<void(BatchManifestEntry&&)>& on_entry);
std::vector<BatchManifestEntry> read_batch_manifest_csv(std::istream& in, const std::string& name);

}  // namespace s3tar::inventory
