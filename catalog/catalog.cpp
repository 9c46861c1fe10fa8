#include "catalog/catalog.h"

#include <fmt/format.h>
#include <zlib.h>

#include <algorithm>
#include <charconv>
#include <nlohmann/json.hpp>
#include <span>
#include <tuple>

#include "inventory/csv_gz.h"
#include "inventory/errors.h"

namespace s3tar::catalog {
namespace {

// Days since 1970-01-01 of a civil date, and back (proleptic Gregorian; H. Hinnant's algorithms).
std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

void civil_from_days(std::int64_t z, std::int64_t& y, unsigned& m, unsigned& d) {
  z += 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const auto doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  d = doy - (153 * mp + 2) / 5 + 1;
  m = mp < 10 ? mp + 3 : mp - 9;
  y = static_cast<std::int64_t>(yoe) + era * 400 + (m <= 2);
}

template <typename T>
bool parse_number(std::string_view text, T& out) {
  if (text.empty()) return false;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc() && end == text.data() + text.size();
}

bool digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// "YYYY-MM-DD" -> days since the epoch; nullopt unless a real date.
std::optional<std::int64_t> parse_day(std::string_view s) {
  if (s.size() != 10 || s[4] != '-' || s[7] != '-') return std::nullopt;
  if (!digits(s.substr(0, 4)) || !digits(s.substr(5, 2)) || !digits(s.substr(8, 2))) return std::nullopt;
  std::int64_t y = 0;
  unsigned m = 0, d = 0;
  parse_number(s.substr(0, 4), y);
  parse_number(s.substr(5, 2), m);
  parse_number(s.substr(8, 2), d);
  if (m < 1 || m > 12 || d < 1 || d > 31) return std::nullopt;
  const std::int64_t days = days_from_civil(y, m, d);
  std::int64_t y2 = 0;
  unsigned m2 = 0, d2 = 0;
  civil_from_days(days, y2, m2, d2);
  if (y2 != y || m2 != m || d2 != d) return std::nullopt;  // 2025-02-30
  return days;
}

void append_quoted(std::string& out, std::string_view field) {
  out += '"';
  for (char c : field) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
}

inventory::BadInputError bad(const std::string& name, const std::string& what) {
  return inventory::BadInputError(name + ": " + what);
}

}  // namespace

std::string format_utc(std::int64_t t) {
  const std::int64_t days = (t >= 0 ? t : t - 86399) / 86400;
  const std::int64_t secs = t - days * 86400;
  std::int64_t y = 0;
  unsigned m = 0, d = 0;
  civil_from_days(days, y, m, d);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z", y, m, d, secs / 3600, secs / 60 % 60, secs % 60);
}

std::optional<std::int64_t> parse_utc(std::string_view s) {
  if (s.size() != 20 || s[10] != 'T' || s[13] != ':' || s[16] != ':' || s[19] != 'Z') return std::nullopt;
  const auto days = parse_day(s.substr(0, 10));
  if (!days || !digits(s.substr(11, 2)) || !digits(s.substr(14, 2)) || !digits(s.substr(17, 2)))
    return std::nullopt;
  int h = 0, mi = 0, se = 0;
  parse_number(s.substr(11, 2), h);
  parse_number(s.substr(14, 2), mi);
  parse_number(s.substr(17, 2), se);
  if (h > 23 || mi > 59 || se > 59) return std::nullopt;
  return *days * 86400 + h * 3600 + mi * 60 + se;
}

std::vector<Row> rows_for_volume(const std::string& archive_bucket, const plan::Volume& volume,
                                 const std::string& archive_etag) {
  std::vector<Row> rows;
  rows.reserve(volume.members.size());
  for (std::size_t i = 0; i < volume.members.size(); ++i) {
    const auto& m = volume.members[i];
    rows.push_back(Row{m.bucket(), std::string(m.key()), std::string(m.version_id()), m.size, m.mtime(),
                       m.etag(), archive_bucket, volume.key, archive_etag, volume.data_offsets.at(i)});
  }
  return rows;
}

std::vector<Row> rows_from_sidecar(std::string_view text, const std::string& name) {
  nlohmann::json doc;
  try {
    doc = nlohmann::json::parse(text);
  } catch (const nlohmann::json::exception& e) {
    throw bad(name, std::string("not an index sidecar (not JSON: ") + e.what() + ")");
  }
  try {
    const std::string url = doc.at("archive").get<std::string>();
    if (url.rfind("s3://", 0) != 0 || url.find('/', 5) == std::string::npos)
      throw bad(name, "\"archive\" is not an s3:// URL: " + url);
    const std::size_t slash = url.find('/', 5);
    const std::string archive_bucket = url.substr(5, slash - 5);
    const std::string archive_key = url.substr(slash + 1);
    const std::string archive_etag = doc.at("etag").get<std::string>();
    std::vector<Row> rows;
    for (const auto& m : doc.at("members")) {
      rows.push_back(Row{m.at("bucket").get<std::string>(), m.at("key").get<std::string>(),
                         m.value("version_id", std::string()), m.at("size").get<std::uint64_t>(),
                         m.value("mtime", std::int64_t{0}), m.value("etag", std::string()), archive_bucket,
                         archive_key, archive_etag, m.at("offset").get<std::uint64_t>()});
    }
    return rows;
  } catch (const nlohmann::json::exception& e) {
    throw bad(name, std::string("not an index sidecar: ") + e.what());
  }
}

void sort_rows(std::vector<Row>& rows) {
  std::sort(rows.begin(), rows.end(), [](const Row& a, const Row& b) {
    return std::tie(a.archive_bucket, a.archive_key, a.offset) <
           std::tie(b.archive_bucket, b.archive_key, b.offset);
  });
}

std::string render_csv(const std::vector<Row>& rows) {
  std::string out;
  for (const auto& r : rows) {
    const std::string size = std::to_string(r.size), offset = std::to_string(r.offset);
    const std::string modified = format_utc(r.last_modified);
    const std::array<std::string_view, kColumns.size()> fields = {
        r.bucket,         r.key,         r.version_id,   size,  modified, r.etag,
        r.archive_bucket, r.archive_key, r.archive_etag, offset};
    for (std::size_t i = 0; i < fields.size(); ++i) {
      if (i > 0) out += ',';
      append_quoted(out, fields[i]);
    }
    out += '\n';
  }
  return out;
}

std::string render_part(std::vector<Row> rows) {
  sort_rows(rows);
  return gzip(render_csv(rows));
}

std::string gzip(std::string_view text) {
  z_stream z{};
  // windowBits 15 + 16: a gzip wrapper. Without deflateSetHeader zlib writes no name and a zero
  // time stamp, so the output depends on the text (and the zlib version) alone. zlib's default
  // level: on catalog CSV level 9 takes about 3x as long for 3 % less, and the daily job waits
  // for it after its last archive.
  if (deflateInit2(&z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
    throw std::runtime_error("gzip: deflateInit2 failed");
  std::string out(deflateBound(&z, static_cast<uLong>(text.size())), '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(text.data()));
  z.avail_in = static_cast<uInt>(text.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  const int rc = deflate(&z, Z_FINISH);
  out.resize(z.total_out);
  deflateEnd(&z);
  if (rc != Z_STREAM_END) throw std::runtime_error("gzip: deflate did not finish");
  return out;
}

namespace {

Row parse_row(std::span<const std::string_view> f, std::uint64_t line, const std::string& name) {
  if (f.size() != kColumns.size())
    throw inventory::BadRowError(name, line,
                                 fmt::format("{} fields, a catalog row has {}", f.size(), kColumns.size()));
  Row r;
  r.bucket = std::string(f[0]);
  r.key = std::string(f[1]);
  r.version_id = std::string(f[2]);
  r.etag = std::string(f[5]);
  r.archive_bucket = std::string(f[6]);
  r.archive_key = std::string(f[7]);
  r.archive_etag = std::string(f[8]);
  if (!parse_number(f[3], r.size)) throw inventory::BadRowError(name, line, "bad size");
  if (!parse_number(f[9], r.offset)) throw inventory::BadRowError(name, line, "bad offset");
  const auto modified = parse_utc(f[4]);
  if (!modified) throw inventory::BadRowError(name, line, "bad last_modified");
  r.last_modified = *modified;
  if (r.bucket.empty() || r.key.empty() || r.archive_bucket.empty() || r.archive_key.empty())
    throw inventory::BadRowError(name, line, "empty bucket or key");
  return r;
}

}  // namespace

struct PartReader::Impl {
  Impl(std::function<void(Row&&)> on_row, std::string name)
      : stream(
            [this, on_row = std::move(on_row)](std::span<const std::string_view> f, std::uint64_t line) {
              on_row(parse_row(f, line, this->name));
            },
            name),
        name(name) {}
  inventory::GzipCsvStream stream;
  std::string name;
};

PartReader::PartReader(std::function<void(Row&&)> on_row, std::string name)
    : impl_(std::make_unique<Impl>(std::move(on_row), std::move(name))) {}
PartReader::~PartReader() = default;
void PartReader::feed(const char* data, std::size_t size) { impl_->stream.feed(data, size); }
void PartReader::finish() { impl_->stream.finish(); }

std::vector<Row> parse_part(std::string_view gzipped, const std::string& name) {
  std::vector<Row> rows;
  PartReader reader([&](Row&& r) { rows.push_back(std::move(r)); }, name);
  reader.feed(gzipped.data(), gzipped.size());
  reader.finish();
  return rows;
}

std::string catalog_prefix(const std::string& report_prefix) {
  if (report_prefix.empty()) return "catalog/";
  return report_prefix + (report_prefix.back() == '/' ? "" : "/") + "catalog/";
}

std::string partition_prefix(const std::string& report_prefix, std::string_view day) {
  return catalog_prefix(report_prefix) + "dt=" + std::string(day) + "/";
}

std::string part_key(const std::string& report_prefix, std::string_view day, std::uint32_t shard) {
  return partition_prefix(report_prefix, day) + fmt::format("part-{:04}.csv.gz", shard);
}

std::optional<std::string> partition_day(std::string_view p) {
  if (!p.empty() && p.back() == '/') p.remove_suffix(1);
  const std::size_t slash = p.rfind('/');
  if (slash != std::string_view::npos) p.remove_prefix(slash + 1);
  if (p.substr(0, 3) != "dt=") return std::nullopt;
  p.remove_prefix(3);
  if (!parse_day(p)) return std::nullopt;
  return std::string(p);
}

}  // namespace s3tar::catalog
