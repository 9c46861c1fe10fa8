#include "inventory/filter.h"

#include <cctype>

#include "inventory/encoding.h"
#include "inventory/errors.h"

namespace s3tar::inventory {
namespace {

// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

bool digits(std::string_view s, std::size_t pos, std::size_t len, unsigned& out) {
  out = 0;
  for (std::size_t i = pos; i < pos + len; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    out = out * 10 + static_cast<unsigned>(s[i] - '0');
  }
  return true;
}

bool starts_with_any(const std::string& key, const std::vector<std::string>& prefixes) {
  for (const auto& p : prefixes) {
    if (key.compare(0, p.size(), p) == 0) return true;
  }
  return false;
}

std::string upper(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace

const char* to_string(Outcome outcome) {
  switch (outcome) {
    case Outcome::kKept:
      return "kept";
    case Outcome::kBadRow:
      return "bad_row";
    case Outcome::kDeleteMarker:
      return "delete_marker";
    case Outcome::kNotLatest:
      return "not_latest";
    case Outcome::kExcludedPrefix:
      return "excluded_prefix";
    case Outcome::kOutsideDate:
      return "outside_date";
    case Outcome::kTooSmall:
      return "too_small";
    case Outcome::kArchivedClass:
      return "archived_class";
  }
  return "unknown";
}

std::string unreadable_reason(std::string_view storage_class, std::string_view access_tier) {
  const std::string cls = upper(storage_class);
  if (cls == "GLACIER" || cls == "DEEP_ARCHIVE") {
    return "storage class " + cls + " needs a restore before it can be read";
  }
  if (cls == "INTELLIGENT_TIERING") {
    const std::string tier = upper(access_tier);
    if (tier == "ARCHIVE" || tier == "DEEP_ARCHIVE" || tier == "ARCHIVE_ACCESS" ||
        tier == "DEEP_ARCHIVE_ACCESS") {
      return "INTELLIGENT_TIERING access tier " + tier + " needs a restore before it can be read";
    }
  }
  return {};
}

bool parse_timestamp(std::string_view s, std::int64_t& out) {
  // YYYY-MM-DDTHH:MM:SS[.fraction]Z
  if (s.size() < 20 || s[4] != '-' || s[7] != '-' || (s[10] != 'T' && s[10] != 't') || s[13] != ':' ||
      s[16] != ':') {
    return false;
  }
  unsigned y, mo, d, h, mi, se;
  if (!digits(s, 0, 4, y) || !digits(s, 5, 2, mo) || !digits(s, 8, 2, d) || !digits(s, 11, 2, h) ||
      !digits(s, 14, 2, mi) || !digits(s, 17, 2, se)) {
    return false;
  }
  std::size_t i = 19;
  if (s[i] == '.') {
    const std::size_t start = ++i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
    if (i == start) return false;
  }
  if (i + 1 != s.size() || (s[i] != 'Z' && s[i] != 'z')) return false;
  static constexpr unsigned kMonthDays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (mo < 1 || mo > 12 || d < 1 || d > kMonthDays[mo - 1] || h > 23 || mi > 59 || se > 60) return false;
  const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  if (mo == 2 && d == 29 && !leap) return false;
  out = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + se;
  return true;
}

bool parse_size(std::string_view s, std::uint64_t& out) {
  if (s.empty() || s.size() > 20) return false;
  std::uint64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    const std::uint64_t digit = static_cast<std::uint64_t>(c - '0');
    if (v > (UINT64_MAX - digit) / 10) return false;
    v = v * 10 + digit;
  }
  out = v;
  return true;
}

RowFilter::RowFilter(const ColumnMap& columns, const Filter& filter)
    : columns_(columns),
      min_size_(filter.min_size),
      include_(filter.include_prefixes),
      exclude_(filter.exclude_prefixes),
      source_bucket_(filter.source_bucket) {
  if (filter.day.is_special()) throw ConfigError("the filter has no target date");
  window_ = filter.zone.day_window(filter.day);
}

Outcome RowFilter::apply(std::span<const std::string_view> f, InventoryObject& o, std::string& problem,
                         std::string& not_archivable_reason) const {
  const auto& c = columns_;
  if (f.size() != c.column_count) {
    problem = "expected " + std::to_string(c.column_count) + " columns, got " + std::to_string(f.size());
    return Outcome::kBadRow;
  }
  bool ok = true;
  bool delete_marker = false, latest = true;
  if (c.is_delete_marker >= 0) {
    delete_marker = parse_bool(f[c.is_delete_marker], ok);
    if (!ok) {
      problem = "IsDeleteMarker is not true/false: \"" + std::string(f[c.is_delete_marker]) + "\"";
      return Outcome::kBadRow;
    }
  }
  if (c.is_latest >= 0) {
    latest = parse_bool(f[c.is_latest], ok);
    if (!ok) {
      problem = "IsLatest is not true/false: \"" + std::string(f[c.is_latest]) + "\"";
      return Outcome::kBadRow;
    }
  }
  // Decoding never empties a key, so the encoded one can be checked.
  if (f[c.bucket].empty() || f[c.key].empty()) {
    problem = f[c.bucket].empty() ? "empty Bucket" : "empty Key";
    return Outcome::kBadRow;
  }
  if (!source_bucket_.empty() && f[c.bucket] != source_bucket_) {
    problem = "Bucket \"" + std::string(f[c.bucket]) + "\" is not the manifest's sourceBucket \"" +
              source_bucket_ + "\"";
    return Outcome::kBadRow;
  }
  // Delete markers have no size; nothing else about them matters.
  if (delete_marker) return Outcome::kDeleteMarker;
  std::uint64_t size = 0;
  if (!parse_size(f[c.size], size)) {
    problem = "Size is not a byte count: \"" + std::string(f[c.size]) + "\"";
    return Outcome::kBadRow;
  }
  std::int64_t last_modified = 0;
  if (!parse_timestamp(f[c.last_modified], last_modified)) {
    problem = "LastModifiedDate is not a timestamp like 2025-11-20T13:45:07.000Z: \"" +
              std::string(f[c.last_modified]) + "\"";
    return Outcome::kBadRow;
  }
  if (!latest) return Outcome::kNotLatest;
  // Most rows are dropped by now or below: the object's strings are only made for rows kept or
  // listed as not archivable (the key is decoded earlier when prefixes need it).
  bool key_decoded = false;
  if (!include_.empty() || !exclude_.empty()) {
    form_decode(f[c.key], o.key);
    key_decoded = true;
    if ((!include_.empty() && !starts_with_any(o.key, include_)) || starts_with_any(o.key, exclude_))
      return Outcome::kExcludedPrefix;
  }
  if (!window_.contains(last_modified)) return Outcome::kOutsideDate;
  if (size <= min_size_) return Outcome::kTooSmall;
  const std::string_view storage_class = c.storage_class >= 0 ? f[c.storage_class] : std::string_view();
  // Only GLACIER, DEEP_ARCHIVE and INTELLIGENT_TIERING can need a restore.
  const char first = storage_class.empty()
                         ? '\0'
                         : static_cast<char>(std::toupper(static_cast<unsigned char>(storage_class[0])));
  if (first == 'G' || first == 'D' || first == 'I') {
    not_archivable_reason = unreadable_reason(
        storage_class, c.intelligent_tiering_access_tier >= 0 ? f[c.intelligent_tiering_access_tier] : "");
  }
  o.bucket.assign(f[c.bucket]);
  if (!key_decoded) form_decode(f[c.key], o.key);
  o.version_id.assign(c.version_id >= 0 ? f[c.version_id] : std::string_view());
  o.size = size;
  o.last_modified = last_modified;
  o.etag.assign(c.etag >= 0 ? f[c.etag] : std::string_view());
  o.storage_class.assign(storage_class);
  return not_archivable_reason.empty() ? Outcome::kKept : Outcome::kArchivedClass;
}

}  // namespace s3tar::inventory
