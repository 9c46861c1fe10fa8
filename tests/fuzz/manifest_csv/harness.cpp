// The -m manifest readers: s3tar's `bucket,key,size[,etag]` and S3 Batch Operations'
// `bucket,key[,versionId]` (read_manifest_csv, read_batch_manifest_csv).
// Input: one options byte, then the CSV. Bit 0: Batch Operations format; bit 1: skip a header
// line; bit 2: keys are URL-encoded (s3tar format).
#include <cstdint>
#include <cstdlib>
#include <sstream>
#include <string>

#include "inventory/errors.h"
#include "inventory/manifest_csv.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace s3tar::inventory;
  if (size == 0) return 0;
  const std::uint8_t options = data[0];
  std::istringstream in(std::string(reinterpret_cast<const char*>(data + 1), size - 1));
  try {
    if (options & 1) {
      read_batch_manifest_csv(in, "fuzz.csv", [](BatchManifestEntry&& e) {
        if (e.bucket.empty() || e.key.empty()) std::abort();
      });
    } else {
      ManifestCsvOptions opts;
      opts.skip_header = options & 2;
      opts.url_decode = options & 4;
      read_manifest_csv(
          in, "fuzz.csv",
          [](ManifestCsvEntry&& e) {
            if (e.bucket.empty() || e.key.empty()) std::abort();
          },
          opts);
    }
  } catch (const s3tar::Error&) {
    // BadRowError and friends: the documented outcome for a bad manifest.
  }
  return 0;
}
