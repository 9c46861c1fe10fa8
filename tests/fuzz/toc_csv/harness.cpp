// toc.csv, the index inside every archive (and the external TOC): parse_toc, and the writer
// round trip: what parses renders to text that parses to the same entries, in as many bytes as
// toc_row_size says.
// Input: the CSV text.
#include <cstdint>
#include <cstdlib>
#include <stdexcept>
#include <string_view>

#include "s3tar/archive/tar/toc.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace s3tar::tar;
  std::vector<TocEntry> entries;
  try {
    entries = parse_toc(std::string_view(reinterpret_cast<const char*>(data), size));
  } catch (const std::runtime_error&) {
    return 0;  // malformed input: the documented error (toc.h)
  }
  const std::string text = render_toc_csv(entries);
  std::uint64_t expected_size = 0;
  for (const auto& e : entries) expected_size += toc_row_size(e.name, e.offset, e.size, e.etag);
  if (text.size() != expected_size) std::abort();
  if (parse_toc(text) != entries) std::abort();
  return 0;
}
