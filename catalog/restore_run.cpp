#include "catalog/restore_run.h"

#include <fmt/format.h>

#include <future>
#include <map>

#include "catalog/catalog.h"
#include "s3tar/errors.h"
#include "s3tar/log/log.h"

namespace s3tar::catalog {
namespace {

constexpr std::size_t kInFlight = 32;  // HEADs at once

std::string url(const ArchiveRequest& r) { return "s3://" + r.bucket + "/" + r.key; }

std::vector<ArchiveHead> head_all(ArchiveStore& store, const std::vector<ArchiveRequest>& archives) {
  std::vector<ArchiveHead> heads(archives.size());
  for (std::size_t start = 0; start < archives.size(); start += kInFlight) {
    std::vector<std::future<ArchiveHead>> batch;
    for (std::size_t i = start; i < std::min(archives.size(), start + kInFlight); ++i)
      batch.push_back(
          std::async(std::launch::async, [&store, &a = archives[i]] { return store.head(a.bucket, a.key); }));
    for (std::size_t i = 0; i < batch.size(); ++i) heads[start + i] = batch[i].get();
  }
  return heads;
}

std::vector<std::optional<RestoreRecord>> records_of(ArchiveStore& store,
                                                     const std::vector<ArchiveRequest>& archives,
                                                     const std::vector<ArchiveHead>& heads) {
  std::vector<std::optional<RestoreRecord>> records(archives.size());
  for (std::size_t i = 0; i < archives.size(); ++i) {
    if (!heads[i].exists ||
        !s3::needs_restore(s3::archive_access(heads[i].storage_class, heads[i].archive_status)))
      continue;
    if (auto text = store.read(archives[i].bucket, restore_record_key(archives[i].key)))
      records[i] = parse_restore_record(*text);
  }
  return records;
}

// The cost of the restores to request, one estimate per class.
void print_cost(const std::vector<ArchiveStep>& steps, const RestoreOptions& o, std::ostream& out) {
  std::map<s3::ArchiveAccess, std::pair<std::uint64_t, std::uint64_t>> by_class;  // archives, bytes
  for (const auto& s : steps) {
    if (s.step != Step::kRequest) continue;
    auto& [n, bytes] = by_class[s.access];
    ++n;
    bytes += s.head.size;
  }
  for (const auto& [access, count] : by_class)
    out << describe(estimate_restore(o.prices, access, o.tier, count.first, count.second, o.days), o.prices,
                    access, o.tier, o.days);
  if (by_class.empty()) out << "No restore to request: every archive is readable or being restored.\n";
}

}  // namespace

std::string typical_wait(s3::ArchiveAccess access, s3::RestoreTier tier) {
  const bool deep =
      access == s3::ArchiveAccess::kDeepArchive || access == s3::ArchiveAccess::kTieringDeepArchive;
  switch (tier) {
    case s3::RestoreTier::Expedited:
      return "typically 1-5 minutes";
    case s3::RestoreTier::Standard:
      return deep ? "typically within 12 hours" : "typically 3-5 hours";
    case s3::RestoreTier::Bulk:
      return deep ? "typically within 48 hours" : "typically 5-12 hours";
  }
  return "";
}

std::vector<ArchiveStep> assess_archives(ArchiveStore& store, const std::vector<ArchiveRequest>& archives,
                                         std::int64_t now) {
  const auto heads = head_all(store, archives);
  const auto records = records_of(store, archives, heads);
  std::vector<ArchiveStep> steps;
  for (std::size_t i = 0; i < archives.size(); ++i)
    steps.push_back(assess(archives[i], heads[i], records[i], now));
  return steps;
}

std::vector<ArchiveStep> prepare_restore(ArchiveStore& store, const std::vector<ArchiveRequest>& archives,
                                         const RestoreOptions& o, std::ostream& out,
                                         std::vector<ArchiveStep>* pending) {
  const auto heads = head_all(store, archives);
  const auto records = records_of(store, archives, heads);
  std::vector<ArchiveStep> steps = plan_restore(archives, heads, records, o.tier, o.now);
  print_cost(steps, o, out);
  if (o.dry_run) return steps;

  for (auto& s : steps) {
    if (s.step != Step::kRequest) continue;
    const std::string where = url(s.request);
    if (s.expired)
      log::info("restore.expired", where + ": the restored copy expired; requesting a restore again");
    switch (store.request_restore(s.request.bucket, s.request.key, s.access, o.days, o.tier)) {
      case ArchiveStore::Answer::kAlreadyRestored:
        s.step = Step::kReady;  // restored between our HEAD and the request
        continue;
      case ArchiveStore::Answer::kInProgress:
        s.step = Step::kWaiting;
        continue;
      case ArchiveStore::Answer::kStarted:
        break;
    }
    s.step = Step::kWaiting;
    s.record = RestoreRecord{o.now, s3::to_string(o.tier), o.days};
    s.status.state = s3::RestoreStatus::State::kInProgress;
    try {
      store.write(s.request.bucket, restore_record_key(s.request.key), render_restore_record(*s.record));
    } catch (const std::exception& e) {
      // The restore runs all the same; only "since when" is lost.
      log::warn("restore.record_failed",
                where + ": could not record when the restore was requested: " + e.what());
    }
    log::info("restore.requested",
              fmt::format("{}: restore requested ({}, {} day{}, {})", where, s3::to_string(o.tier), o.days,
                          o.days == 1 ? "" : "s", typical_wait(s.access, o.tier)));
  }

  std::size_t waiting = 0;
  for (const auto& s : steps) {
    if (s.step != Step::kWaiting) continue;
    ++waiting;
    out << url(s.request) << ": " << describe_state(s) << "\n";
  }
  if (waiting > 0 && pending) *pending = steps;
  if (waiting > 0)
    throw NotYetError(fmt::format("{} of {} archive{} not restored yet; run the same command again later",
                                  waiting, steps.size(), steps.size() == 1 ? " is" : "s are"));
  return steps;
}

}  // namespace s3tar::catalog
