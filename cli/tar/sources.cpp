#include "cli/tar/sources.h"

#include <fmt/format.h>

#include <algorithm>
#include <fstream>
#include <future>
#include <sstream>

#include "cli/tar/tar_options.h"
#include "inventory/errors.h"
#include "inventory/manifest_csv.h"
#include "s3tar/log/log.h"

namespace s3tar::cli {

bool is_archived_class(const std::string& c) { return c == "GLACIER" || c == "DEEP_ARCHIVE"; }

SourceSet list_sources(s3::S3Client& client, const std::string& url,
                       const std::function<bool(const std::string& key)>& exclude) {
  const S3Url src = parse_s3_url(url, "source");
  SourceSet set;
  client.list_all(src.bucket, src.key, [&](const s3::ListedObject& o) {
    if (o.size == 0 && !o.key.empty() && o.key.back() == '/') return;
    if (exclude(o.key)) return;
    if (is_archived_class(o.storage_class)) {
      set.problems.push_back(
          {src.bucket, o.key, "", "archived",
           "s3://" + src.bucket + "/" + o.key + " is in " + o.storage_class + " (restore it first)"});
      return;
    }
    set.members.push_back(plan::Member{src.bucket, o.key, "", o.etag, o.size, o.last_modified});
  });
  return set;
}

std::string read_local_or_s3(s3::S3Client& client, const std::string& location) {
  if (is_s3_url(location)) {
    const S3Url u = parse_s3_url(location, location);
    return client.get_object(s3::GetRequest{{u.bucket, u.key, ""}, std::nullopt, "", nullptr}).get().body;
  }
  std::ifstream in(location, std::ios::binary);
  if (!in) throw std::invalid_argument("cannot read " + location + ": " + std::strerror(errno));
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

namespace {

// A row without an ETag (or, in a Batch manifest, without a version id) does not say which
// content it means: the object is archived as it is when it is read, even if it changed after
// the manifest was made. Say so once, loudly, with how to pin the rows.
void warn_unpinned_rows(const std::vector<plan::Member>& rows, const std::string& manifest,
                        ManifestFormat format) {
  const bool batch = format == ManifestFormat::Batch;
  const size_t unpinned =
      static_cast<size_t>(std::count_if(rows.begin(), rows.end(), [&](const plan::Member& m) {
        return batch ? m.version_id.empty() : m.etag.empty();
      }));
  if (unpinned == 0) return;
  log::warn(
      "manifest.unpinned",
      fmt::format("{} of the {} rows of {} have no {}: those objects are archived as they are when read, "
                  "even if they changed after the manifest was made; {}",
                  unpinned, rows.size(), manifest, batch ? "version id" : "ETag",
                  batch ? "add version ids to pin them"
                        : "add the ETag column (bucket,key,size,etag, as `s3tar inventory` writes) to pin "
                          "them"),
      {{"manifest", manifest}, {"unpinned_rows", unpinned}, {"rows", rows.size()}});
}

}  // namespace

SourceSet manifest_sources(s3::S3Client& client, const std::string& manifest, bool skip_header,
                           bool urldecode, ManifestFormat format) {
  std::istringstream in(read_local_or_s3(client, manifest));
  inventory::ManifestCsvOptions opts;
  opts.skip_header = skip_header;
  opts.url_decode = urldecode;
  SourceSet set;
  std::vector<plan::Member> rows;
  // Batch Operations manifests name objects (and versions) without sizes: HEAD supplies them.
  const bool sizes_known = format == ManifestFormat::S3tar;
  if (format == ManifestFormat::Batch) {
    inventory::read_batch_manifest_csv(in, manifest, [&](inventory::BatchManifestEntry&& e) {
      rows.push_back(plan::Member{e.bucket, e.key, e.version_id, "", 0, 0});
    });
  } else {
    inventory::read_manifest_csv(
        in, manifest,
        [&](inventory::ManifestCsvEntry&& e) {
          rows.push_back(plan::Member{e.bucket, e.key, "", e.etag, e.size, 0});
        },
        opts);
  }
  warn_unpinned_rows(rows, manifest, format);
  // HEAD in windows so that memory for futures stays small; the engine bounds requests in flight.
  constexpr size_t kWindow = 512;
  for (size_t start = 0; start < rows.size(); start += kWindow) {
    const size_t end = std::min(rows.size(), start + kWindow);
    std::vector<std::future<s3::ObjectInfo>> heads;
    for (size_t i = start; i < end; ++i)
      heads.push_back(client.head_object({rows[i].bucket, rows[i].key, rows[i].version_id}));
    for (size_t i = start; i < end; ++i) {
      plan::Member& m = rows[i];
      try {
        const s3::ObjectInfo info = heads[i - start].get();
        const std::string where = "s3://" + m.bucket + "/" + m.key;
        if (!m.etag.empty() && s3::strip_quotes(m.etag) != info.etag) {
          set.problems.push_back({m.bucket, m.key, m.version_id, "changed",
                                  where + ": ETag is " + info.etag + ", the manifest says " + m.etag});
          continue;
        }
        if (sizes_known && m.size != info.size) {
          set.problems.push_back({m.bucket, m.key, m.version_id, "changed",
                                  where + ": size is " + std::to_string(info.size) + ", the manifest says " +
                                      std::to_string(m.size)});
          continue;
        }
        if (is_archived_class(info.storage_class) &&
            info.restore.find("ongoing-request=\"false\"") == std::string::npos) {
          set.problems.push_back({m.bucket, m.key, m.version_id, "archived",
                                  where + " is in " + info.storage_class + " (restore it first)"});
          continue;
        }
        m.etag = info.etag;
        m.size = info.size;
        m.mtime = info.last_modified;
        set.members.push_back(std::move(m));
      } catch (const s3::S3Error& e) {
        auto reason = exec::source_problem_reason(e);
        if (!reason) throw;  // network, throttling, permissions: not the object's fault
        set.problems.push_back({m.bucket, m.key, m.version_id, *reason, e.what()});
      }
    }
  }
  return set;
}

}  // namespace s3tar::cli
