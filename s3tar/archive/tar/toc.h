// toc.csv: the index written as the first member of every archive, compatible with the Go s3tar:
// no header row, one row per member in archive order: name,offset,size,etag where name is the
// exact object key and offset is the byte offset of the member's DATA in the archive. Fields are
// quoted (RFC 4180) only when needed; rows end with "\n".
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace s3tar::tar {

inline constexpr std::string_view kTocName = "toc.csv";

struct TocEntry {
  std::string name;  // exact object key
  std::uint64_t offset = 0;
  std::uint64_t size = 0;
  std::string etag;

  bool operator==(const TocEntry&) const = default;
};

// Bytes one CSV row takes (including the newline).
std::uint64_t toc_row_size(std::string_view name, std::uint64_t offset, std::uint64_t size,
                           std::string_view etag);
// toc_row_size() in two terms: the bytes of everything but the offset (given the ETag field's
// size, csv_field_size() of its text), and the offset's. The planner sizes a volume's rows once
// and then only their offsets, which move as toc.csv grows.
std::uint64_t toc_row_size_but_offset(std::string_view name, std::uint64_t size,
                                      std::uint64_t etag_field_size);
std::uint64_t toc_offset_size(std::uint64_t offset);
// Bytes `field` takes in a row: quoted (and its quotes doubled) when it must be.
std::uint64_t csv_field_size(std::string_view field);
void append_toc_row(std::string& out, std::string_view name, std::uint64_t offset, std::uint64_t size,
                    std::string_view etag);
std::string render_toc_csv(const std::vector<TocEntry>& entries);

// Parses toc.csv text (also accepts CRLF and a missing final newline). Throws BadInputError
// (s3tar/errors.h) on malformed input.
std::vector<TocEntry> parse_toc(std::string_view csv);

}  // namespace s3tar::tar
