#pragma once

#include <boost/date_time/gregorian/gregorian_types.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "inventory/manifest.h"
#include "inventory/object_store.h"
#include "inventory/timezone.h"

namespace s3tar::inventory {

// Where one inventory configuration delivers its reports: the destination bucket and the
// prefix "<dest-prefix>/<source-bucket>/<config-id>/" (a missing trailing "/" is added).
struct InventoryLocation {
  std::string bucket;
  std::string prefix;
};

// "2025-11-21T01-00Z" (a trailing "/" is allowed) -> the scan start in unix seconds;
// nullopt for anything else (such as "data" or "hive").
std::optional<std::int64_t> parse_report_folder(std::string_view name);

// One report folder as listed, and whether its manifest.checksum exists.
struct ReportCandidate {
  std::string folder;  // "2025-11-21T01-00Z"
  bool has_checksum = false;
};

struct ReportSelection {
  bool found = false;
  std::string folder;           // when found
  std::int64_t scan_start = 0;  // when found
  std::string reason;           // why nothing was found (for the "not delivered yet" message)
};

// Picks the newest report whose scan started at or after the end of `day` in `zone` and whose
// manifest.checksum exists. Malformed folder names are ignored. Pure.
ReportSelection select_report(const std::vector<ReportCandidate>& folders, boost::gregorian::date day,
                              const TimeZone& zone);

// A located, checksum-verified, parsed report.
struct Report {
  InventoryLocation location;
  std::string folder;
  std::int64_t scan_start = 0;
  std::string manifest_key;
  Manifest manifest;
};

// Throws ConfigError when `location` cannot be an inventory configuration's prefix: it ends in
// a report folder ("2025-11-21T01-00Z"), "data", "hive", or a report's file (manifest.json,
// manifest.checksum). The message names the location expected. Pure.
void check_location(const InventoryLocation& location);

// Lists the report folders under `location` and loads the one select_report() picks. Throws
// ConfigError when the location is wrong (check_location, or no report folder of any date
// under it: the folder layout is not an inventory's), NotDeliveredError when the layout is
// right and no report qualifies yet, BadInputError (or a subclass) when the
// chosen report's manifest is broken or fails its checksum.
Report find_report(ObjectStore& store, const InventoryLocation& location, boost::gregorian::date day,
                   const TimeZone& zone);

// Reads, verifies (MD5 against manifest.checksum) and parses `folder`'s manifest.json.
Report load_report(ObjectStore& store, const InventoryLocation& location, const std::string& folder);

}  // namespace s3tar::inventory
