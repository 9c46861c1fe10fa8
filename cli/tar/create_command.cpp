#include <fmt/format.h>

#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <set>

#include "cli/context.h"
#include "cli/output.h"
#include "cli/tar/commands.h"
#include "cli/tar/sources.h"
#include "s3tar/archive/exec/archive_writer.h"
#include "s3tar/archive/exec/stale_uploads.h"
#include "s3tar/archive/exec/volume_set.h"
#include "s3tar/errors.h"
#include "s3tar/exit_codes.h"
#include "s3tar/log/log.h"

namespace s3tar::cli {

using exec::describe_plan;
using exec::write_plan;
using exec::WriteOutcome;
using exec::WriteRequest;

namespace {

struct EarlierOutputs {
  std::vector<std::string> volumes;  // archives an earlier run wrote under this key
  bool set_manifest = false;
  bool any() const { return set_manifest || !volumes.empty(); }
};

EarlierOutputs find_earlier_outputs(s3::S3Client& client, const std::string& bucket,
                                    const exec::ArchiveOutputs& outputs) {
  EarlierOutputs e;
  client.list_all(bucket, outputs.prefix(), [&](const s3::ListedObject& o) {
    if (o.key == outputs.set_manifest_key()) e.set_manifest = true;
    if (outputs.is_volume(o.key)) e.volumes.push_back(o.key);
  });
  return e;
}

// With --size-limit, or where an earlier set was written, the volumes form a set: its manifest
// says "writing" before the first volume and "complete" with the volumes after the last, and
// each sidecar names the set (s3tar/archive/exec/volume_set.h).
class VolumeSet {
 public:
  VolumeSet(s3::S3Client& client, std::string bucket, const exec::ArchiveOutputs& outputs,
            const plan::Plan& plan, bool enabled)
      : client_(client), bucket_(std::move(bucket)), outputs_(outputs), enabled_(enabled) {
    if (!enabled_) return;
    id_ = exec::set_id(plan);
    for (const auto& v : plan.volumes) keys_.push_back(v.key);
  }

  void begin(WriteRequest& req) {
    if (!enabled_) return;
    put("writing", {});
    req.index_extras = [this, count = keys_.size()](size_t index, const plan::Volume&) {
      return exec::set_index_fields(id_, bucket_, outputs_, index, count);
    };
  }

  void finish(const std::vector<exec::VolumeResult>& written, const std::vector<std::string>& earlier) {
    if (!enabled_) return;
    put("complete", written);
    std::set<std::string> current;
    for (const auto& r : written) current.insert(r.key);
    for (const auto& key : earlier) {
      if (current.count(key)) continue;
      log::warn(
          "set.stale_volume",
          fmt::format("s3://{}/{} is from an earlier run, not part of the set s3://{}/{} names: delete it "
                      "(and its index) if it is no longer needed",
                      bucket_, key, bucket_, outputs_.set_manifest_key()),
          {{"archive", "s3://" + bucket_ + "/" + key}, {"set", id_}});
    }
  }

 private:
  void put(const std::string& status, const std::vector<exec::VolumeResult>& written) {
    s3::WriteOptions w;
    w.content_type = "application/json";
    const std::string body = exec::render_set_manifest(status, id_, bucket_, outputs_.key(), keys_, written);
    client_.put_object(bucket_, outputs_.set_manifest_key(), std::make_shared<const std::string>(body), w)
        .get();
  }

  s3::S3Client& client_;
  std::string bucket_;
  const exec::ArchiveOutputs& outputs_;
  bool enabled_;
  std::string id_;
  std::vector<std::string> keys_;
};

nlohmann::json problems_json(const std::vector<exec::SourceProblem>& problems) {
  nlohmann::json a = nlohmann::json::array();
  for (const auto& p : problems)
    a.push_back({{"bucket", p.bucket}, {"key", p.key}, {"reason", p.reason}, {"error", p.message}});
  return a;
}

}  // namespace

int create_command(const TarOptions& o) {
  const S3Url dest = parse_s3_url(o.archive, "-f");
  if (dest.key.empty()) throw UsageError("-f needs an object key: s3://bucket/key.tar");
  auto client = make_client(o.settings.connection);

  // Everything else the flags set comes from the shared settings (validated like the config's).
  WriteRequest req = o.settings.write;
  req.bucket = dest.bucket;
  req.plan.archive_key = dest.key;
  req.dry_run = o.dry_run;

  // Gather the sources; never archive the archive itself (a re-run under the same prefix).
  const exec::ArchiveOutputs outputs(dest.key);
  SourceSet sources;
  if (!o.manifest.empty()) {
    sources = manifest_sources(*client, o.manifest, o.skip_manifest_header, o.urldecode,
                               o.manifest_format == "batch" ? ManifestFormat::Batch : ManifestFormat::S3tar);
  } else {
    // The archive, the volumes it may become (K.00.tar ... K.NNN.tar), their index sidecars and
    // the set manifest.
    auto own_output = [&](const std::string& key) { return outputs.is_output(key); };
    for (const auto& src : o.positional) {
      SourceSet s = list_sources(*client, src, own_output);
      sources.members.insert(sources.members.end(), std::make_move_iterator(s.members.begin()),
                             std::make_move_iterator(s.members.end()));
      sources.problems.insert(sources.problems.end(), s.problems.begin(), s.problems.end());
    }
  }
  for (const auto& p : sources.problems)
    log::warn("source.unreadable", p.message, {{"bucket", p.bucket}, {"key", p.key}, {"reason", p.reason}});
  // A dry run refuses what the run would refuse, so a plan that exits 0 does not fail later.
  if (!sources.problems.empty() && !o.skip_unreadable) {
    throw exec::SourceError(
        fmt::format("{} source object(s) cannot be archived (first: {}); nothing was written; "
                    "use --skip-unreadable to archive the rest",
                    sources.problems.size(), sources.problems.front().message),
        sources.problems);
  }
  if (sources.members.empty()) {
    log::warn("create.empty", "no objects to archive: nothing was written");
    return sources.problems.empty() ? kSuccess : kPartial;
  }

  const size_t n_members = sources.members.size();
  plan::Plan plan = plan::make_plan(std::move(sources.members), req.plan);
  if (o.dry_run) {
    std::cout << describe_plan(plan, dest.bucket, o.storage_class);
    return sources.problems.empty() ? kSuccess : kPartial;  // the run would skip them: exit 6
  }
  // What earlier runs to this key left: open uploads (a killed run) are aborted; their volumes
  // are found, so that this run's set says which are current.
  exec::abort_stale_uploads(*client, dest.bucket, outputs.prefix(),
                            [&](const std::string& key) { return outputs.is_volume(key); });
  const EarlierOutputs earlier = find_earlier_outputs(*client, dest.bucket, outputs);
  VolumeSet set(*client, dest.bucket, outputs, plan, o.size_limit > 0 || earlier.any());
  set.begin(req);
  WriteOutcome out = write_plan(*client, std::move(plan), req, stop_flag());
  set.finish(out.written, earlier.volumes);
  std::vector<exec::SourceProblem> skipped = sources.problems;
  skipped.insert(skipped.end(), out.skipped.begin(), out.skipped.end());

  const auto& c = client->counters();
  uint64_t total_requests = 0;
  const nlohmann::json requests = exec::request_counts(c, total_requests);
  nlohmann::json archives = nlohmann::json::array();
  for (const auto& r : out.written)
    archives.push_back({{"archive", "s3://" + r.bucket + "/" + r.key},
                        {"size", r.size},
                        {"etag", r.etag},
                        {"objects", r.members},
                        {"parts", r.parts},
                        {"index", "s3://" + r.bucket + "/" + r.index_key}});
  nlohmann::json report = {{"archives", archives},
                           {"objects_planned", n_members},
                           {"objects_skipped", problems_json(skipped)},
                           {"requests", requests},
                           {"requests_total", total_requests},
                           {"retries", c.retries.load()},
                           {"bytes_sent", c.bytes_sent.load()},
                           {"bytes_received", c.bytes_received.load()}};
  log::info("create.done",
            fmt::format("{} archive(s), {} objects, {} requests ({} retries), {} skipped", out.written.size(),
                        n_members - out.skipped.size(), total_requests, c.retries.load(), skipped.size()),
            {{"archives", out.written.size()}, {"requests", requests}, {"skipped", skipped.size()}});
  if (!o.report.empty()) {
    std::ofstream f(o.report);
    f << report.dump(2) << "\n";
    if (!f) throw UsageError("cannot write the report to " + o.report);
  }
  if (o.json) print_json(report);
  return skipped.empty() ? kSuccess : kPartial;
}

}  // namespace s3tar::cli
