#include <fmt/format.h>

#include <future>
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/context.h"
#include "cli/output.h"
#include "cli/tar/commands.h"
#include "s3tar/archive/exec/archive_reader.h"
#include "s3tar/archive/exec/executor.h"
#include "s3tar/archive/tar/header.h"
#include "s3tar/archive/tar/names.h"
#include "s3tar/exit_codes.h"
#include "s3tar/log/log.h"
#include "s3tar/s3/digest.h"

namespace s3tar::cli {
namespace {

bool plain_md5_etag(const std::string& etag) {
  return etag.size() == 32 && etag.find_first_not_of("0123456789abcdef") == std::string::npos;
}

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

struct SourceRef {
  std::string bucket, key, version_id, etag;
  uint64_t size = 0;
};

}  // namespace

// Checks an archive: its tar structure (every header readable, as GNU tar/libarchive would),
// its toc.csv against the headers, and every member against its source object (size and ETag
// from HEAD; with --content, the member's bytes too).
int verify_command(const TarOptions& o) {
  const S3Url url = parse_s3_url(o.archive, "-f");
  auto client = make_client(o.connection);
  const s3::ObjectRef archive{url.bucket, url.key, ""};
  const s3::ObjectInfo info = client->head_object(archive).get();
  std::vector<std::string> problems;
  auto problem = [&](std::string p) {
    log::error("verify.problem", p);
    problems.push_back(std::move(p));
  };

  // 1. Structure: walk every header.
  const auto members = exec::scan_archive(*client, archive, info.size);
  uint64_t end = 0;
  for (const auto& m : members) end = m.data_offset + m.size + tar::padding_size(m.size);
  if (end + tar::kEndOfArchiveSize > info.size)
    problem(fmt::format("the archive ends at {} without its two end-of-archive blocks (size {})", end,
                        info.size));

  // 2. The TOC against the headers.
  const auto toc = exec::read_toc(*client, archive);
  if (!toc) {
    problem("the archive has no toc.csv first member");
  } else {
    for (size_t i = 0; i < toc->size(); ++i) {
      const auto& t = (*toc)[i];
      if (t.offset > info.size || t.size > info.size - t.offset)
        problem(fmt::format("toc.csv row {} ({}) puts {} bytes at offset {}, past the end of the archive",
                            i + 1, t.name, t.size, t.offset));
    }
    if (toc->size() + 1 != members.size())
      problem(fmt::format("toc.csv lists {} members, the archive holds {}", toc->size(), members.size() - 1));
    for (size_t i = 0; i < toc->size() && i + 1 < members.size(); ++i) {
      const auto& t = (*toc)[i];
      const auto& m = members[i + 1];
      if (tar::key_for_member_name(m.name) != t.name || m.data_offset != t.offset || m.size != t.size)
        problem(
            fmt::format("toc.csv row {} ({} at {}, {} bytes) does not match header {} ({} at {}, {} bytes)",
                        i + 1, t.name, t.offset, t.size, i + 2, m.name, m.data_offset, m.size));
    }
  }

  // 3. Each member against its source (the sidecar index names the source bucket and version).
  std::vector<SourceRef> sources;
  std::vector<tar::TocEntry> entries = toc ? *toc : std::vector<tar::TocEntry>{};
  try {
    const std::string body =
        client
            ->get_object(s3::GetRequest{{url.bucket, url.key + ".index.json", ""}, std::nullopt, "", nullptr})
            .get()
            .body;
    try {
      const nlohmann::json index = nlohmann::json::parse(body);
      for (const auto& m : index.at("members"))
        sources.push_back({m.at("bucket").get<std::string>(), m.at("key").get<std::string>(),
                           m.value("version_id", std::string()), m.value("etag", std::string()),
                           m.at("size").get<uint64_t>()});
    } catch (const nlohmann::json::exception& e) {
      throw BadInputError(o.archive + ".index.json is not an s3tar index sidecar: " + e.what());
    }
  } catch (const s3::S3Error& e) {
    if (!e.is_not_found()) throw;
    log::warn("verify.no_index", "no index sidecar: members are checked against the TOC only");
  }
  size_t checked = 0, source_missing = 0;
  constexpr size_t kWindow = 256;
  for (size_t start = 0; start < sources.size(); start += kWindow) {
    const size_t stop = std::min(sources.size(), start + kWindow);
    std::vector<std::future<s3::ObjectInfo>> heads;
    for (size_t i = start; i < stop; ++i)
      heads.push_back(client->head_object({sources[i].bucket, sources[i].key, sources[i].version_id}));
    for (size_t i = start; i < stop; ++i) {
      const auto& s = sources[i];
      const std::string where = "s3://" + s.bucket + "/" + s.key;
      try {
        const s3::ObjectInfo src = heads[i - start].get();
        if (src.size != s.size)
          problem(fmt::format("{}: source has {} bytes, the archive {}", where, src.size, s.size));
        if (!s.etag.empty() && src.etag != s.etag)
          problem(fmt::format("{}: source ETag is {}, the archive recorded {}", where, src.etag, s.etag));
        ++checked;
      } catch (const s3::S3Error& e) {
        if (!e.is_not_found()) throw;
        ++source_missing;
        log::warn("verify.source_missing", where + " no longer exists (not an archive error)");
      }
    }
  }

  // 4. Content: each member's bytes in the archive against the source's MD5 ETag, or against
  // the source's bytes when its ETag is not an MD5 (multipart or KMS-encrypted sources). Bytes
  // are streamed through MD5, never held: memory stays bounded whatever the member sizes.
  size_t content_checked = 0;
  if (o.verify_content && toc) {
    constexpr size_t kWindow = 16;  // members compared at once
    const size_t n = std::min(toc->size(), sources.size());
    for (size_t start = 0; start < n; start += kWindow) {
      if (stop_flag()) throw exec::Interrupted("stopped while verifying " + o.archive);
      const size_t stop = std::min(n, start + kWindow);
      std::vector<std::future<std::string>> members_md5, sources_md5;
      for (size_t i = start; i < stop; ++i) {
        const auto& t = (*toc)[i];
        const auto& s = sources[i];
        if (t.offset > info.size || t.size > info.size - t.offset) {
          members_md5.emplace_back();  // reported above as past the end
        } else {
          members_md5.push_back(streamed_md5(*client, archive, t.offset, t.size, info.etag));
        }
        sources_md5.push_back(plain_md5_etag(s.etag) ? std::future<std::string>()
                                                     : streamed_md5(*client, {s.bucket, s.key, s.version_id},
                                                                    0, s.size, s.etag));
      }
      for (size_t i = start; i < stop; ++i) {
        const auto& t = (*toc)[i];
        const auto& s = sources[i];
        auto& member = members_md5[i - start];
        auto& source = sources_md5[i - start];
        if (!member.valid()) {
          if (source.valid()) source.wait();
          continue;
        }
        const std::string got = member.get();
        std::string expected = s.etag;
        if (source.valid()) {
          try {
            expected = source.get();
          } catch (const s3::S3Error& e) {
            if (!exec::source_problem_reason(e)) throw;
            log::warn("verify.source_gone", t.name + ": its source cannot be read any more (" + e.what() +
                                                "): its content is not compared");
            continue;
          }
        }
        if (got != expected) problem(fmt::format("{}: member bytes differ from the source", t.name));
        ++content_checked;
      }
    }
  }

  if (o.json) {
    print_json({{"archive", o.archive},
                {"size", info.size},
                {"members", members.empty() ? 0 : members.size() - 1},
                {"structure_ok", end + tar::kEndOfArchiveSize <= info.size},
                {"toc", toc.has_value()},
                {"sources_checked", checked},
                {"sources_missing", source_missing},
                {"contents_compared", content_checked},
                {"problems", problems}});
    return problems.empty() ? kSuccess : kBadInput;
  }
  std::cout << fmt::format(
      "{}: {} bytes, {} members; structure {}; toc.csv {}; {} sources checked{}{}; {} problem(s)\n",
      o.archive, info.size, members.empty() ? 0 : members.size() - 1,
      end + tar::kEndOfArchiveSize <= info.size ? "ok" : "BAD", toc ? "present" : "missing", checked,
      source_missing ? fmt::format(" ({} no longer exist)", source_missing) : "",
      o.verify_content ? fmt::format(", {} member contents compared", content_checked) : "", problems.size());
  return problems.empty() ? kSuccess : kBadInput;
}

}  // namespace s3tar::cli
