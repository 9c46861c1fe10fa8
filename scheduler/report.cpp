#include "scheduler/report.h"

#include <fmt/format.h>

#include <ctime>

#include "inventory/manifest_csv.h"

namespace s3tar::scheduler {

std::string iso_time(std::int64_t t) {
  const std::time_t tt = static_cast<std::time_t>(t);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::string render_not_archived_csv(const std::vector<NotArchivedRow>& rows) {
  std::string out = "bucket,key,version_id,size,last_modified,storage_class,reason,detail\n";
  for (const auto& r : rows) {
    out += inventory::csv_field(r.bucket) + "," + inventory::csv_field(r.key) + "," +
           inventory::csv_field(r.version_id) + "," + std::to_string(r.size) + "," +
           (r.last_modified ? iso_time(r.last_modified) : std::string()) + "," +
           inventory::csv_field(r.storage_class) + "," + inventory::csv_field(r.reason) + "," +
           inventory::csv_field(r.detail) + "\n";
  }
  return out;
}

std::string describe_summary(const inventory::Summary& s, const std::string& folder) {
  std::string out = fmt::format("Inventory report {}: {} data file(s), {} rows read\n", folder,
                                s.files.size(), s.rows_read);
  out += fmt::format("Selected: {} objects, {} bytes\n", s.kept, s.bytes_kept);
  out += fmt::format(
      "Dropped: outside the date {}, too small {}, not the latest version {}, delete markers {}, "
      "excluded prefix {}, bad rows {}\n",
      s.outside_date, s.too_small, s.not_latest, s.delete_marker, s.excluded_prefix, s.bad_rows);
  out += fmt::format("Already archived (archival storage class): {} objects, {} bytes\n", s.archived_class,
                     s.bytes_not_archivable);
  return out;
}

nlohmann::json summary_json(const inventory::Summary& s) {
  return {{"rows_read", s.rows_read},
          {"kept", s.kept},
          {"bytes_kept", s.bytes_kept},
          {"dropped",
           {{"too_small", s.too_small},
            {"outside_date", s.outside_date},
            {"not_latest", s.not_latest},
            {"delete_marker", s.delete_marker},
            {"archived_class", s.archived_class},
            {"excluded_prefix", s.excluded_prefix},
            {"bad_rows", s.bad_rows}}},
          {"bytes_not_archivable", s.bytes_not_archivable},
          {"data_files", s.files.size()}};
}

}  // namespace s3tar::scheduler
