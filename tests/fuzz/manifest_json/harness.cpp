// manifest.json of an S3 Inventory report: parse_manifest (and the checksum comparison).
// Input: the JSON text.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "inventory/errors.h"
#include "inventory/manifest.h"
#include "inventory/schema.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace s3tar::inventory;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  try {
    const Manifest m = parse_manifest(text);
    // A manifest that parsed has what the reader relies on.
    if (m.source_bucket.empty() || m.destination_bucket.empty() || m.file_schema.empty()) std::abort();
    for (const auto& f : m.files)
      if (f.key.empty() || f.md5.size() != 32) std::abort();
    ColumnMap::from_schema(m.file_schema);  // validated by parse_manifest: must not throw now
  } catch (const s3tar::Error&) {
    // BadInputError / UnsupportedFormatError: the documented outcome for a bad manifest.
  }
  try {
    verify_manifest_checksum(text, text.substr(0, 40));
  } catch (const ChecksumMismatchError&) {
  }
  return 0;
}
