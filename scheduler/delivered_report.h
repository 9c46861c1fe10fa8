// `s3tar run --inventory-manifest s3://BUCKET/PREFIX/2025-11-21T01-00Z/manifest.json`: the job
// started by the delivery of an inventory report (an EventBridge rule on its manifest.checksum)
// archives the day that report covers. Pure.
#pragma once

#include <boost/date_time/gregorian/gregorian_types.hpp>
#include <cstdint>
#include <string>
#include <string_view>

#include "inventory/discovery.h"
#include "inventory/timezone.h"

namespace s3tar::scheduler {

struct DeliveredReport {
  inventory::InventoryLocation location;  // as configured (prefix with a trailing "/")
  std::string folder;                     // "2025-11-21T01-00Z"
  std::int64_t scan_start = 0;            // unix seconds
};

// The report a manifest.json (or manifest.checksum, which the delivery rule sends) URL names.
// Throws UsageError naming the flag when the URL is not a report's manifest, or is another
// inventory's than `configured` (the job config's `inventory`).
DeliveredReport parse_delivered_report(std::string_view url, const inventory::InventoryLocation& configured);

// The day a report covers: the last day that ended, in `zone`, before its scan started (the
// day select_report would pick it for, as the newest report then).
boost::gregorian::date covered_day(const DeliveredReport& report, const inventory::TimeZone& zone);

}  // namespace s3tar::scheduler
