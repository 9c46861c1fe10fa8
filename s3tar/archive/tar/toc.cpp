#include "s3tar/archive/tar/toc.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <stdexcept>

#include "s3tar/errors.h"

namespace s3tar::tar {
namespace {

// Same rule as Go's encoding/csv writer (what the Go s3tar uses): quote a field that contains a
// delimiter, quote or line break, or starts with a space or tab.
bool needs_quotes(std::string_view field) {
  if (field.empty()) return false;
  if (field == "\\.") return true;
  if (field.front() == ' ' || field.front() == '\t') return true;
  // A plain loop, not find_first_of (a memchr over the set per character): this runs for every
  // member of a plan.
  return std::any_of(field.begin(), field.end(),
                     [](char c) { return c == ',' || c == '"' || c == '\r' || c == '\n'; });
}

void append_field(std::string& out, std::string_view field) {
  if (!needs_quotes(field)) {
    out += field;
    return;
  }
  out += '"';
  for (char c : field) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
}

std::uint64_t digits(std::uint64_t v) {
  std::uint64_t n = 1;
  while (v >= 10) {
    v /= 10;
    ++n;
  }
  return n;
}

// At most the start of a field, for an error message (a hostile TOC may hold huge fields).
std::string quote_start(const std::string& field) {
  constexpr std::size_t kMax = 40;
  if (field.size() <= kMax) return "'" + field + "'";
  return "'" + field.substr(0, kMax) + "...' (" + std::to_string(field.size()) + " bytes)";
}

std::uint64_t parse_number(const std::string& field, std::size_t row, const char* what) {
  std::uint64_t v = 0;
  auto [end, ec] = std::from_chars(field.data(), field.data() + field.size(), v);
  if (field.empty() || ec != std::errc() || end != field.data() + field.size())
    throw BadInputError(fmt::format("toc.csv row {}: bad {} {}", row, what, quote_start(field)));
  return v;
}

}  // namespace

std::uint64_t csv_field_size(std::string_view field) {
  if (!needs_quotes(field)) return field.size();
  std::uint64_t n = field.size() + 2;
  for (char c : field)
    if (c == '"') ++n;
  return n;
}

std::uint64_t toc_row_size_but_offset(std::string_view name, std::uint64_t size,
                                      std::uint64_t etag_field_size) {
  return csv_field_size(name) + digits(size) + etag_field_size + 4;  // 3 commas, newline
}

std::uint64_t toc_offset_size(std::uint64_t offset) { return digits(offset); }

std::uint64_t toc_row_size(std::string_view name, std::uint64_t offset, std::uint64_t size,
                           std::string_view etag) {
  return toc_row_size_but_offset(name, size, csv_field_size(etag)) + toc_offset_size(offset);
}

void append_toc_row(std::string& out, std::string_view name, std::uint64_t offset, std::uint64_t size,
                    std::string_view etag) {
  append_field(out, name);
  fmt::format_to(std::back_inserter(out), ",{},{},", offset, size);
  append_field(out, etag);
  out += '\n';
}

std::string render_toc_csv(const std::vector<TocEntry>& entries) {
  std::uint64_t n = 0;
  for (const auto& e : entries) n += toc_row_size(e.name, e.offset, e.size, e.etag);
  std::string out;
  out.reserve(n);
  for (const auto& e : entries) append_toc_row(out, e.name, e.offset, e.size, e.etag);
  return out;
}

std::vector<TocEntry> parse_toc(std::string_view csv) {
  std::vector<TocEntry> entries;
  std::vector<std::string> fields;
  std::string field;
  std::size_t i = 0;
  std::size_t row = 1;
  auto finish_row = [&] {
    fields.push_back(std::move(field));
    field.clear();
    if (fields.size() != 4)
      throw BadInputError(fmt::format("toc.csv row {}: {} fields, expected 4", row, fields.size()));
    TocEntry e;
    e.name = std::move(fields[0]);
    e.offset = parse_number(fields[1], row, "offset");
    e.size = parse_number(fields[2], row, "size");
    e.etag = std::move(fields[3]);
    entries.push_back(std::move(e));
    fields.clear();
    ++row;
  };
  while (i < csv.size()) {
    // Blank lines carry no row (as in Go's encoding/csv).
    if (fields.empty() && field.empty() && (csv[i] == '\n' || csv[i] == '\r')) {
      ++i;
      continue;
    }
    // At the start of a field.
    if (csv[i] == '"') {
      ++i;
      while (true) {
        if (i >= csv.size()) throw BadInputError(fmt::format("toc.csv row {}: unterminated quote", row));
        if (csv[i] == '"') {
          if (i + 1 < csv.size() && csv[i + 1] == '"') {
            field += '"';
            i += 2;
            continue;
          }
          ++i;
          break;
        }
        field += csv[i++];
      }
      if (i < csv.size() && csv[i] != ',' && csv[i] != '\n' && csv[i] != '\r')
        throw BadInputError(fmt::format("toc.csv row {}: text after a closing quote", row));
    } else {
      while (i < csv.size() && csv[i] != ',' && csv[i] != '\n' && csv[i] != '\r') field += csv[i++];
    }
    if (i >= csv.size()) {
      finish_row();
      break;
    }
    if (csv[i] == ',') {
      fields.push_back(std::move(field));
      field.clear();
      ++i;
      if (i >= csv.size()) {
        finish_row();
        break;
      }
      continue;
    }
    if (csv[i] == '\r') {
      ++i;
      if (i < csv.size() && csv[i] == '\n') ++i;
    } else {
      ++i;  // '\n'
    }
    finish_row();
  }
  return entries;
}

}  // namespace s3tar::tar
