#include "s3tar/s3/restore.h"

#include <algorithm>
#include <cctype>

#include "s3tar/s3/client.h"

namespace s3tar::s3 {
namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
  return out;
}

// The value of name="value" in a header like x-amz-restore; nullopt when absent.
std::optional<std::string> quoted_param(std::string_view header, std::string_view name) {
  std::size_t at = 0;
  while ((at = header.find(name, at)) != std::string_view::npos) {
    const bool starts = at == 0 || header[at - 1] == ' ' || header[at - 1] == ',';
    std::size_t p = at + name.size();
    if (starts && p + 1 < header.size() && header[p] == '=' && header[p + 1] == '"') {
      const std::size_t close = header.find('"', p + 2);
      if (close == std::string_view::npos) return std::nullopt;
      return std::string(header.substr(p + 2, close - p - 2));
    }
    at = p;
  }
  return std::nullopt;
}

}  // namespace

std::optional<RestoreTier> parse_restore_tier(std::string_view text) {
  const std::string t = lower(text);
  if (t == "bulk") return RestoreTier::Bulk;
  if (t == "standard") return RestoreTier::Standard;
  if (t == "expedited") return RestoreTier::Expedited;
  return std::nullopt;
}

const char* to_string(RestoreTier tier) {
  switch (tier) {
    case RestoreTier::Bulk:
      return "Bulk";
    case RestoreTier::Standard:
      return "Standard";
    case RestoreTier::Expedited:
      return "Expedited";
  }
  return "Standard";
}

ArchiveAccess archive_access(std::string_view storage_class, std::string_view archive_status) {
  if (storage_class == "GLACIER") return ArchiveAccess::kGlacier;
  if (storage_class == "DEEP_ARCHIVE") return ArchiveAccess::kDeepArchive;
  if (storage_class == "INTELLIGENT_TIERING") {
    if (archive_status == "ARCHIVE_ACCESS") return ArchiveAccess::kTieringArchive;
    if (archive_status == "DEEP_ARCHIVE_ACCESS") return ArchiveAccess::kTieringDeepArchive;
  }
  return ArchiveAccess::kReadable;
}

bool needs_restore(ArchiveAccess access) { return access != ArchiveAccess::kReadable; }

bool offers(ArchiveAccess access, RestoreTier tier) {
  switch (access) {
    case ArchiveAccess::kReadable:
      return false;
    case ArchiveAccess::kGlacier:
    case ArchiveAccess::kTieringArchive:
      return true;
    case ArchiveAccess::kDeepArchive:
    case ArchiveAccess::kTieringDeepArchive:
      return tier != RestoreTier::Expedited;
  }
  return false;
}

std::string describe(ArchiveAccess access) {
  switch (access) {
    case ArchiveAccess::kReadable:
      return "readable";
    case ArchiveAccess::kGlacier:
      return "GLACIER";
    case ArchiveAccess::kDeepArchive:
      return "DEEP_ARCHIVE";
    case ArchiveAccess::kTieringArchive:
      return "INTELLIGENT_TIERING (Archive Access)";
    case ArchiveAccess::kTieringDeepArchive:
      return "INTELLIGENT_TIERING (Deep Archive Access)";
  }
  return "unknown";
}

std::string restore_request_body(ArchiveAccess access, int days, RestoreTier tier) {
  std::string body = "<RestoreRequest xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">";
  if (access != ArchiveAccess::kTieringArchive && access != ArchiveAccess::kTieringDeepArchive)
    body += "<Days>" + std::to_string(days) + "</Days>";
  body += "<GlacierJobParameters><Tier>";
  body += to_string(tier);
  body += "</Tier></GlacierJobParameters></RestoreRequest>";
  return body;
}

RestoreStatus parse_restore_status(std::string_view header, std::int64_t now) {
  RestoreStatus status;
  const auto ongoing = quoted_param(header, "ongoing-request");
  if (!ongoing) return status;
  if (lower(*ongoing) == "true") {
    status.state = RestoreStatus::State::kInProgress;
    return status;
  }
  if (lower(*ongoing) != "false") return status;
  status.state = RestoreStatus::State::kRestored;
  if (const auto expiry = quoted_param(header, "expiry-date")) status.expiry = parse_http_time(*expiry);
  if (status.expiry != 0 && status.expiry <= now) return RestoreStatus{};
  return status;
}

}  // namespace s3tar::s3
