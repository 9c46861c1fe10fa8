#pragma once

#include <csv.h>
#include <zlib.h>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <vector>

namespace s3tar::inventory {

// Receives one CSV record: its fields (unquoted) and its 1-based record number, which is the
// line number in an inventory file (one row per line, no header).
using RowHandler = std::function<void(std::span<const std::string> fields, std::uint64_t line)>;

// Parses CSV (RFC 4180, strict quoting; spaces are part of fields) fed in chunks of any size.
// Holds one row at a time.
class CsvStream {
 public:
  CsvStream(RowHandler on_row, std::string name);
  ~CsvStream();
  CsvStream(const CsvStream&) = delete;
  CsvStream& operator=(const CsvStream&) = delete;

  // Throws BadRowError on malformed CSV; exceptions from the handler propagate.
  void feed(const char* data, std::size_t size);
  // Flushes a last row without a line end and checks for an unterminated quote.
  void finish();
  std::uint64_t rows() const { return rows_; }

 private:
  static void on_field(void* data, std::size_t len, void* self);
  static void on_record(int c, void* self);
  [[noreturn]] void fail();

  csv_parser parser_{};
  RowHandler on_row_;
  std::string name_;
  std::vector<std::string> fields_;
  std::size_t field_count_ = 0;
  std::uint64_t rows_ = 0;
};

// Inflates gzip (one or more concatenated members) fed in chunks and passes the text to a
// CsvStream. Memory stays at one inflate window, one output buffer and one row.
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
  z_stream z_{};
  bool member_done_ = false;
  bool any_input_ = false;
  std::uint64_t uncompressed_ = 0;
  std::vector<char> out_;
};

}  // namespace s3tar::inventory
