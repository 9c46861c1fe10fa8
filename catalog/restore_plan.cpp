#include "catalog/restore_plan.h"

#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <tuple>

#include "catalog/catalog.h"
#include "catalog/find.h"
#include "s3tar/errors.h"

namespace s3tar::catalog {
namespace {

std::string url(const ArchiveRequest& r) { return "s3://" + r.bucket + "/" + r.key; }

std::string tiers_offered(s3::ArchiveAccess access) {
  return access == s3::ArchiveAccess::kDeepArchive || access == s3::ArchiveAccess::kTieringDeepArchive
             ? "Standard (within 12 hours) or Bulk (within 48 hours)"
             : "Expedited, Standard or Bulk";
}

}  // namespace

std::vector<ArchiveRequest> newest_copies(const std::vector<Match>& matches, std::size_t* older) {
  std::vector<ArchiveRequest> out;
  std::map<std::string, std::size_t> by_archive;
  std::set<std::tuple<std::string, std::string, std::string>> taken;
  std::size_t skipped = 0;
  for (const auto& m : matches) {
    const Row& r = m.row;
    if (!taken.insert({r.bucket, r.key, r.version_id}).second) {
      ++skipped;
      continue;
    }
    const std::string url = "s3://" + r.archive_bucket + "/" + r.archive_key;
    auto [it, fresh] = by_archive.try_emplace(url, out.size());
    if (fresh) out.push_back(ArchiveRequest{r.archive_bucket, r.archive_key, r.archive_etag, {}});
    out[it->second].members.push_back(tar::TocEntry{r.key, r.offset, r.size, r.etag});
  }
  if (older) *older = skipped;
  return out;
}

std::string restore_record_key(const std::string& archive_key) { return archive_key + ".restore.json"; }

std::string render_restore_record(const RestoreRecord& r) {
  return nlohmann::json{{"requested_at", format_utc(r.requested_at)}, {"tier", r.tier}, {"days", r.days}}
             .dump() +
         "\n";
}

std::optional<RestoreRecord> parse_restore_record(std::string_view text) {
  const auto j = nlohmann::json::parse(text, nullptr, false);
  if (!j.is_object() || !j.contains("requested_at") || !j["requested_at"].is_string()) return std::nullopt;
  const auto at = parse_utc(j["requested_at"].get<std::string>());
  if (!at) return std::nullopt;
  RestoreRecord r;
  r.requested_at = *at;
  if (j.contains("tier") && j["tier"].is_string()) r.tier = j["tier"].get<std::string>();
  if (j.contains("days") && j["days"].is_number_integer()) r.days = j["days"].get<int>();
  return r;
}

ArchiveStep assess(const ArchiveRequest& request, const ArchiveHead& head,
                   const std::optional<RestoreRecord>& record, std::int64_t now) {
  ArchiveStep s;
  s.request = request;
  s.head = head;
  s.record = record;
  if (!head.exists) return s;
  s.access = s3::archive_access(head.storage_class, head.archive_status);
  if (!s3::needs_restore(s.access)) return s;
  s.status = s3::parse_restore_status(head.restore, now);
  switch (s.status.state) {
    case s3::RestoreStatus::State::kRestored:
      s.step = Step::kReady;
      break;
    case s3::RestoreStatus::State::kInProgress:
      s.step = Step::kWaiting;
      break;
    case s3::RestoreStatus::State::kNone:
      s.step = Step::kRequest;
      // The header names an expiry already past, or s3tar asked before and the copy is gone.
      s.expired = !head.restore.empty() || record.has_value();
      break;
  }
  return s;
}

std::vector<ArchiveStep> plan_restore(const std::vector<ArchiveRequest>& requests,
                                      const std::vector<ArchiveHead>& heads,
                                      const std::vector<std::optional<RestoreRecord>>& records,
                                      s3::RestoreTier tier, std::int64_t now) {
  std::vector<ArchiveStep> steps;
  for (std::size_t i = 0; i < requests.size(); ++i) {
    const ArchiveRequest& r = requests[i];
    const ArchiveHead& h = heads.at(i);
    if (!h.exists)
      throw BadInputError(url(r) + ": the archive is gone (its catalog or sidecar still lists it)");
    if (!r.expected_etag.empty() && h.etag != r.expected_etag)
      throw BadInputError(url(r) + ": the archive was overwritten since it was catalogued (ETag " + h.etag +
                          ", the catalog has " + r.expected_etag + "): its offsets do not hold");
    ArchiveStep s = assess(r, h, records.at(i), now);
    if (s3::needs_restore(s.access) && !s3::offers(s.access, tier))
      throw UsageError(std::string("--tier ") + s3::to_string(tier) + ": " + s3::describe(s.access) +
                       " does not offer it (" + url(r) + "); use " + tiers_offered(s.access));
    steps.push_back(std::move(s));
  }
  return steps;
}

std::string describe_state(const ArchiveStep& s) {
  if (!s.head.exists) return "the archive is gone";
  if (!s3::needs_restore(s.access)) return s.head.storage_class + ", no restore needed";
  const std::string cls = s3::describe(s.access);
  switch (s.status.state) {
    case s3::RestoreStatus::State::kRestored:
      return cls + ", restored" + (s.status.expiry ? " until " + format_utc(s.status.expiry) : std::string());
    case s3::RestoreStatus::State::kInProgress: {
      std::string since = s.record ? "requested " + format_utc(s.record->requested_at) +
                                         (s.record->tier.empty() ? "" : ", " + s.record->tier)
                                   : "requested outside s3tar, time unknown";
      return cls + ", restore in progress (" + since + ")";
    }
    case s3::RestoreStatus::State::kNone:
      break;
  }
  if (s.expired)
    return cls + ", not restored (an earlier restored copy expired" +
           (s.record ? ", requested " + format_utc(s.record->requested_at) : std::string()) + ")";
  return cls + ", not restored";
}

}  // namespace s3tar::catalog
