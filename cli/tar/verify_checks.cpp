#include "cli/tar/verify_checks.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "s3tar/archive/tar/header.h"
#include "s3tar/archive/tar/names.h"
#include "s3tar/errors.h"

namespace s3tar::cli {

std::uint64_t end_of_members(const std::vector<tar::ArchiveMember>& members) {
  if (members.empty()) return 0;
  const auto& last = members.back();
  return last.data_offset + last.size + tar::padding_size(last.size);
}

bool structure_ok(const std::vector<tar::ArchiveMember>& members, std::uint64_t archive_size) {
  return end_of_members(members) + tar::kEndOfArchiveSize <= archive_size;
}

std::vector<std::string> structure_problems(const std::vector<tar::ArchiveMember>& members,
                                            std::uint64_t archive_size) {
  if (structure_ok(members, archive_size)) return {};
  return {fmt::format("the archive ends at {} without its two end-of-archive blocks (size {})",
                      end_of_members(members), archive_size)};
}

std::vector<std::string> toc_problems(const std::vector<tar::TocEntry>& toc,
                                      const std::vector<tar::ArchiveMember>& members,
                                      std::uint64_t archive_size) {
  std::vector<std::string> problems;
  for (std::size_t i = 0; i < toc.size(); ++i) {
    const auto& t = toc[i];
    if (t.offset > archive_size || t.size > archive_size - t.offset)
      problems.push_back(
          fmt::format("toc.csv row {} ({}) puts {} bytes at offset {}, past the end of the archive", i + 1,
                      t.name, t.size, t.offset));
  }
  const std::size_t held = members.empty() ? 0 : members.size() - 1;
  if (toc.size() != held)
    problems.push_back(fmt::format("toc.csv lists {} members, the archive holds {}", toc.size(), held));
  for (std::size_t i = 0; i < toc.size() && i + 1 < members.size(); ++i) {
    const auto& t = toc[i];
    const auto& m = members[i + 1];
    if (tar::key_for_member_name(m.name) != t.name || m.data_offset != t.offset || m.size != t.size)
      problems.push_back(
          fmt::format("toc.csv row {} ({} at {}, {} bytes) does not match header {} ({} at {}, {} bytes)",
                      i + 1, t.name, t.offset, t.size, i + 2, m.name, m.data_offset, m.size));
  }
  return problems;
}

std::vector<VerifySource> parse_index_sources(const std::string& body, const std::string& sidecar) {
  std::vector<VerifySource> sources;
  try {
    const nlohmann::json index = nlohmann::json::parse(body);
    for (const auto& m : index.at("members"))
      sources.push_back({m.at("bucket").get<std::string>(), m.at("key").get<std::string>(),
                         m.value("version_id", std::string()), m.value("etag", std::string()),
                         m.at("size").get<std::uint64_t>()});
  } catch (const nlohmann::json::exception& e) {
    throw BadInputError(sidecar + " is not an s3tar index sidecar: " + e.what());
  }
  return sources;
}

std::vector<std::string> source_problems(const VerifySource& recorded, const s3::ObjectInfo& now) {
  const std::string where = "s3://" + recorded.bucket + "/" + recorded.key;
  std::vector<std::string> problems;
  if (now.size != recorded.size)
    problems.push_back(
        fmt::format("{}: source has {} bytes, the archive {}", where, now.size, recorded.size));
  if (!recorded.etag.empty() && now.etag != recorded.etag)
    problems.push_back(
        fmt::format("{}: source ETag is {}, the archive recorded {}", where, now.etag, recorded.etag));
  return problems;
}

}  // namespace s3tar::cli
