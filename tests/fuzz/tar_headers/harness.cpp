// The tar header reader (libarchive over ranged reads) that lists archives without a TOC and
// verifies them, and the probe for a toc.csv first member: scan_headers and find_toc.
// Input: the archive bytes.
#include <cstdint>
#include <cstdlib>
#include <stdexcept>
#include <string>
#include <string_view>

#include "s3tar/archive/tar/header_scan.h"
#include "s3tar/archive/tar/toc.h"
#include "s3tar/errors.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace s3tar::tar;
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  const auto read = [&](std::uint64_t first, std::uint64_t last) {
    if (first > last || last >= bytes.size()) std::abort();  // a range outside the archive
    return std::string(bytes.substr(first, last - first + 1));
  };
  try {
    // Small chunks, so that headers straddle chunk boundaries.
    for (const auto& m : scan_headers(bytes.size(), read, "fuzz.tar", 1024))
      if (m.data_offset < m.header_offset) std::abort();
  } catch (const s3tar::Error&) {
    // BadInputError: not a tar, a bad header, a truncated member.
  }
  if (const auto toc = find_toc(bytes)) {
    if (toc->data_offset > bytes.size()) std::abort();
    try {
      parse_toc(bytes.substr(toc->data_offset, toc->size));
    } catch (const std::runtime_error&) {
    }
  }
  return 0;
}
