// -m: the objects a manifest names, with what the archive needs of each (size, ETag, mtime),
// in as few requests as the manifest allows:
// - a row with size, ETag and last_modified needs no request: every read of it is pinned to
//   that ETag (GET If-Match, UploadPartCopy x-amz-copy-source-if-match), so an object that
//   changed after the manifest was made fails its read (412) and is reported as changed;
// - rows of one folder are looked up with a listing of that folder (1,000 objects a request)
//   when there are enough of them for the listing to cost less than their HEADs;
// - the rest (few rows of a folder, versioned rows, archived objects: a listing does not say
//   whether they are restored) are HEAD-ed.
#include <fmt/format.h>

#include <algorithm>
#include <future>
#include <map>
#include <optional>
#include <sstream>
#include <unordered_map>

#include "cli/tar/sources.h"
#include "inventory/manifest_csv.h"
#include "s3tar/log/log.h"

namespace s3tar::cli {
namespace {

// A LIST costs as much as 12.5 HEADs (S3 list prices): a folder is listed only when it holds at
// least this many of the manifest's rows, and its listing stops after one page per this many
// rows (the folder then holds mostly other objects: HEAD the rest).
constexpr size_t kRowsPerListPage = 16;
constexpr size_t kListsInFlight = 16;
constexpr size_t kHeadWindow = 512;  // futures held at once; the engine bounds requests in flight

struct Row {
  explicit Row(plan::Member m) : member(std::move(m)) {}
  plan::Member member;
  bool pinned = false;                 // size, ETag and mtime from the manifest: no request
  std::optional<s3::ObjectInfo> info;  // what S3 said (listing or HEAD)
  std::optional<exec::SourceProblem> problem;
};

// A row without an ETag (or, in a Batch manifest, without a version id) does not say which
// content it means: the object is archived as it is when it is read, even if it changed after
// the manifest was made. Say so once, loudly, with how to pin the rows.
void warn_unpinned_rows(const std::vector<Row>& rows, const std::string& manifest, ManifestFormat format) {
  const bool batch = format == ManifestFormat::Batch;
  const size_t unpinned = static_cast<size_t>(std::count_if(rows.begin(), rows.end(), [&](const Row& r) {
    return batch ? r.member.version_id().empty() : r.member.etag().empty();
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

std::vector<Row> read_rows(s3::S3Client& client, const std::string& manifest, bool skip_header,
                           bool urldecode, ManifestFormat format) {
  std::istringstream in(read_local_or_s3(client, manifest));
  std::vector<Row> rows;
  if (format == ManifestFormat::Batch) {
    // Batch Operations manifests name objects (and versions) without sizes: S3 supplies them.
    inventory::read_batch_manifest_csv(in, manifest, [&](inventory::BatchManifestEntry&& e) {
      rows.emplace_back(
          plan::Member{std::move(e.bucket), std::move(e.key), std::move(e.version_id), "", 0, 0});
    });
    return rows;
  }
  inventory::ManifestCsvOptions opts;
  opts.skip_header = skip_header;
  opts.url_decode = urldecode;
  inventory::read_manifest_csv(
      in, manifest,
      [&](inventory::ManifestCsvEntry&& e) {
        Row r(plan::Member{std::move(e.bucket), std::move(e.key), "", s3::strip_quotes(std::move(e.etag)),
                           e.size, e.last_modified.value_or(0)});
        r.pinned = !r.member.etag().empty() && e.last_modified.has_value();
        rows.push_back(std::move(r));
      },
      opts);
  return rows;
}

std::string folder_of(const std::string& key) {
  const size_t slash = key.rfind('/');
  return slash == std::string::npos ? std::string() : key.substr(0, slash + 1);
}

// One folder's rows, looked up by listing the folder (without its subfolders).
struct FolderLookup {
  std::string bucket, folder;
  std::vector<size_t> rows;
  std::string last_key;  // the greatest key wanted: the listing stops past it
  size_t pages_left = 0;
  std::future<s3::ListPage> page;
};

// Fills Row::info from folder listings where that is cheaper than HEADs. Objects in an archived
// class are left to HEAD (it says whether they are restored).
void look_up_by_listing(s3::S3Client& client, std::vector<Row>& rows, uint64_t& list_requests) {
  std::map<std::pair<std::string, std::string>, std::vector<size_t>> by_folder;
  for (size_t i = 0; i < rows.size(); ++i) {
    const auto& m = rows[i].member;
    if (rows[i].pinned || !m.version_id().empty()) continue;
    by_folder[{m.bucket(), folder_of(std::string(m.key()))}].push_back(i);
  }
  std::vector<FolderLookup> lookups;
  for (auto& [where, idx] : by_folder) {
    if (idx.size() < kRowsPerListPage) continue;
    FolderLookup f{where.first, where.second, std::move(idx), "", 0, {}};
    for (size_t i : f.rows) f.last_key = std::max(f.last_key, std::string(rows[i].member.key()));
    f.pages_left = f.rows.size() / kRowsPerListPage;
    lookups.push_back(std::move(f));
  }
  for (size_t start = 0; start < lookups.size(); start += kListsInFlight) {
    const size_t end = std::min(lookups.size(), start + kListsInFlight);
    for (size_t g = start; g < end; ++g) {
      lookups[g].page = client.list_objects_v2(lookups[g].bucket, lookups[g].folder, "", "/");
      ++list_requests;
    }
    for (size_t g = start; g < end; ++g) {
      FolderLookup& f = lookups[g];
      std::unordered_map<std::string_view, size_t> wanted;
      for (size_t i : f.rows) wanted.emplace(rows[i].member.key(), i);
      for (;;) {
        const s3::ListPage page = f.page.get();
        for (const auto& o : page.objects) {
          auto it = wanted.find(o.key);
          if (it == wanted.end() || is_archived_class(o.storage_class)) continue;
          s3::ObjectInfo info;
          info.size = o.size;
          info.etag = o.etag;
          info.storage_class = o.storage_class;
          info.last_modified = o.last_modified;
          rows[it->second].info = std::move(info);
        }
        const bool past_last = !page.objects.empty() && page.objects.back().key >= f.last_key;
        if (page.next_continuation_token.empty() || past_last || --f.pages_left == 0) break;
        f.page = client.list_objects_v2(f.bucket, f.folder, page.next_continuation_token, "/");
        ++list_requests;
      }
    }
  }
}

// HEADs every row neither pinned nor found by a listing, in windows.
void look_up_by_head(s3::S3Client& client, std::vector<Row>& rows, uint64_t& head_requests) {
  std::vector<size_t> todo;
  for (size_t i = 0; i < rows.size(); ++i)
    if (!rows[i].pinned && !rows[i].info) todo.push_back(i);
  head_requests = todo.size();
  for (size_t start = 0; start < todo.size(); start += kHeadWindow) {
    const size_t end = std::min(todo.size(), start + kHeadWindow);
    std::vector<std::future<s3::ObjectInfo>> heads;
    for (size_t t = start; t < end; ++t) {
      const auto& m = rows[todo[t]].member;
      heads.push_back(client.head_object({m.bucket(), std::string(m.key()), std::string(m.version_id())}));
    }
    for (size_t t = start; t < end; ++t) {
      Row& r = rows[todo[t]];
      try {
        r.info = heads[t - start].get();
      } catch (const s3::S3Error& e) {
        auto reason = exec::source_problem_reason(e);
        if (!reason) throw;  // network, throttling, permissions: not the object's fault
        r.problem = exec::SourceProblem{r.member.bucket(), std::string(r.member.key()),
                                        std::string(r.member.version_id()), *reason, e.what()};
      }
    }
  }
}

// What S3 said about a row against what the manifest says: the problem, if any, else the
// member completed with S3's size, ETag and mtime.
std::optional<exec::SourceProblem> check_row(Row& r, bool sizes_known) {
  plan::Member& m = r.member;
  const s3::ObjectInfo& info = *r.info;
  const std::string key(m.key()), version_id(m.version_id()), etag = m.etag();
  const std::string where = "s3://" + m.bucket() + "/" + key;
  if (!etag.empty() && etag != info.etag)
    return exec::SourceProblem{m.bucket(), key, version_id, "changed",
                               where + ": ETag is " + info.etag + ", the manifest says " + etag};
  if (sizes_known && m.size != info.size)
    return exec::SourceProblem{
        m.bucket(), key, version_id, "changed",
        where + ": size is " + std::to_string(info.size) + ", the manifest says " + std::to_string(m.size)};
  if (is_archived_class(info.storage_class) &&
      info.restore.find("ongoing-request=\"false\"") == std::string::npos)
    return exec::SourceProblem{m.bucket(), key, version_id, "archived",
                               where + " is in " + info.storage_class + " (restore it first)"};
  m = plan::Member(m.bucket(), key, version_id, info.etag, info.size, info.last_modified);
  return std::nullopt;
}

}  // namespace

SourceSet manifest_sources(s3::S3Client& client, const std::string& manifest, bool skip_header,
                           bool urldecode, ManifestFormat format) {
  std::vector<Row> rows = read_rows(client, manifest, skip_header, urldecode, format);
  warn_unpinned_rows(rows, manifest, format);
  uint64_t lists = 0, heads = 0;
  look_up_by_listing(client, rows, lists);
  look_up_by_head(client, rows, heads);
  SourceSet set;
  size_t pinned = 0;
  for (Row& r : rows) {
    if (!r.pinned && !r.problem) r.problem = check_row(r, format == ManifestFormat::S3tar);
    if (r.problem) {
      set.problems.push_back(std::move(*r.problem));
      continue;
    }
    pinned += r.pinned ? 1 : 0;
    set.members.push_back(std::move(r.member));
  }
  log::info("manifest.resolved",
            fmt::format("{} rows of {}: {} pinned by the manifest (size, ETag, last_modified: no request), "
                        "{} looked up with {} listing(s), {} with HEAD",
                        rows.size(), manifest, pinned, rows.size() - pinned - heads, lists, heads),
            {{"manifest", manifest},
             {"rows", rows.size()},
             {"pinned", pinned},
             {"list_requests", lists},
             {"head_requests", heads}});
  return set;
}

}  // namespace s3tar::cli
