#include <fmt/format.h>

#include <functional>
#include <future>
#include <iostream>

#include "cli/context.h"
#include "cli/output.h"
#include "cli/tar/commands.h"
#include "cli/tar/verify_checks.h"
#include "s3tar/archive/exec/archive_reader.h"
#include "s3tar/archive/exec/executor.h"
#include "s3tar/exit_codes.h"
#include "s3tar/log/log.h"
#include "s3tar/s3/digest.h"

namespace s3tar::cli {
namespace {

// MD5 of bytes [offset, offset + size) of an object, streamed (never held). A retried
// transfer sends its bytes again from the start: the digest starts again with it.
std::future<std::string> streamed_md5(s3::S3Client& client, const s3::ObjectRef& object, uint64_t offset,
                                      uint64_t size, const std::string& if_match) {
  auto md5 = std::make_shared<s3::Md5Stream>();
  if (size == 0) {
    std::promise<std::string> empty;
    empty.set_value(md5->hex());
    return empty.get_future();
  }
  s3::GetRequest req;
  req.object = object;
  req.range = s3::ByteRange{offset, offset + size - 1};
  req.if_match = if_match;
  req.sink = [md5](uint64_t at, const char* data, size_t n) {
    if (at == 0 && md5->bytes() > 0) md5->reset();
    md5->update(data, n);
    return true;
  };
  return std::async(std::launch::deferred, [done = client.get_object(std::move(req)), md5]() mutable {
    done.get();
    return md5->hex();
  });
}

// The sources the index sidecar records; none (with a warning) when the archive has no sidecar.
std::vector<VerifySource> read_sources(s3::S3Client& client, const S3Url& url, const std::string& archive) {
  try {
    const std::string body =
        client
            .get_object(s3::GetRequest{{url.bucket, url.key + ".index.json", ""}, std::nullopt, "", nullptr})
            .get()
            .body;
    return parse_index_sources(body, archive + ".index.json");
  } catch (const s3::S3Error& e) {
    if (!e.is_not_found()) throw;
    log::warn("verify.no_index", "no index sidecar: members are checked against the TOC only");
    return {};
  }
}

struct SourceCounts {
  size_t checked = 0, missing = 0;
};

// Each source's size and ETag now against the recorded ones: HEADs, a window at a time. A source
// that no longer exists is not an archive error.
SourceCounts check_sources(s3::S3Client& client, const std::vector<VerifySource>& sources,
                           const std::function<void(std::string)>& problem) {
  SourceCounts counts;
  constexpr size_t kWindow = 256;
  for (size_t start = 0; start < sources.size(); start += kWindow) {
    const size_t stop = std::min(sources.size(), start + kWindow);
    std::vector<std::future<s3::ObjectInfo>> heads;
    for (size_t i = start; i < stop; ++i)
      heads.push_back(client.head_object({sources[i].bucket, sources[i].key, sources[i].version_id}));
    for (size_t i = start; i < stop; ++i) {
      const auto& s = sources[i];
      try {
        for (auto& p : source_problems(s, heads[i - start].get())) problem(std::move(p));
        ++counts.checked;
      } catch (const s3::S3Error& e) {
        if (!e.is_not_found()) throw;
        ++counts.missing;
        log::warn("verify.source_missing",
                  "s3://" + s.bucket + "/" + s.key + " no longer exists (not an archive error)");
      }
    }
  }
  return counts;
}

// Each member's bytes in the archive against the source's MD5 ETag, or against the source's bytes
// when its ETag is not an MD5 (multipart or KMS-encrypted sources). Bytes are streamed through
// MD5, never held: memory stays bounded whatever the member sizes. Returns the members compared.
size_t compare_contents(s3::S3Client& client, const std::string& archive_name, const s3::ObjectRef& archive,
                        const s3::ObjectInfo& info, const std::vector<tar::TocEntry>& toc,
                        const std::vector<VerifySource>& sources,
                        const std::function<void(std::string)>& problem) {
  size_t compared = 0;
  constexpr size_t kWindow = 16;  // members compared at once
  const size_t n = std::min(toc.size(), sources.size());
  for (size_t start = 0; start < n; start += kWindow) {
    if (stop_flag()) throw exec::Interrupted("stopped while verifying " + archive_name);
    const size_t stop = std::min(n, start + kWindow);
    std::vector<std::future<std::string>> members_md5, sources_md5;
    for (size_t i = start; i < stop; ++i) {
      const auto& t = toc[i];
      const auto& s = sources[i];
      if (t.offset > info.size || t.size > info.size - t.offset) {
        members_md5.emplace_back();  // reported with the TOC as past the end
      } else {
        members_md5.push_back(streamed_md5(client, archive, t.offset, t.size, info.etag));
      }
      sources_md5.push_back(s3::is_md5_etag(s.etag)
                                ? std::future<std::string>()
                                : streamed_md5(client, {s.bucket, s.key, s.version_id}, 0, s.size, s.etag));
    }
    for (size_t i = start; i < stop; ++i) {
      auto& member = members_md5[i - start];
      auto& source = sources_md5[i - start];
      if (!member.valid()) {
        if (source.valid()) source.wait();
        continue;
      }
      const std::string got = member.get();
      std::string expected = sources[i].etag;
      if (source.valid()) {
        try {
          expected = source.get();
        } catch (const s3::S3Error& e) {
          if (!exec::source_problem_reason(e)) throw;
          log::warn("verify.source_gone", toc[i].name + ": its source cannot be read any more (" + e.what() +
                                              "): its content is not compared");
          continue;
        }
      }
      if (got != expected) problem(fmt::format("{}: member bytes differ from the source", toc[i].name));
      ++compared;
    }
  }
  return compared;
}

struct VerifyResult {
  uint64_t size = 0;
  size_t members = 0;
  bool structure_ok = false, toc = false;
  SourceCounts sources;
  size_t contents_compared = 0;
  std::vector<std::string> problems;
};

int print_result(const TarOptions& o, const VerifyResult& r) {
  if (o.json) {
    print_json({{"archive", o.archive},
                {"size", r.size},
                {"members", r.members},
                {"structure_ok", r.structure_ok},
                {"toc", r.toc},
                {"sources_checked", r.sources.checked},
                {"sources_missing", r.sources.missing},
                {"contents_compared", r.contents_compared},
                {"problems", r.problems}});
  } else {
    std::cout << fmt::format(
        "{}: {} bytes, {} members; structure {}; toc.csv {}; {} sources checked{}{}; {} problem(s)\n",
        o.archive, r.size, r.members, r.structure_ok ? "ok" : "BAD", r.toc ? "present" : "missing",
        r.sources.checked, r.sources.missing ? fmt::format(" ({} no longer exist)", r.sources.missing) : "",
        o.verify_content ? fmt::format(", {} member contents compared", r.contents_compared) : "",
        r.problems.size());
  }
  return r.problems.empty() ? kSuccess : kBadInput;
}

}  // namespace

// Checks an archive: its tar structure (every header readable, as GNU tar/libarchive would),
// its toc.csv against the headers, and every member against its source object (size and ETag
// from HEAD; with --content, the member's bytes too).
int verify_command(const TarOptions& o) {
  const S3Url url = parse_s3_url(o.archive, "-f");
  auto client = make_client(o.connection);
  const s3::ObjectRef archive{url.bucket, url.key, ""};
  const s3::ObjectInfo info = client->head_object(archive).get();
  VerifyResult r;
  r.size = info.size;
  auto problem = [&](std::string p) {
    log::error("verify.problem", p);
    r.problems.push_back(std::move(p));
  };

  const auto members = exec::scan_archive(*client, archive, info.size);
  r.members = members.empty() ? 0 : members.size() - 1;  // members[0] is toc.csv
  r.structure_ok = structure_ok(members, info.size);
  for (auto& p : structure_problems(members, info.size)) problem(std::move(p));

  const auto toc = exec::read_toc(*client, archive);
  r.toc = toc.has_value();
  if (toc) {
    for (auto& p : toc_problems(*toc, members, info.size)) problem(std::move(p));
  } else {
    problem("the archive has no toc.csv first member");
  }

  const std::vector<VerifySource> sources = read_sources(*client, url, o.archive);
  r.sources = check_sources(*client, sources, problem);
  if (o.verify_content && toc)
    r.contents_compared = compare_contents(*client, o.archive, archive, info, *toc, sources, problem);
  return print_result(o, r);
}

}  // namespace s3tar::cli
