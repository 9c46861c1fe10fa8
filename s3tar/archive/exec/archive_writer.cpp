#include "s3tar/archive/exec/archive_writer.h"

#include <fmt/format.h>

#include <algorithm>
#include <optional>

#include "s3tar/archive/exec/volume_rewrite.h"
#include "s3tar/archive/plan/reuse.h"
#include "s3tar/log/log.h"

namespace s3tar::exec {
namespace {

// US East list prices per 1,000 write requests (PUT/COPY/POST, also the lifecycle transition
// price) into each storage class, and monthly per-object overhead of the archival classes.
double write_price_per_1000(const std::string& storage_class) {
  if (storage_class == "DEEP_ARCHIVE") return 0.05;
  if (storage_class == "GLACIER") return 0.03;
  if (storage_class == "GLACIER_IR") return 0.02;
  if (storage_class == "STANDARD_IA" || storage_class == "ONEZONE_IA") return 0.01;
  return 0.005;
}

// 32 KB at the archival class's rate + 8 KB at STANDARD's, per object per month (GLACIER and
// DEEP_ARCHIVE only).
double monthly_overhead_per_object(const std::string& storage_class) {
  const double gb = 1.0 / (1024.0 * 1024.0);
  if (storage_class == "DEEP_ARCHIVE") return 32 * gb * 0.00099 + 8 * gb * 0.023;
  if (storage_class == "GLACIER") return 32 * gb * 0.0036 + 8 * gb * 0.023;
  return 0;
}

}  // namespace

nlohmann::json request_counts(const s3::RequestCounters& counters, uint64_t& total) {
  nlohmann::json requests = nlohmann::json::object();
  total = 0;
  for (int op = 0; op < static_cast<int>(s3::Op::Count); ++op) {
    const uint64_t n = counters.by_op[op].load();
    if (n) requests[s3::op_name(static_cast<s3::Op>(op))] = n;
    total += n;
  }
  return requests;
}

std::string describe_plan(const plan::Plan& plan, const std::string& bucket,
                          const std::string& storage_class) {
  std::string out;
  const auto& s = plan.stats;
  out += fmt::format("Plan: {} objects, {} in {} archive(s), storage class {}\n", s.members,
                     log::human_bytes(s.archive_bytes), plan.volumes.size(), storage_class);
  for (const auto& v : plan.volumes) {
    size_t copies = 0, uploads = 0;
    for (const auto& p : v.parts) (p.kind == plan::PartKind::Copy ? copies : uploads)++;
    out += fmt::format("  s3://{}/{}: {} members, {} ({} bytes), {}\n", bucket, v.key, v.members.size(),
                       log::human_bytes(v.total_size), v.total_size,
                       v.single_put ? std::string("one PutObject")
                                    : fmt::format("{} parts ({} copied server-side, {} uploaded)",
                                                  v.parts.size(), copies, uploads));
  }
  const auto& r = s.requests;
  out += fmt::format(
      "Requests: {} total: GetObject {}, UploadPart {}, UploadPartCopy {}, PutObject {}, "
      "CreateMultipartUpload {}, CompleteMultipartUpload {}\n",
      r.total(), r.get_object, r.upload_part, r.upload_part_copy, r.put_object, r.create_multipart_upload,
      r.complete_multipart_upload);
  out += fmt::format("Bytes: downloaded {}, uploaded {}, copied server-side {}\n",
                     log::human_bytes(s.bytes_downloaded), log::human_bytes(s.bytes_uploaded),
                     log::human_bytes(s.bytes_copied));
  if (s.members > 0) {
    out += fmt::format("Per object: {:.3f} requests, {:.3f} bytes downloaded per archive byte\n",
                       static_cast<double>(r.total()) / static_cast<double>(s.members),
                       s.archive_bytes
                           ? static_cast<double>(s.bytes_downloaded) / static_cast<double>(s.archive_bytes)
                           : 0.0);
  }
  // Writes into the class are priced at its PUT rate; GETs of the sources at STANDARD's.
  const double price = write_price_per_1000(storage_class);
  const uint64_t writes = r.total() - r.get_object;
  const double ours =
      static_cast<double>(writes) * price / 1000 + static_cast<double>(r.get_object) * 0.0004 / 1000;
  const double one_by_one = static_cast<double>(s.members) * price / 1000;
  out += fmt::format("Estimated request cost: ${:.4f} (US East list prices)\n", ours);
  out +=
      fmt::format("Archiving the {} objects one at a time into {} instead: ${:.4f} in requests/transitions",
                  s.members, storage_class, one_by_one);
  const double overhead = monthly_overhead_per_object(storage_class);
  if (overhead > 0) {
    out += fmt::format(", plus ${:.4f}/month of per-object overhead (vs ${:.6f}/month for {} archive(s))",
                       overhead * static_cast<double>(s.members),
                       overhead * static_cast<double>(plan.volumes.size()), plan.volumes.size());
  }
  out += "\n";
  return out;
}

WriteOutcome write_archives(s3::S3Client& client, std::vector<plan::Member> members,
                            const WriteRequest& request, const std::atomic<bool>& stop) {
  return write_plan(client, plan::make_plan(std::move(members), request.plan), request, stop);
}

namespace {

// Writes one planned volume: probe, leave out what is unreadable, write; after a failed
// attempt, find every unreadable member at once and rewrite once. nullopt: nothing to write.
std::optional<VolumeResult> write_checked(s3::S3Client& client, Executor& executor,
                                          const WriteRequest& request, size_t index, plan::Volume volume,
                                          std::vector<SourceProblem>& skipped) {
  const std::string archive = "s3://" + request.bucket + "/" + volume.key;
  std::vector<SourceProblem> problems = probe_members(client, volume.members.span(), false, archive);
  if (!problems.empty()) {
    if (!request.skip_unreadable)
      throw SourceError(describe_problems(problems) + "; nothing of " + archive + " was written", problems);
    if (!replan_without(volume, problems, request, skipped)) return std::nullopt;
  }
  SourceCache read_before(request.exec.spool_limit,
                          request.exec.spool_dir);  // what a failed attempt read, for the rewrite
  // The first attempt's upload, kept open after unreadable sources when it stored copy parts:
  // the rewrite keeps them (plan/reuse.h). Aborted on every path that does not complete it.
  OpenUpload open;
  open.keep_on_unreadable = request.skip_unreadable;
  for (int attempt = 1;; ++attempt) {
    try {
      log::info("archive.start",
                fmt::format("writing {} ({} objects, {})", archive, volume.members.size(),
                            log::human_bytes(volume.total_size)),
                {{"archive", archive},
                 {"objects", volume.members.size()},
                 {"bytes", volume.total_size},
                 {"parts", volume.parts.size()},
                 {"parts_reused", plan::reused_parts(volume)},
                 {"attempt", attempt}});
      const nlohmann::json extras =
          request.index_extras ? request.index_extras(index, volume) : nlohmann::json();
      VolumeResult r = executor.write_volume(request.bucket, volume, extras, &read_before, &open);
      log::info("archive.complete",
                fmt::format("wrote {}: {} objects, {} bytes, ETag {}", archive, r.members, r.size, r.etag),
                {{"archive", archive},
                 {"objects", r.members},
                 {"bytes", r.size},
                 {"etag", r.etag},
                 {"index", r.index_key},
                 {"sources_reused", read_before.reused()}});
      if (request.on_written) request.on_written(index, volume, r);
      return r;
    } catch (const SourceError& e) {
      if (!request.skip_unreadable) throw;
      if (attempt > 1)
        throw TransientError(std::string(e.what()) + ": sources of " + archive +
                             " changed again while it was rewritten without those found before; run again");
      open.keep_on_unreadable = false;  // the rewrite is the last attempt
      try {
        if (!rewrite_plan(client, volume, e.problems(), request, open, read_before, archive, skipped)) {
          open.abort("no source of " + archive + " is readable");
          return std::nullopt;
        }
      } catch (...) {
        if (open.session) open.session->abort_and_rethrow(std::current_exception());
        throw;
      }
    }
  }
}

}  // namespace

WriteOutcome write_plan(s3::S3Client& client, plan::Plan plan, const WriteRequest& request,
                        const std::atomic<bool>& stop) {
  WriteOutcome out;
  out.plan = std::move(plan);
  if (request.dry_run) return out;
  Executor executor(client, request.exec, stop);
  for (size_t i = 0; i < out.plan.volumes.size(); ++i) {
    const plan::Volume& volume = out.plan.volumes[i];
    if (request.skip_volume && request.skip_volume(i, volume)) continue;
    if (stop) throw Interrupted("stopped before writing s3://" + request.bucket + "/" + volume.key);
    if (auto r = write_checked(client, executor, request, i, volume, out.skipped))
      out.written.push_back(std::move(*r));
  }
  return out;
}

}  // namespace s3tar::exec
