#include "inventory/csv_gz.h"

#include <isa-l/igzip_lib.h>

#include <algorithm>
#include <cstring>

#include "inventory/errors.h"

namespace s3tar::inventory {

namespace {

// Longest record accepted: inventory rows are a few hundred bytes (keys are at most 1,024);
// anything this long is corrupt data, not a row to buffer.
constexpr std::size_t kMaxRecord = std::size_t{1} << 20;

bool is_line_end(char c) { return c == '\n' || c == '\r'; }

}  // namespace

CsvStream::CsvStream(RowHandler on_row, std::string name)
    : on_row_(std::move(on_row)), name_(std::move(name)) {}

void CsvStream::fail(const std::string& what) const {
  throw BadRowError(name_, rows_ + 1, "malformed CSV: " + what);
}

std::string_view CsvStream::unescape(std::size_t field, const char* begin, const char* end) {
  while (unescaped_.size() <= field) unescaped_.emplace_back();
  std::string& out = unescaped_[field];
  out.clear();
  for (const char* p = begin; p < end; ++p) {
    out.push_back(*p);
    if (*p == '"') ++p;  // the second quote of a pair
  }
  return out;
}

const char* CsvStream::parse_record(const char* p, const char* end, bool at_end) {
  if (is_line_end(*p)) return p + 1;  // a blank line, or the LF of a CRLF
  std::size_t n = 0;
  for (;;) {
    const char* s = p;
    std::string_view value;
    if (s < end && *s == '"') {
      const char* q = s + 1;
      const char* close = nullptr;
      bool doubled = false;
      for (;;) {
        close = static_cast<const char*>(std::memchr(q, '"', static_cast<std::size_t>(end - q)));
        if (!close) {
          if (at_end) fail("unterminated quoted field");
          return nullptr;
        }
        if (close + 1 == end) {
          if (!at_end) return nullptr;  // the next chunk may start with the second quote of a pair
          break;
        }
        if (close[1] != '"') break;
        doubled = true;
        q = close + 2;
      }
      value = doubled ? unescape(n, s + 1, close)
                      : std::string_view(s + 1, static_cast<std::size_t>(close - s - 1));
      p = close + 1;
      if (p == end) {
        if (!at_end) return nullptr;
      } else if (*p != ',' && !is_line_end(*p)) {
        fail("unexpected character after a closing quote");
      }
    } else {
      const char* f = s;
      while (f < end && *f != ',' && !is_line_end(*f)) {
        if (*f == '"') fail("a quote inside an unquoted field");
        ++f;
      }
      if (f == end && !at_end) return nullptr;
      value = std::string_view(s, static_cast<std::size_t>(f - s));  // spaces are part of it
      p = f;
    }
    if (n == fields_.size()) fields_.emplace_back();
    fields_[n++] = value;
    if (p < end && *p == ',') {
      ++p;
      if (p == end && !at_end) return nullptr;
      continue;
    }
    if (p < end) ++p;  // the line end
    on_row_(std::span<const std::string_view>(fields_.data(), n), ++rows_);
    return p;
  }
}

std::size_t CsvStream::parse(const char* data, std::size_t size, bool at_end) {
  const char* p = data;
  const char* const end = data + size;
  while (p < end) {
    const char* next = parse_record(p, end, at_end);
    if (!next) break;
    p = next;
  }
  return static_cast<std::size_t>(p - data);
}

void CsvStream::feed(const char* data, std::size_t size) {
  if (size == 0) return;
  if (!partial_.empty()) {
    // Complete the record begun in an earlier chunk: up to its line end, which is the first
    // one outside quotes (quotes come in pairs inside a quoted field).
    std::size_t i = 0;
    bool in_quotes = partial_in_quotes_;
    for (; i < size; ++i) {
      if (data[i] == '"') {
        in_quotes = !in_quotes;
      } else if (!in_quotes && is_line_end(data[i])) {
        break;
      }
    }
    if (i == size) {
      if (partial_.size() + size > kMaxRecord) fail("a record longer than 1 MiB");
      partial_.append(data, size);
      partial_in_quotes_ = in_quotes;
      return;
    }
    partial_.append(data, i + 1);
    data += i + 1;
    size -= i + 1;
    const std::size_t used = parse(partial_.data(), partial_.size(), false);
    partial_.erase(0, used);
    if (!partial_.empty()) {
      // Not a whole record after all (the parser throws for malformed ones): keep collecting.
      partial_.append(data, size);
      partial_in_quotes_ = std::count(partial_.begin(), partial_.end(), '"') % 2 != 0;
      return;
    }
  }
  const std::size_t used = parse(data, size, false);
  if (size - used > kMaxRecord) fail("a record longer than 1 MiB");
  partial_.assign(data + used, size - used);
  partial_in_quotes_ = std::count(partial_.begin(), partial_.end(), '"') % 2 != 0;
}

void CsvStream::finish() {
  if (partial_.empty()) return;
  parse(partial_.data(), partial_.size(), true);
  partial_.clear();
}

namespace {

std::string inflate_error(int rc) {
  switch (rc) {
    case ISAL_INVALID_WRAPPER:
      return "not gzip (bad header)";
    case ISAL_UNSUPPORTED_METHOD:
      return "unsupported compression method";
    case ISAL_INCORRECT_CHECKSUM:
      return "CRC mismatch";
    case ISAL_INVALID_BLOCK:
      return "invalid deflate block";
    case ISAL_INVALID_SYMBOL:
      return "invalid deflate symbol";
    case ISAL_INVALID_LOOKBACK:
      return "invalid distance";
    default:
      return "inflate error " + std::to_string(rc);
  }
}

}  // namespace

GzipCsvStream::GzipCsvStream(RowHandler on_row, std::string name)
    : csv_(std::move(on_row), name),
      name_(std::move(name)),
      state_(std::make_unique<inflate_state>()),
      out_(256 << 10) {
  isal_inflate_init(state_.get());
  state_->crc_flag = ISAL_GZIP;  // parse the gzip header, check the trailer's CRC and size
}

GzipCsvStream::~GzipCsvStream() = default;

void GzipCsvStream::feed(const char* data, std::size_t size) {
  if (size == 0) return;
  any_input_ = true;
  inflate_state& s = *state_;
  s.avail_in = 0;
  bool output_pending = false;  // the last call filled the buffer: more may be waiting
  for (;;) {
    if (s.avail_in == 0 && size > 0) {
      // The inflater counts in 32 bits; feed huge chunks in slices.
      const std::size_t slice = std::min<std::size_t>(size, 1u << 30);
      s.next_in = reinterpret_cast<std::uint8_t*>(const_cast<char*>(data));
      s.avail_in = static_cast<std::uint32_t>(slice);
      data += slice;
      size -= slice;
    }
    if (member_done_) {
      if (s.avail_in == 0) break;
      // Another gzip member follows the previous one. At the end of a member the inflater has
      // given back the input it read past the trailer, so it starts at next_in.
      std::uint8_t* next = s.next_in;
      const std::uint32_t avail = s.avail_in;
      isal_inflate_reset(&s);
      s.crc_flag = ISAL_GZIP;
      s.next_in = next;
      s.avail_in = avail;
      member_done_ = false;
    }
    if (s.avail_in == 0 && !output_pending) break;
    s.next_out = reinterpret_cast<std::uint8_t*>(out_.data());
    s.avail_out = static_cast<std::uint32_t>(out_.size());
    const int rc = isal_inflate(&s);
    if (rc < 0) throw BadInputError("corrupt gzip data in " + name_ + ": " + inflate_error(rc));
    const std::size_t produced = out_.size() - s.avail_out;
    uncompressed_ += produced;
    if (produced > 0) csv_.feed(out_.data(), produced);
    output_pending = s.avail_out == 0;
    if (s.block_state == ISAL_BLOCK_FINISH) {
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
