#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

struct inflate_state;

namespace s3tar::inventory {

// Receives one CSV record: its fields (unquoted; valid until the handler returns) and its
// 1-based record number, which is the line number in an inventory file (one row per line, no
// header).
using RowHandler = std::function<void(std::span<const std::string_view> fields, std::uint64_t line)>;

// Parses CSV fed in chunks of any size: RFC 4180 with strict quoting (a quote inside an
// unquoted field, or anything but a delimiter after a closing quote, is malformed), spaces part
// of the fields, records ending in LF, CRLF or CR, blank lines skipped.
// Fields point into the fed bytes where they can (no copy); only a record split between two
// chunks, or a field with doubled quotes, is copied. Holds at most one partial record.
class CsvStream {
 public:
  CsvStream(RowHandler on_row, std::string name);
  CsvStream(const CsvStream&) = delete;
  CsvStream& operator=(const CsvStream&) = delete;

  // Throws BadRowError on malformed CSV; exceptions from the handler propagate.
  void feed(const char* data, std::size_t size);
  // Flushes a last row without a line end and checks for an unterminated quote.
  void finish();
  std::uint64_t rows() const { return rows_; }

 private:
  // Parses the complete records in [data, data + size) and returns the bytes they took; with
  // `at_end`, the end of the data ends the last record.
  std::size_t parse(const char* data, std::size_t size, bool at_end);
  // Parses one record at `p`; returns where the next one starts, or nullptr when the record is
  // not complete within [p, end).
  const char* parse_record(const char* p, const char* end, bool at_end);
  std::string_view unescape(std::size_t field, const char* begin, const char* end);
  [[noreturn]] void fail(const std::string& what) const;

  RowHandler on_row_;
  std::string name_;
  std::vector<std::string_view> fields_;
  std::deque<std::string> unescaped_;  // per field index, for fields with doubled quotes (stable)
  std::string partial_;                // a record started in an earlier chunk
  bool partial_in_quotes_ = false;     // an odd number of quotes in partial_
  std::uint64_t rows_ = 0;
};

// Inflates gzip (one or more concatenated members) fed in chunks and passes the text to a
// CsvStream. Memory stays at one inflate window, one output buffer and one row. Inflating is
// most of an inventory scan's work: ISA-L's inflate (igzip) does it in well under half the
// time zlib takes.
class GzipCsvStream {
 public:
  GzipCsvStream(RowHandler on_row, std::string name);
  ~GzipCsvStream();
  GzipCsvStream(const GzipCsvStream&) = delete;
  GzipCsvStream& operator=(const GzipCsvStream&) = delete;

  // Compressed bytes. Throws BadInputError for corrupt gzip data.
  void feed(const char* data, std::size_t size);
  // Throws BadInputError when the input ended inside a gzip member (truncated) or was empty.
  void finish();
  std::uint64_t rows() const { return csv_.rows(); }
  std::uint64_t uncompressed_bytes() const { return uncompressed_; }

 private:
  CsvStream csv_;
  std::string name_;
  std::unique_ptr<inflate_state> state_;  // ~50 KiB: inflate window and tables
  bool member_done_ = false;
  bool any_input_ = false;
  std::uint64_t uncompressed_ = 0;
  std::vector<char> out_;
};

}  // namespace s3tar::inventory
