#include "scheduler/naming.h"

#include <fmt/format.h>

#include <charconv>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "s3tar/archive/settings/settings.h"
#include "s3tar/errors.h"

namespace s3tar::scheduler {
namespace bg = boost::gregorian;

namespace {

bool all_digits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s)
    if (c < '0' || c > '9') return false;
  return true;
}

std::uint32_t to_u32(std::string_view s) {
  std::uint32_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size()) throw UsageError("number out of range");
  return v;
}

constexpr std::string_view kVars[] = {"prefix", "source_bucket", "yyyy", "mm", "dd", "date", "nnnn"};

}  // namespace

bg::date parse_date(std::string_view text, const std::string& what) {
  const auto bad = [&] {
    return UsageError(what + " must be a date like 2025-11-20, not '" + std::string(text) + "'");
  };
  if (text.size() != 10 || text[4] != '-' || text[7] != '-' || !all_digits(text.substr(0, 4)) ||
      !all_digits(text.substr(5, 2)) || !all_digits(text.substr(8, 2)))
    throw bad();
  try {
    return bg::date(static_cast<unsigned short>(to_u32(text.substr(0, 4))),
                    static_cast<unsigned short>(to_u32(text.substr(5, 2))),
                    static_cast<unsigned short>(to_u32(text.substr(8, 2))));
  } catch (const std::out_of_range&) {
    throw bad();
  }
}

bg::date target_date(std::int64_t now, const inventory::TimeZone& zone) {
  const std::int64_t local = now + zone.utc_offset(now);
  std::int64_t days = local / 86400;
  if (local % 86400 < 0) --days;
  return bg::date(1970, 1, 1) + bg::days(days) - bg::days(1);
}

void check_template(std::string_view tmpl) {
  bool has_volume = false;
  for (std::size_t i = 0; i < tmpl.size(); ++i) {
    if (tmpl[i] == '}') throw UsageError("'}' without '{' in the naming template");
    if (tmpl[i] != '{') continue;
    const std::size_t end = tmpl.find('}', i);
    if (end == std::string_view::npos) throw UsageError("unclosed '{' in the naming template");
    const std::string_view name = tmpl.substr(i + 1, end - i - 1);
    bool known = false;
    for (auto v : kVars) known = known || v == name;
    if (!known)
      throw UsageError("unknown variable {" + std::string(name) +
                       "} in the naming template (known: prefix, source_bucket, yyyy, mm, dd, date, nnnn)");
    if (name == "nnnn") has_volume = true;
    i = end;
  }
  if (!has_volume)
    throw UsageError("the naming template needs {nnnn} (the volume number), or volumes collide");
  if (tmpl.empty() || tmpl.back() == '/') throw UsageError("the naming template must name an object");
  // A "." or ".." segment climbs out of the destination prefix: refused here and on -f alike.
  settings::check_key_segments(tmpl, "the naming template");
}

std::string render_name(std::string_view tmpl, const NameVars& v) {
  if (v.prefix.empty() && tmpl.starts_with("{prefix}/")) tmpl.remove_prefix(9);
  const auto ymd = v.day.year_month_day();
  std::string out;
  for (std::size_t i = 0; i < tmpl.size(); ++i) {
    if (tmpl[i] != '{') {
      out += tmpl[i];
      continue;
    }
    const std::size_t end = tmpl.find('}', i);
    if (end == std::string_view::npos) throw UsageError("unclosed '{' in the naming template");
    const std::string_view name = tmpl.substr(i + 1, end - i - 1);
    if (name == "prefix") {
      out += v.prefix;
    } else if (name == "source_bucket") {
      out += v.source_bucket;
    } else if (name == "yyyy") {
      out += fmt::format("{:04d}", static_cast<int>(ymd.year));
    } else if (name == "mm") {
      out += fmt::format("{:02d}", static_cast<int>(ymd.month));
    } else if (name == "dd") {
      out += fmt::format("{:02d}", static_cast<int>(ymd.day));
    } else if (name == "date") {
      out += bg::to_iso_extended_string(v.day);
    } else if (name == "nnnn") {
      out += fmt::format("{:04d}", v.volume);
    } else {
      throw UsageError("unknown variable {" + std::string(name) + "} in the naming template");
    }
    i = end;
  }
  return out;
}

std::string common_prefix(const std::vector<std::string>& keys) {
  if (keys.empty()) return {};
  std::string p = keys.front();
  for (const auto& k : keys) {
    std::size_t n = 0;
    while (n < p.size() && n < k.size() && p[n] == k[n]) ++n;
    p.resize(n);
  }
  return p;
}

std::string Shard::suffix() const {
  return single() ? std::string() : fmt::format("-shard-{}-of-{}", index, count);
}

Shard parse_shard(std::string_view text) {
  const auto bad = [&](const std::string& why) {
    return UsageError("--shard must be I/N with 0 <= I < N (" + why + "): '" + std::string(text) + "'");
  };
  const std::size_t slash = text.find('/');
  if (slash == std::string_view::npos) throw bad("no '/'");
  const auto i = text.substr(0, slash), n = text.substr(slash + 1);
  if (!all_digits(i) || !all_digits(n) || i.size() > 6 || n.size() > 6) throw bad("not numbers");
  Shard s{to_u32(i), to_u32(n)};
  if (s.count == 0) throw bad("N is 0");
  if (s.index >= s.count) throw bad("I is not below N");
  return s;
}

Shard resolve_shard(const std::optional<std::string>& flag, const char* batch_index, const char* batch_size) {
  if (flag) return parse_shard(*flag);
  const bool has_index = batch_index && *batch_index, has_size = batch_size && *batch_size;
  if (!has_index && !has_size) return {};
  if (!has_index || !has_size)
    throw UsageError(
        "AWS_BATCH_JOB_ARRAY_INDEX and AWS_BATCH_JOB_ARRAY_SIZE must be set together (or use --shard I/N)");
  try {
    return parse_shard(std::string(batch_index) + "/" + batch_size);
  } catch (const UsageError&) {
    throw UsageError(std::string("AWS_BATCH_JOB_ARRAY_INDEX=") + batch_index +
                     " / AWS_BATCH_JOB_ARRAY_SIZE=" + batch_size + " is not a valid shard");
  }
}

std::string day_report_prefix(const std::string& report_prefix, bg::date day) {
  const auto ymd = day.year_month_day();
  std::string p = report_prefix;
  if (!p.empty() && p.back() != '/') p += '/';
  return p + fmt::format("{:04d}/{:02d}/{:02d}/", static_cast<int>(ymd.year), static_cast<int>(ymd.month),
                         static_cast<int>(ymd.day));
}

VolumeState classify(const VolumeProbe& p) {
  if (!p.archive_exists) return VolumeState::kMissing;
  if (p.index_exists && !p.index_etag.empty() && !p.archive_etag.empty() && p.index_etag == p.archive_etag)
    return VolumeState::kComplete;
  return VolumeState::kIncomplete;
}

const char* to_string(VolumeState s) {
  switch (s) {
    case VolumeState::kMissing:
      return "missing";
    case VolumeState::kIncomplete:
      return "incomplete";
    case VolumeState::kComplete:
      return "complete";
  }
  return "?";
}

std::string index_etag(std::string_view sidecar_json) {
  const auto j = nlohmann::json::parse(sidecar_json, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return {};
  const auto it = j.find("etag");
  if (it == j.end() || !it->is_string()) return {};
  std::string e = it->get<std::string>();
  if (e.size() >= 2 && e.front() == '"' && e.back() == '"') e = e.substr(1, e.size() - 2);
  return e;
}

}  // namespace s3tar::scheduler
