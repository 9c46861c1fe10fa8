#include "inventory/discovery.h"

#include <algorithm>
#include <cctype>
#include <cstdio>

#include "inventory/errors.h"

namespace s3tar::inventory {
namespace {

namespace bg = boost::gregorian;

std::string normalized_prefix(const std::string& prefix) {
  if (prefix.empty() || prefix.back() == '/') return prefix;
  return prefix + "/";
}

std::string format_utc(std::int64_t t) {
  const auto day = bg::date(1970, 1, 1) + bg::days(t >= 0 ? t / 86400 : -((-t + 86399) / 86400));
  const auto secs = t - unix_seconds(day);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%sT%02d:%02dZ", bg::to_iso_extended_string(day).c_str(),
                static_cast<int>(secs / 3600), static_cast<int>(secs % 3600 / 60));
  return buf;
}

}  // namespace

std::optional<std::int64_t> parse_report_folder(std::string_view name) {
  if (!name.empty() && name.back() == '/') name.remove_suffix(1);
  // YYYY-MM-DDTHH-MMZ
  constexpr std::string_view pattern = "dddd-dd-ddTdd-ddZ";
  if (name.size() != pattern.size()) return std::nullopt;
  for (std::size_t i = 0; i < pattern.size(); ++i) {
    if (pattern[i] == 'd' ? !std::isdigit(static_cast<unsigned char>(name[i])) : name[i] != pattern[i]) {
      return std::nullopt;
    }
  }
  auto num = [&](std::size_t pos, std::size_t len) {
    int v = 0;
    for (std::size_t i = pos; i < pos + len; ++i) v = v * 10 + (name[i] - '0');
    return v;
  };
  const int year = num(0, 4), month = num(5, 2), day = num(8, 2), hour = num(11, 2), minute = num(14, 2);
  if (year < 1970 || year > 9999 || month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59) {
    return std::nullopt;
  }
  if (day > bg::gregorian_calendar::end_of_month_day(year, month)) return std::nullopt;
  return unix_seconds(bg::date(year, month, day)) + hour * 3600 + minute * 60;
}

ReportSelection select_report(const std::vector<ReportCandidate>& folders, bg::date day,
                              const TimeZone& zone) {
  const auto day_end = zone.day_window(day).end;
  ReportSelection best;
  bool any_qualifying = false;
  for (const auto& c : folders) {
    const auto start = parse_report_folder(c.folder);
    if (!start || *start < day_end) continue;
    any_qualifying = true;
    if (!c.has_checksum) continue;
    if (!best.found || *start > best.scan_start) {
      best.found = true;
      best.folder = c.folder;
      if (!best.folder.empty() && best.folder.back() == '/') best.folder.pop_back();
      best.scan_start = *start;
    }
  }
  if (!best.found) {
    best.reason = any_qualifying
                      ? "the report(s) started after " + format_utc(day_end) +
                            " have no manifest.checksum yet (delivery in progress)"
                      : "no report folder started at or after " + format_utc(day_end) + " (end of " +
                            bg::to_iso_extended_string(day) + " in " + zone.name() + ")";
  }
  return best;
}

namespace {

const char* kExpected = "<destination-prefix>/<source-bucket>/<inventory-config-id>/";

}  // namespace

void check_location(const InventoryLocation& location) {
  std::string_view p = location.prefix;
  while (!p.empty() && p.back() == '/') p.remove_suffix(1);
  const std::string_view last = p.substr(p.rfind('/') == std::string_view::npos ? 0 : p.rfind('/') + 1);
  std::string what;
  if (parse_report_folder(last))
    what = "a report folder";
  else if (last == "manifest.json" || last == "manifest.checksum")
    what = "a report's " + std::string(last);
  else if (last == "data" || last == "hive")
    what = "the inventory's " + std::string(last) + "/ folder";
  if (what.empty()) return;
  const std::size_t cut = p.rfind('/') == std::string_view::npos ? 0 : p.rfind('/') + 1;
  std::string parent(p.substr(0, cut));
  if (last == "manifest.json" || last == "manifest.checksum") {
    // .../<config-id>/<folder>/manifest.json: the configuration is two levels up.
    std::string_view q = std::string_view(parent).substr(0, parent.empty() ? 0 : parent.size() - 1);
    const std::size_t up = q.rfind('/') == std::string_view::npos ? 0 : q.rfind('/') + 1;
    if (parse_report_folder(q.substr(up))) parent = std::string(q.substr(0, up));
  }
  throw ConfigError(
      "inventory: s3://" + location.bucket + "/" + location.prefix + " is " + what +
      ", not an inventory configuration's prefix; expected s3://" + location.bucket + "/" + kExpected +
      (parent.empty() ? std::string() : " (here probably s3://" + location.bucket + "/" + parent + ")"));
}

Report find_report(ObjectStore& store, const InventoryLocation& location, bg::date day,
                   const TimeZone& zone) {
  check_location(location);
  const std::string prefix = normalized_prefix(location.prefix);
  const auto day_end = zone.day_window(day).end;
  std::vector<std::pair<std::int64_t, std::string>> qualifying;
  bool any_report_folder = false;
  for (const auto& full : store.list_folders(location.bucket, prefix)) {
    std::string name = full.substr(prefix.size());
    if (!name.empty() && name.back() == '/') name.pop_back();
    const auto start = parse_report_folder(name);
    any_report_folder = any_report_folder || start.has_value();
    if (start && *start >= day_end) qualifying.emplace_back(*start, std::move(name));
  }
  if (!any_report_folder)
    throw ConfigError("inventory: no report folders (YYYY-MM-DDTHH-MMZ/) under s3://" + location.bucket +
                      "/" + prefix + "; expected the prefix of an inventory configuration, s3://" +
                      location.bucket + "/" + kExpected +
                      " (or the configuration has not delivered its first report yet)");
  std::sort(qualifying.rbegin(), qualifying.rend());
  // Only the folders down to the newest complete one need a listing.
  std::vector<ReportCandidate> candidates;
  for (const auto& [start, name] : qualifying) {
    const auto keys = store.list_keys(location.bucket, prefix + name + "/");
    const bool has_checksum =
        std::find(keys.begin(), keys.end(), prefix + name + "/manifest.checksum") != keys.end();
    candidates.push_back({name, has_checksum});
    if (has_checksum) break;
  }
  const auto selection = select_report(candidates, day, zone);
  if (!selection.found) {
    throw NotDeliveredError("inventory for " + bg::to_iso_extended_string(day) + " not delivered yet under " +
                            location.bucket + "/" + prefix + ": " + selection.reason);
  }
  return load_report(store, location, selection.folder);
}

Report load_report(ObjectStore& store, const InventoryLocation& location, const std::string& folder) {
  Report r;
  r.location = location;
  r.location.prefix = normalized_prefix(location.prefix);
  r.folder = folder;
  const auto start = parse_report_folder(folder);
  if (!start) throw BadInputError("not a report folder name: " + folder);
  r.scan_start = *start;
  r.manifest_key = r.location.prefix + folder + "/manifest.json";
  const std::string checksum_key = r.location.prefix + folder + "/manifest.checksum";
  std::string checksum, manifest;
  try {
    checksum = store.read_small(location.bucket, checksum_key, 4096);
  } catch (const NotFoundError&) {
    throw NotDeliveredError("inventory report " + folder + " has no manifest.checksum yet");
  }
  try {
    manifest = store.read_small(location.bucket, r.manifest_key);
  } catch (const NotFoundError&) {
    throw BadInputError("inventory report " + folder + " has manifest.checksum but no manifest.json");
  }
  verify_manifest_checksum(manifest, checksum, r.manifest_key);
  try {
    r.manifest = parse_manifest(manifest);
  } catch (const UnsupportedFormatError& e) {
    throw UnsupportedFormatError("inventory report " + folder + ": " + e.what());
  } catch (const BadInputError& e) {
    throw BadInputError("inventory report " + folder + ": " + e.what());
  }
  return r;
}

}  // namespace s3tar::inventory
