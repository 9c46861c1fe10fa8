// The daily job's reports: not-archived.csv, run-report.json and the inventory summary text.
// Rendering only; the decisions of what goes in them are in decide.h.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "inventory/reader.h"

namespace s3tar::scheduler {

// "2025-11-20T13:45:07Z"
std::string iso_time(std::int64_t unix_seconds);

// One row of the CSV of objects not archived.
struct NotArchivedRow {
  std::string bucket, key, version_id;
  std::uint64_t size = 0;
  std::int64_t last_modified = 0;
  std::string storage_class;
  // already-archived (an archival storage class in the inventory) | changed | missing | archived
  // (found archived when read) | access-denied | error | unreadable (an earlier attempt left it
  // out and its reason was not recorded)
  std::string reason;
  std::string detail;
};
std::string render_not_archived_csv(const std::vector<NotArchivedRow>& rows);

// The inventory summary as text lines (for `s3tar inventory` and --dry-run).
std::string describe_summary(const inventory::Summary& summary, const std::string& report_folder);

// The inventory summary as the report's JSON object.
nlohmann::json summary_json(const inventory::Summary& summary);

}  // namespace s3tar::scheduler
