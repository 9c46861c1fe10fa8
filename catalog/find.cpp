#include "catalog/find.h"

#include <algorithm>
#include <map>
#include <set>
#include <tuple>

#include "s3tar/errors.h"

namespace s3tar::catalog {
namespace {

constexpr std::string_view kSidecarSuffix = ".index.json";

bool is_digits(std::string_view s, std::size_t n) {
  return s.size() == n && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// The last path segment of a listed folder ("a/b/2025/" -> "2025").
std::string_view last_segment(std::string_view folder) {
  if (!folder.empty() && folder.back() == '/') folder.remove_suffix(1);
  const auto slash = folder.rfind('/');
  return slash == std::string_view::npos ? folder : folder.substr(slash + 1);
}

std::string with_slash(const std::string& prefix) {
  return prefix.empty() || prefix.back() == '/' ? prefix : prefix + "/";
}

// Days that have a day report folder: <report_prefix>/YYYY/MM/DD/.
std::set<std::string> report_days(inventory::ObjectStore& store, const Layout& layout) {
  std::set<std::string> days;
  const std::string root = with_slash(layout.report_prefix);
  for (const auto& y : store.list_folders(layout.report_bucket, root)) {
    if (!is_digits(last_segment(y), 4)) continue;
    for (const auto& m : store.list_folders(layout.report_bucket, y)) {
      if (!is_digits(last_segment(m), 2)) continue;
      for (const auto& d : store.list_folders(layout.report_bucket, m)) {
        if (!is_digits(last_segment(d), 2)) continue;
        const std::string day = std::string(last_segment(y)) + "-" + std::string(last_segment(m)) + "-" +
                                std::string(last_segment(d));
        if (partition_day("dt=" + day)) days.insert(day);
      }
    }
  }
  return days;
}

bool wanted(const Row& row, const FindOptions& options) {
  if (!options.version_id.empty() && row.version_id != options.version_id) return false;
  return std::any_of(options.queries.begin(), options.queries.end(),
                     [&](const KeyQuery& q) { return q.matches(row.key); });
}

void read_catalog_day(inventory::ObjectStore& store, const Layout& layout, const std::string& day,
                      const FindOptions& options, std::vector<Match>& out) {
  const std::string partition = partition_prefix(layout.report_prefix, day);
  for (const auto& key : store.list_keys(layout.report_bucket, partition)) {
    if (key.size() < 7 || key.compare(key.size() - 7, 7, ".csv.gz") != 0) continue;
    PartReader reader(
        [&](Row&& row) {
          if (wanted(row, options)) out.push_back(Match{day, std::move(row), false});
        },
        "s3://" + layout.report_bucket + "/" + key);
    store.read(layout.report_bucket, key, [&](const char* data, std::size_t n) { reader.feed(data, n); });
    reader.finish();
  }
}

void read_sidecar_day(inventory::ObjectStore& store, const Layout& layout, const std::string& day,
                      const FindOptions& options, std::vector<Match>& out) {
  if (!layout.day_archive_prefix) return;
  for (const auto& key : store.list_keys(layout.archive_bucket, layout.day_archive_prefix(day))) {
    if (key.size() <= kSidecarSuffix.size() ||
        key.compare(key.size() - kSidecarSuffix.size(), kSidecarSuffix.size(), kSidecarSuffix) != 0)
      continue;
    const std::string name = "s3://" + layout.archive_bucket + "/" + key;
    for (auto& row : rows_from_sidecar(store.read_small(layout.archive_bucket, key), name))
      if (wanted(row, options)) out.push_back(Match{day, std::move(row), true});
  }
}

}  // namespace

bool KeyQuery::matches(std::string_view key) const {
  return prefix ? key.substr(0, text.size()) == text : key == text;
}

KeyQuery parse_query(std::string_view argument) {
  KeyQuery q;
  if (!argument.empty() && argument.back() == '*') {
    argument.remove_suffix(1);
    q.prefix = true;
    if (argument.empty())
      throw UsageError("\"*\" is not a key or prefix: give the start of the keys, e.g. logs/*");
  } else if (!argument.empty() && argument.back() == '/') {
    q.prefix = true;
  }
  if (argument.empty()) throw UsageError("an empty key: give a key, or a prefix ending in / or *");
  q.text = std::string(argument);
  return q;
}

bool DayRange::contains(std::string_view day) const { return (!from || day >= *from) && (!to || day <= *to); }

DayRange parse_range(const std::optional<std::string>& from, const std::optional<std::string>& to) {
  for (const auto& [flag, value] : {std::pair{"--from", &from}, std::pair{"--to", &to}}) {
    if (*value && !partition_day("dt=" + **value))
      throw UsageError(std::string(flag) + " " + **value + ": not a date (YYYY-MM-DD)");
  }
  if (from && to && *from > *to) throw UsageError("--from " + *from + " is after --to " + *to);
  return DayRange{from, to};
}

std::vector<std::string> days_between(const std::string& from, const std::string& to) {
  std::vector<std::string> days;
  const auto first = parse_utc(from + "T00:00:00Z");
  const auto last = parse_utc(to + "T00:00:00Z");
  if (!first || !last) return days;
  for (std::int64_t t = *first; t <= *last; t += 86400) days.push_back(format_utc(t).substr(0, 10));
  return days;
}

void order_newest_first(std::vector<Match>& matches) {
  auto key = [](const Match& m) {
    return std::tie(m.row.key, m.row.bucket, m.row.version_id, m.row.archive_bucket, m.row.archive_key,
                    m.row.offset);
  };
  std::sort(matches.begin(), matches.end(), [&](const Match& a, const Match& b) {
    if (a.day != b.day) return a.day > b.day;
    if (a.row.key != b.row.key) return a.row.key < b.row.key;
    if (a.row.last_modified != b.row.last_modified) return a.row.last_modified > b.row.last_modified;
    return key(a) < key(b);
  });
  matches.erase(std::unique(matches.begin(), matches.end(),
                            [](const Match& a, const Match& b) { return a.day == b.day && a.row == b.row; }),
                matches.end());
}

FindResult find(inventory::ObjectStore& store, const Layout& layout, const FindOptions& options) {
  std::set<std::string> with_catalog;
  for (const auto& folder : store.list_folders(layout.report_bucket, catalog_prefix(layout.report_prefix)))
    if (auto day = partition_day(folder)) with_catalog.insert(*day);

  std::vector<std::string> days;
  const DayRange& range = options.range;
  if (range.from && range.to) {
    days = days_between(*range.from, *range.to);
  } else {
    std::set<std::string> all = report_days(store, layout);
    all.insert(with_catalog.begin(), with_catalog.end());
    for (const auto& d : all)
      if (range.contains(d)) days.push_back(d);
  }

  FindResult result;
  for (const auto& day : days) {
    if (with_catalog.contains(day)) {
      read_catalog_day(store, layout, day, options, result.matches);
    } else {
      read_sidecar_day(store, layout, day, options, result.matches);
      result.sidecar_days.push_back(day);
    }
    result.days.push_back(day);
  }
  order_newest_first(result.matches);
  return result;
}

}  // namespace s3tar::catalog
