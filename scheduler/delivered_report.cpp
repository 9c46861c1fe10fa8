#include "scheduler/delivered_report.h"

#include "s3tar/errors.h"
#include "scheduler/naming.h"

namespace s3tar::scheduler {
namespace {

constexpr std::string_view kFlag = "--inventory-manifest";

[[noreturn]] void fail(std::string_view url, const std::string& why) {
  throw UsageError(std::string(kFlag) + " " + std::string(url) + ": " + why);
}

std::string with_slash(std::string prefix) {
  if (!prefix.empty() && prefix.back() != '/') prefix += '/';
  return prefix;
}

}  // namespace

DeliveredReport parse_delivered_report(std::string_view url, const inventory::InventoryLocation& configured) {
  if (url.substr(0, 5) != "s3://") fail(url, "not an s3:// URL");
  const std::string_view rest = url.substr(5);
  const auto slash = rest.find('/');
  if (slash == std::string_view::npos || slash == 0) fail(url, "no bucket and key");
  const std::string bucket(rest.substr(0, slash));
  std::string_view key = rest.substr(slash + 1);
  std::string_view file;
  for (std::string_view name : {"manifest.json", "manifest.checksum"}) {
    if (key.size() > name.size() && key.substr(key.size() - name.size()) == name &&
        key[key.size() - name.size() - 1] == '/')
      file = name;
  }
  if (file.empty()) fail(url, "not an inventory report's manifest.json (or manifest.checksum)");
  key.remove_suffix(file.size() + 1);
  const auto folder_start = key.rfind('/') == std::string_view::npos ? 0 : key.rfind('/') + 1;
  DeliveredReport report;
  report.folder = std::string(key.substr(folder_start));
  const auto scan = inventory::parse_report_folder(report.folder);
  if (!scan) fail(url, "\"" + report.folder + "\" is not a report folder (YYYY-MM-DDTHH-MMZ)");
  report.scan_start = *scan;
  const std::string prefix(key.substr(0, folder_start));
  const std::string expected = with_slash(configured.prefix);
  if (bucket != configured.bucket || prefix != expected)
    fail(url, "another inventory than the config's (s3://" + configured.bucket + "/" + expected + ")");
  report.location = inventory::InventoryLocation{configured.bucket, expected};
  return report;
}

boost::gregorian::date covered_day(const DeliveredReport& report, const inventory::TimeZone& zone) {
  return target_date(report.scan_start, zone);
}

}  // namespace s3tar::scheduler
