#include "catalog/find_output.h"

#include <fmt/format.h>

namespace s3tar::catalog {
namespace {

const char* state_name(const ArchiveStep& s) {
  if (!s.head.exists) return "gone";
  if (!s3::needs_restore(s.access)) return "not-needed";
  switch (s.status.state) {
    case s3::RestoreStatus::State::kInProgress:
      return "in-progress";
    case s3::RestoreStatus::State::kRestored:
      return "restored";
    case s3::RestoreStatus::State::kNone:
      break;
  }
  return s.expired ? "expired" : "none";
}

// The archive was overwritten since the catalog (or sidecar) was written: offsets do not hold.
bool changed(const Row& row, const ArchiveStep& s) {
  return s.head.exists && !row.archive_etag.empty() && s.head.etag != row.archive_etag;
}

}  // namespace

std::string archive_url(const Row& row) { return "s3://" + row.archive_bucket + "/" + row.archive_key; }

std::string render_find_text(const FindResult& result, const ArchiveStates& states) {
  std::string out;
  for (const auto& m : result.matches) {
    const Row& r = m.row;
    out += fmt::format("s3://{}/{} (archived {}{})\n", r.bucket, r.key, m.day,
                       m.from_sidecar ? ", from its sidecar" : "");
    out +=
        fmt::format("  version {}, {} bytes, ETag {}, last modified {}\n",
                    r.version_id.empty() ? "-" : r.version_id, r.size, r.etag, format_utc(r.last_modified));
    out += fmt::format("  in {} at offset {} (archive ETag {})\n", archive_url(r), r.offset, r.archive_etag);
    const auto s = states.find(archive_url(r));
    if (s == states.end()) continue;
    out += "  " + describe_state(s->second);
    if (changed(r, s->second))
      out += fmt::format("; the archive was overwritten since (ETag {}): these offsets do not hold",
                         s->second.head.etag);
    out += "\n";
  }
  return out;
}

nlohmann::json render_find_json(const FindResult& result, const ArchiveStates& states) {
  nlohmann::json matches = nlohmann::json::array();
  for (const auto& m : result.matches) {
    const Row& r = m.row;
    nlohmann::json j = {{"day", m.day},
                        {"bucket", r.bucket},
                        {"key", r.key},
                        {"version_id", r.version_id},
                        {"size", r.size},
                        {"last_modified", format_utc(r.last_modified)},
                        {"etag", r.etag},
                        {"archive", archive_url(r)},
                        {"archive_bucket", r.archive_bucket},
                        {"archive_key", r.archive_key},
                        {"archive_etag", r.archive_etag},
                        {"offset", r.offset},
                        {"source", m.from_sidecar ? "sidecar" : "catalog"}};
    const auto s = states.find(archive_url(r));
    if (s != states.end()) {
      const ArchiveStep& a = s->second;
      nlohmann::json restore = {{"state", state_name(a)}};
      if (a.status.expiry) restore["expiry"] = format_utc(a.status.expiry);
      if (a.record) restore["requested_at"] = format_utc(a.record->requested_at);
      j["storage_class"] = a.head.storage_class;
      j["restore"] = std::move(restore);
      j["archive_changed"] = changed(r, a);
    }
    matches.push_back(std::move(j));
  }
  return {{"matches", std::move(matches)},
          {"days_read", result.days.size()},
          {"sidecar_days", result.sidecar_days}};
}

}  // namespace s3tar::catalog
