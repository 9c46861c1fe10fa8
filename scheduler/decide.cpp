#include "scheduler/decide.h"

#include <utility>

#include "s3tar/exit_codes.h"

namespace s3tar::scheduler {
namespace {

using BucketKey = std::pair<std::string, std::string>;

NotArchivedRow row_for(const plan::Member& m, std::string reason, std::string detail) {
  return {m.bucket(),        std::string(m.key()), std::string(m.version_id()), m.size, m.mtime(), "",
          std::move(reason), std::move(detail)};
}

}  // namespace

std::vector<NotArchivedRow> skipped_from(const plan::Volume& planned,
                                         const std::vector<SidecarMember>& archived,
                                         const std::vector<exec::SourceProblem>& recorded) {
  std::set<BucketKey> in_archive;
  for (const auto& m : archived) in_archive.insert({m.bucket, m.key});
  std::map<BucketKey, const exec::SourceProblem*> reasons;
  for (const auto& p : recorded) reasons[{p.bucket, p.key}] = &p;
  std::vector<NotArchivedRow> rows;
  for (const auto& m : planned.members) {
    if (in_archive.count({m.bucket(), std::string(m.key())})) continue;
    if (auto it = reasons.find({m.bucket(), std::string(m.key())}); it != reasons.end())
      rows.push_back(row_for(m, it->second->reason, it->second->message));
    else
      rows.push_back(
          row_for(m, "unreadable", "left out by an earlier attempt of this day (reason not recorded)"));
  }
  return rows;
}

Actions decide(const plan::Plan& plan, const Shard& shard, const Destination& dest,
               const std::vector<inventory::NotArchivable>& not_archivable, const Policy& policy) {
  Actions a;
  for (std::size_t i = 0; i < plan.volumes.size(); ++i) {
    if (!shard.owns(i)) continue;
    a.owned.push_back(i);
    const auto probe = dest.probes.find(i);
    const VolumeState state = probe == dest.probes.end() ? VolumeState::kMissing : classify(probe->second);
    a.states[i] = state;
    switch (state) {
      case VolumeState::kMissing:
        a.write_new.push_back(i);
        break;
      case VolumeState::kIncomplete:
        a.overwrite.push_back(i);
        break;
      case VolumeState::kComplete: {
        a.complete.push_back(i);
        const auto sidecar = dest.sidecars.find(i);
        static const std::vector<SidecarMember> kNone;
        const auto& members = sidecar == dest.sidecars.end() ? kNone : sidecar->second;
        for (const auto& m : members) a.tag_complete.push_back({m.bucket, m.key, m.version_id, m.etag});
        const auto rec = dest.skips.find(i);
        static const std::vector<exec::SourceProblem> kNoSkips;
        for (auto& r :
             skipped_from(plan.volumes[i], members, rec == dest.skips.end() ? kNoSkips : rec->second))
          a.earlier_skips.push_back(std::move(r));
        break;
      }
    }
  }
  a.open_before = dest.open_uploads;
  if (policy.report_archived_class) {
    for (const auto& n : not_archivable)
      a.already_archived.push_back({n.object.bucket, n.object.key, n.object.version_id, n.object.size,
                                    n.object.last_modified, n.object.storage_class, "already-archived",
                                    n.reason});
  }
  return a;
}

std::vector<s3::UploadInfo> stale_uploads(const std::vector<s3::UploadInfo>& open_before,
                                          const std::set<std::string>& complete_keys) {
  std::vector<s3::UploadInfo> out;
  for (const auto& u : open_before)
    if (complete_keys.count(u.key)) out.push_back(u);
  return out;
}

Conclusion conclude(const plan::Plan& plan, const Actions& actions, const Applied& applied,
                    const Destination& dest, const Policy& policy) {
  Conclusion c;
  std::map<BucketKey, const plan::Member*> planned;
  for (const auto& v : plan.volumes)
    for (const auto& m : v.members) planned[{m.bucket(), std::string(m.key())}] = &m;

  auto add_skip = [&](NotArchivedRow r) {
    ++c.skipped_objects;
    c.skipped_bytes += r.size;
    ++c.skipped_by_reason[r.reason];
    c.rows.push_back(std::move(r));
  };
  for (const auto& r : actions.earlier_skips) add_skip(r);
  for (const auto& done : applied.completed_elsewhere)
    for (const auto& r : done.skipped) add_skip(r);
  for (const auto& p : applied.skipped) {
    NotArchivedRow r{p.bucket, p.key, p.version_id, 0, 0, "", p.reason, p.message};
    if (auto it = planned.find({p.bucket, p.key}); it != planned.end()) {
      r.size = it->second->size;
      r.last_modified = it->second->mtime();
    }
    add_skip(std::move(r));
  }
  for (const auto& r : actions.already_archived) {
    if (policy.archived_class_is_skip) {
      add_skip(r);
      continue;
    }
    ++c.already_archived_objects;
    c.already_archived_bytes += r.size;
    c.rows.push_back(r);
  }

  for (std::size_t i : actions.complete) {
    if (auto it = dest.sidecars.find(i); it != dest.sidecars.end()) {
      c.archived_objects += it->second.size();
      for (const auto& m : it->second) c.archived_bytes += m.size;
    }
  }
  for (const auto& done : applied.completed_elsewhere) {
    c.archived_objects += done.members.size();
    for (const auto& m : done.members) c.archived_bytes += m.size;
  }
  for (const auto& w : applied.written) {
    c.archived_objects += w.result.members;
    c.archived_bytes += w.bytes;
  }

  c.rerun_of_complete_day =
      !actions.owned.empty() && actions.complete.size() == actions.owned.size() && applied.tag_failures == 0;
  c.exit_code = (c.skipped_objects == 0 && applied.tag_failures == 0) ? kSuccess : kPartial;
  return c;
}

std::vector<CatalogArchive> catalog_archives(const plan::Plan& plan, const Actions& actions,
                                             const Applied& applied, const Destination& destination) {
  std::map<std::size_t, std::string> etags;  // by volume index: sorts them in plan order
  for (std::size_t i : actions.complete) etags[i] = destination.probes.at(i).archive_etag;
  for (const auto& done : applied.completed_elsewhere) etags[done.index] = done.probe.archive_etag;
  for (const auto& w : applied.written) etags[w.index] = w.result.etag;
  std::vector<CatalogArchive> out;
  for (auto& [i, etag] : etags) out.push_back({i, plan.volumes[i].key, std::move(etag)});
  return out;
}

}  // namespace s3tar::scheduler
