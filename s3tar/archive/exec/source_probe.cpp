#include "s3tar/archive/exec/source_probe.h"

#include <algorithm>
#include <future>
#include <map>

#include "s3tar/log/log.h"

namespace s3tar::exec {
namespace {

enum class Verdict { Unverified, Readable, Suspect };

bool archived_class(const std::string& c) { return c == "GLACIER" || c == "DEEP_ARCHIVE"; }

std::string where(const plan::Member& m) { return "s3://" + m.bucket() + "/" + std::string(m.key()); }

std::string common_prefix(const std::string& a, const std::string& b) {
  size_t n = 0;
  while (n < a.size() && n < b.size() && a[n] == b[n]) ++n;
  return a.substr(0, n);
}

// The listing agrees with the plan: the same content (ETag and size) in a readable class. A
// version-pinned member whose key now lists another version is a suspect: HEAD decides whether
// the pinned version is still there.
Verdict compare(const plan::Member& m, const s3::ListedObject& o) {
  if (s3::strip_quotes(m.etag()) != o.etag || m.size != o.size || archived_class(o.storage_class))
    return Verdict::Suspect;
  return Verdict::Readable;
}

// Lists the key range of one bucket's members; sets verdicts. Returns the pages used.
size_t list_bucket(s3::S3Client& client, const std::string& bucket, std::span<const plan::Member> members,
                   const std::map<std::string, std::vector<size_t>>& by_key, std::vector<Verdict>& verdicts,
                   size_t max_pages) {
  std::vector<std::string> keys;
  for (const auto& [key, _] : by_key) keys.push_back(key);  // sorted, as S3 lists (UTF-8 binary order)
  const std::string prefix = common_prefix(keys.front(), keys.back());
  auto judge_unlisted = [&](const std::string& key) {
    for (size_t i : by_key.at(key))
      if (verdicts[i] == Verdict::Unverified) verdicts[i] = Verdict::Suspect;
  };
  size_t next = 0, pages = 0;
  std::string after;  // the last key listed
  while (next < keys.size() && pages < max_pages) {
    const std::string start = std::max(after, start_after_for(keys[next]));
    s3::ListPage page;
    try {
      page = client.list_objects_v2(bucket, prefix, {}, {}, 1000, start).get();
    } catch (const s3::S3Error& e) {
      // No s3:ListBucket on the source, or a listing failure: the probe is an optimisation,
      // the pinned reads still find every unreadable source.
      log::debug("probe.list_failed", "cannot list s3://" + bucket + "/" + prefix + ": " + e.what());
      return pages + 1;
    }
    ++pages;
    for (const auto& o : page.objects) {
      auto it = by_key.find(o.key);
      if (it == by_key.end()) continue;
      for (size_t i : it->second) verdicts[i] = compare(members[i], o);
    }
    const bool last_page = page.next_continuation_token.empty();
    if (!page.objects.empty()) after = page.objects.back().key;
    // Members up to the last key listed (all of them after the last page) that were not listed
    // are gone, or hidden from this listing: suspects.
    while (next < keys.size() && (last_page || keys[next] <= after)) judge_unlisted(keys[next++]);
  }
  return pages;
}

// HEAD pinned like the read: the member's version and ETag.
std::optional<SourceProblem> head_pinned(const plan::Member& m, std::future<s3::ObjectInfo>& head) {
  try {
    const s3::ObjectInfo info = head.get();
    if (!m.etag().empty() && info.etag != s3::strip_quotes(m.etag()))
      return SourceProblem{m.bucket(), std::string(m.key()), std::string(m.version_id()), "changed",
                           where(m) + ": ETag is " + info.etag + ", planned " + m.etag()};
    if (info.size != m.size)
      return SourceProblem{
          m.bucket(), std::string(m.key()), std::string(m.version_id()), "changed",
          where(m) + ": size is " + std::to_string(info.size) + ", planned " + std::to_string(m.size)};
    const bool restored = info.restore.find("ongoing-request=\"false\"") != std::string::npos;
    if ((archived_class(info.storage_class) && !restored) || !info.archive_status.empty())
      return SourceProblem{m.bucket(), std::string(m.key()), std::string(m.version_id()), "archived",
                           where(m) + " is in " + info.storage_class +
                               (info.archive_status.empty() ? "" : " (" + info.archive_status + ")") +
                               " (restore it first)"};
    return std::nullopt;
  } catch (const s3::S3Error& e) {
    auto reason = source_problem_reason(e);
    if (!reason) throw;  // network, throttling, permissions: not the object's fault
    return SourceProblem{m.bucket(), std::string(m.key()), std::string(m.version_id()), *reason, e.what()};
  }
}

}  // namespace

std::string start_after_for(const std::string& key) {
  size_t cut = key.size();
  if (cut == 0) return key;
  --cut;
  while (cut > 0 && (static_cast<unsigned char>(key[cut]) & 0xC0) == 0x80) --cut;
  return key.substr(0, cut);
}

ProbeResult probe_sources(s3::S3Client& client, std::span<const plan::Member> members, bool exhaustive) {
  ProbeResult result;
  if (members.empty()) return result;
  std::vector<Verdict> verdicts(members.size(), Verdict::Unverified);
  std::map<std::string, std::map<std::string, std::vector<size_t>>> by_bucket;
  for (size_t i = 0; i < members.size(); ++i)
    by_bucket[members[i].bucket()][std::string(members[i].key())].push_back(i);
  size_t budget = 2 + members.size() / 100;
  for (const auto& [bucket, by_key] : by_bucket) {
    if (budget == 0) break;
    const size_t used = list_bucket(client, bucket, members, by_key, verdicts, budget);
    result.list_requests += used;
    budget -= std::min(budget, used);
  }
  std::vector<size_t> to_head;
  for (size_t i = 0; i < members.size(); ++i) {
    if (verdicts[i] == Verdict::Suspect || (exhaustive && verdicts[i] == Verdict::Unverified))
      to_head.push_back(i);
    else if (verdicts[i] == Verdict::Unverified)
      ++result.unverified;
  }
  constexpr size_t kWindow = 256;  // futures held at once; the engine bounds requests in flight
  for (size_t start = 0; start < to_head.size(); start += kWindow) {
    const size_t end = std::min(to_head.size(), start + kWindow);
    std::vector<std::future<s3::ObjectInfo>> heads;
    for (size_t j = start; j < end; ++j) {
      const auto& m = members[to_head[j]];
      heads.push_back(client.head_object({m.bucket(), std::string(m.key()), std::string(m.version_id())},
                                         s3::strip_quotes(m.etag())));
    }
    result.head_requests += heads.size();
    // Every future is waited for before an error propagates.
    std::exception_ptr error;
    for (size_t j = start; j < end; ++j) {
      try {
        if (auto p = head_pinned(members[to_head[j]], heads[j - start]))
          result.problems.push_back(std::move(*p));
      } catch (...) {
        if (!error) error = std::current_exception();
      }
    }
    if (error) std::rethrow_exception(error);
  }
  return result;
}

}  // namespace s3tar::exec
