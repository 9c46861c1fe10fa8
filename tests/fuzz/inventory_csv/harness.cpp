// The inventory data-file reader as scan_inventory uses it: gzip (GzipCsvStream) feeding the CSV
// parser, every row through the row filter. And the CSV parser alone: the same text fed whole
// and in chunks must give the same rows (or the same error).
// Input: one options byte, then the data. Bit 0: the data is the gzip file itself; otherwise it
// is CSV text, gzip-compressed here so that the fuzzer reaches the CSV and row code. Bit 1: the
// four-column schema instead of the full one. Bits 2-7: the size of the chunks fed, 1-64 bytes.
#include <zlib.h>

#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "inventory/csv_gz.h"
#include "inventory/errors.h"
#include "inventory/filter.h"
#include "inventory/manifest.h"
#include "inventory/schema.h"

namespace {

using namespace s3tar::inventory;

std::string gzip(std::string_view text) {
  z_stream z{};
  // A small window and little memory: this runs once per input.
  if (deflateInit2(&z, 1, Z_DEFLATED, 9 + 16, 1, Z_DEFAULT_STRATEGY) != Z_OK) std::abort();
  std::string out(deflateBound(&z, text.size()), '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(text.data()));
  z.avail_in = static_cast<uInt>(text.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  if (deflate(&z, Z_FINISH) != Z_STREAM_END) std::abort();
  out.resize(z.total_out);
  deflateEnd(&z);
  return out;
}

// Rows as copies, each with its line number; "error at line N" ends the list on a BadRowError.
using Rows = std::vector<std::pair<std::uint64_t, std::vector<std::string>>>;

Rows parse_csv(std::string_view text, std::size_t chunk) {
  Rows rows;
  CsvStream csv(
      [&](std::span<const std::string_view> fields, std::uint64_t line) {
        rows.emplace_back(line, std::vector<std::string>(fields.begin(), fields.end()));
      },
      "fuzz.csv");
  try {
    for (std::size_t i = 0; i < text.size(); i += chunk)
      csv.feed(text.data() + i, std::min(chunk, text.size() - i));
    csv.finish();
  } catch (const BadRowError& e) {
    rows.emplace_back(e.line(), std::vector<std::string>{"error"});
  }
  return rows;
}

const ColumnMap& columns(bool short_schema) {
  static const ColumnMap full = ColumnMap::from_schema(split_schema(
      "Bucket, Key, VersionId, IsLatest, IsDeleteMarker, Size, LastModifiedDate, ETag, StorageClass, "
      "IsMultipartUploaded, ReplicationStatus, EncryptionStatus, ObjectLockRetainUntilDate, ObjectLockMode, "
      "ObjectLockLegalHoldStatus, IntelligentTieringAccessTier"));
  static const ColumnMap brief = ColumnMap::from_schema(split_schema("Bucket, Key, Size, LastModifiedDate"));
  return short_schema ? brief : full;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::uint8_t options = data[0];
  const std::string_view payload(reinterpret_cast<const char*>(data + 1), size - 1);
  const std::string file = (options & 1) ? std::string(payload) : gzip(payload);
  const std::size_t chunk = (options >> 2) + 1u;

  Filter filter;
  filter.day = boost::gregorian::date(2025, 11, 20);
  filter.exclude_prefixes = {"tmp/"};
  const RowFilter rows(columns(options & 2), filter);
  InventoryObject object;
  std::string problem, reason;
  try {
    GzipCsvStream stream(
        [&](std::span<const std::string_view> fields, std::uint64_t) {
          const Outcome outcome = rows.apply(fields, object, problem, reason);
          if (outcome == Outcome::kKept && !filter.zone.day_window(filter.day).contains(object.last_modified))
            std::abort();  // kept a row outside the day
          object = InventoryObject();
        },
        "fuzz.csv.gz");
    for (std::size_t i = 0; i < file.size(); i += chunk)
      stream.feed(file.data() + i, std::min(chunk, file.size() - i));
    stream.finish();
  } catch (const s3tar::Error&) {
    // BadInputError (corrupt gzip, malformed CSV): the documented outcome for bad bytes.
  }
  if (!(options & 1) && parse_csv(payload, payload.size() + 1) != parse_csv(payload, chunk)) std::abort();
  return 0;
}
