#include "inventory/csv_gz.h"

#include <algorithm>

#include "inventory/errors.h"

namespace s3tar::inventory {

CsvStream::CsvStream(RowHandler on_row, std::string name)
    : on_row_(std::move(on_row)), name_(std::move(name)) {
  if (csv_init(&parser_, CSV_STRICT | CSV_STRICT_FINI) != 0) throw std::bad_alloc();
  // RFC 4180: spaces are part of a field. libcsv trims spaces and tabs around unquoted fields
  // by default, which turned `src, lead.txt` into the key "lead.txt".
  csv_set_space_func(&parser_, [](unsigned char) { return 0; });
}

CsvStream::~CsvStream() { csv_free(&parser_); }

void CsvStream::on_field(void* data, std::size_t len, void* self) {
  auto* s = static_cast<CsvStream*>(self);
  if (s->field_count_ == s->fields_.size()) s->fields_.emplace_back();
  auto& f = s->fields_[s->field_count_++];
  if (data) {
    f.assign(static_cast<const char*>(data), len);
  } else {
    f.clear();
  }
}

void CsvStream::on_record(int /*c*/, void* self) {
  auto* s = static_cast<CsvStream*>(self);
  ++s->rows_;
  const std::size_t n = s->field_count_;
  s->field_count_ = 0;
  s->on_row_(std::span<const std::string>(s->fields_.data(), n), s->rows_);
}

void CsvStream::fail() {
  throw BadRowError(name_, rows_ + 1, std::string("malformed CSV: ") + csv_strerror(csv_error(&parser_)));
}

void CsvStream::feed(const char* data, std::size_t size) {
  if (csv_parse(&parser_, data, size, &CsvStream::on_field, &CsvStream::on_record, this) != size) fail();
}

void CsvStream::finish() {
  if (csv_fini(&parser_, &CsvStream::on_field, &CsvStream::on_record, this) != 0) fail();
}

GzipCsvStream::GzipCsvStream(RowHandler on_row, std::string name)
    : csv_(std::move(on_row), name), name_(std::move(name)), out_(256 << 10) {
  // 15 + 16: gzip wrapper only.
  if (inflateInit2(&z_, 15 + 16) != Z_OK) throw std::bad_alloc();
}

GzipCsvStream::~GzipCsvStream() { inflateEnd(&z_); }

void GzipCsvStream::feed(const char* data, std::size_t size) {
  if (size == 0) return;
  any_input_ = true;
  z_.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data));
  z_.avail_in = 0;
  bool output_pending = false;  // the last inflate filled the buffer: more may be waiting
  for (;;) {
    if (z_.avail_in == 0 && size > 0) {
      // zlib counts in uInt; feed huge chunks in slices.
      const std::size_t slice = std::min<std::size_t>(size, 1u << 30);
      z_.avail_in = static_cast<uInt>(slice);
      size -= slice;
    }
    if (member_done_) {
      if (z_.avail_in == 0) break;
      // Another gzip member follows the previous one.
      inflateReset(&z_);
      member_done_ = false;
    }
    if (z_.avail_in == 0 && !output_pending) break;
    z_.next_out = reinterpret_cast<Bytef*>(out_.data());
    z_.avail_out = static_cast<uInt>(out_.size());
    const int rc = inflate(&z_, Z_NO_FLUSH);
    if (rc != Z_OK && rc != Z_STREAM_END && rc != Z_BUF_ERROR) {
      throw BadInputError("corrupt gzip data in " + name_ + ": " +
                          (z_.msg ? std::string(z_.msg) : "inflate error " + std::to_string(rc)));
    }
    const std::size_t produced = out_.size() - z_.avail_out;
    uncompressed_ += produced;
    if (produced > 0) csv_.feed(out_.data(), produced);
    output_pending = z_.avail_out == 0;
    if (rc == Z_STREAM_END) {
      member_done_ = true;
      output_pending = false;
    }
  }
}

void GzipCsvStream::finish() {
  if (!any_input_) throw BadInputError("corrupt gzip data in " + name_ + ": the file is empty");
  if (!member_done_)
    throw BadInputError("corrupt gzip data in " + name_ + ": truncated (unexpected end of file)");
  csv_.finish();
}

}  // namespace s3tar::inventory
