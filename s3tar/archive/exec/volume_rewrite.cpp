#include "s3tar/archive/exec/volume_rewrite.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstdint>
#include <set>
#include <stdexcept>
#include <tuple>

#include "s3tar/archive/exec/source_probe.h"
#include "s3tar/archive/plan/reuse.h"
#include "s3tar/log/log.h"

namespace s3tar::exec {
namespace {

using MemberId = std::tuple<std::string, std::string, std::string>;  // bucket, key, version

MemberId id_of(const plan::Member& m) {
  return {m.bucket(), std::string(m.key()), std::string(m.version_id())};
}

MemberId id_of(const SourceProblem& p) { return {p.bucket, p.key, p.version_id}; }

std::set<MemberId> ids_of(const std::vector<SourceProblem>& problems) {
  std::set<MemberId> out;
  for (const auto& p : problems) out.insert(id_of(p));
  return out;
}

// Logs each member `problems` names once (one that failed in two parts is named twice) and
// adds it to `skipped`.
void log_skipped(const std::vector<SourceProblem>& problems, std::vector<SourceProblem>& skipped) {
  std::set<MemberId> seen;
  for (const auto& p : problems) {
    if (!seen.insert(id_of(p)).second) continue;
    log::warn("source.skipped", "skipping s3://" + p.bucket + "/" + p.key + ": " + p.reason,
              {{"bucket", p.bucket}, {"key", p.key}, {"reason", p.reason}, {"error", p.message}});
    skipped.push_back(p);
  }
}

// Plans `volume` again without the members `bad` names: same key, same order, one volume.
// False when nothing is left.
bool plan_without(plan::Volume& volume, const std::set<MemberId>& bad, const WriteRequest& request) {
  std::vector<plan::Member> rest;
  for (auto& m : volume.members)
    if (!bad.count(id_of(m))) rest.push_back(m);
  if (rest.empty()) {
    log::warn("archive.empty",
              "no source of s3://" + request.bucket + "/" + volume.key + " is readable: not written");
    return false;
  }
  plan::Options opts = request.plan;
  opts.archive_key = volume.key;
  opts.size_limit = 0;
  opts.order = plan::Order::Input;
  plan::Plan again = plan::make_plan(std::move(rest), opts);
  if (again.volumes.size() != 1) throw std::logic_error("re-planning a volume gave several volumes");
  volume = std::move(again.volumes[0]);
  return true;
}

// The ids of members_in_hand(), the bytes held being those `cache` holds.
template <typename CopyHeld>
std::set<MemberId> in_hand(const plan::Volume& v, const SourceCache& cache, CopyHeld copy_held) {
  std::set<MemberId> out;
  const auto bytes_held = [&](const plan::Member& m, std::uint64_t offset, std::uint64_t length) {
    return cache.holds(m, offset, length);
  };
  for (std::size_t i : members_in_hand(v, copy_held, bytes_held)) out.insert(id_of(v.members[i]));
  return out;
}

}  // namespace

std::vector<std::size_t> members_in_hand(const plan::Volume& v, const CopyHeldFn& copy_held,
                                         const BytesHeldFn& bytes_held) {
  enum : char { kUnseen, kHeld, kMissing };
  std::vector<char> state(v.members.size(), kUnseen);
  auto see = [&](std::size_t i, bool held) {
    if (state[i] != kMissing) state[i] = held ? kHeld : kMissing;
  };
  for (const plan::Part& p : v.parts) {
    if (p.kind == plan::PartKind::Copy) {
      see(p.copy.member, copy_held(p));
      continue;
    }
    for (const plan::Piece& piece : plan::expand_pieces(v, p))
      if (piece.kind == plan::PieceKind::Source)
        see(piece.member, bytes_held(v.members[piece.member], piece.offset, piece.length));
  }
  std::vector<std::size_t> out;
  for (std::size_t i = 0; i < v.members.size(); ++i)
    if (state[i] == kHeld) out.push_back(i);
  return out;
}

std::vector<SourceProblem> probe_members(s3::S3Client& client, std::span<const plan::Member> members,
                                         bool exhaustive, const std::string& archive) {
  ProbeResult r = probe_sources(client, members, exhaustive);
  log::debug(
      "sources.probed",
      fmt::format("checked the {} sources of {}: {} unreadable", members.size(), archive, r.problems.size()),
      {{"archive", archive},
       {"list_requests", r.list_requests},
       {"head_requests", r.head_requests},
       {"unverified", r.unverified},
       {"unreadable", r.problems.size()}});
  return std::move(r.problems);
}

bool replan_without(plan::Volume& volume, const std::vector<SourceProblem>& problems,
                    const WriteRequest& request, std::vector<SourceProblem>& skipped) {
  log_skipped(problems, skipped);
  return plan_without(volume, ids_of(problems), request);
}

bool rewrite_plan(s3::S3Client& client, plan::Volume& volume, std::vector<SourceProblem> problems,
                  const WriteRequest& request, OpenUpload& open, const SourceCache& cache,
                  const std::string& archive, std::vector<SourceProblem>& skipped) {
  const bool keeps_copies = open.session != nullptr;
  std::set<MemberId> held = in_hand(
      volume, cache, [&](const plan::Part& p) { return keeps_copies && open.stored.count(p.number) > 0; });
  std::vector<plan::Member> unchecked;
  {
    const std::set<MemberId> bad = ids_of(problems);
    for (const auto& m : volume.members)
      if (!bad.count(id_of(m)) && !held.count(id_of(m))) unchecked.push_back(m);
  }
  const auto unreadable = probe_members(client, unchecked, true, archive);
  problems.insert(problems.end(), unreadable.begin(), unreadable.end());
  std::vector<std::uint32_t> stored;
  for (const auto& [number, etag] : open.stored) stored.push_back(number);
  const plan::Volume old = volume;
  for (;;) {  // each turn probes members taken as in hand: at most once each
    plan::Volume next = old;
    if (!plan_without(next, ids_of(problems), request)) {
      log_skipped(problems, skipped);
      return false;
    }
    if (keeps_copies) next = plan::replan_keeping_copies(old, std::move(next), stored, request.plan);
    // Members taken as in hand that the new cut reads after all (a copy part not kept).
    const std::set<MemberId> still = in_hand(next, cache, [](const plan::Part& p) { return p.reused; });
    std::vector<plan::Member> recheck;
    for (const auto& m : next.members)
      if (held.count(id_of(m)) && !still.count(id_of(m))) {
        recheck.push_back(m);
        held.erase(id_of(m));
      }
    const auto gone =
        recheck.empty() ? std::vector<SourceProblem>{} : probe_members(client, recheck, true, archive);
    if (gone.empty()) {
      volume = std::move(next);
      break;
    }
    problems.insert(problems.end(), gone.begin(), gone.end());
  }
  log_skipped(problems, skipped);
  const auto unprobed =
      static_cast<size_t>(std::count_if(volume.members.begin(), volume.members.end(),
                                        [&](const plan::Member& m) { return held.count(id_of(m)); }));
  log::debug(
      "archive.rewrite.in_hand",
      fmt::format("{}: {} member(s) kept without a check: all their bytes were in hand", archive, unprobed),
      {{"archive", archive}, {"members", unprobed}});
  if (!keeps_copies) return true;
  const size_t kept = plan::reused_parts(volume);
  log::info("archive.rewrite",
            fmt::format("rewriting {} in its open upload, keeping {} copy part(s)", archive, kept),
            {{"archive", archive}, {"parts_reused", kept}, {"parts_stored", stored.size()}});
  if (kept == 0) open.abort("nothing of the upload of " + archive + " can be kept");
  return true;
}

}  // namespace s3tar::exec
