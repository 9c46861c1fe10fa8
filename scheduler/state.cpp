#include "scheduler/state.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "inventory/discovery.h"
#include "inventory/errors.h"

namespace s3tar::scheduler {
using json = nlohmann::json;

std::string render_state(const DayState& s) {
  return json{{"inventory", {{"bucket", s.inventory_bucket}, {"prefix", s.inventory_prefix}}},
              {"report_folder", s.folder},
              {"date", s.date}}
             .dump(1) +
         "\n";
}

DayState parse_state(const std::string& text, const std::string& name) {
  try {
    const json j = json::parse(text);
    DayState s;
    s.inventory_bucket = j.at("inventory").at("bucket").get<std::string>();
    s.inventory_prefix = j.at("inventory").at("prefix").get<std::string>();
    s.folder = j.at("report_folder").get<std::string>();
    s.date = j.at("date").get<std::string>();
    if (!inventory::parse_report_folder(s.folder)) throw std::runtime_error("bad report_folder");
    return s;
  } catch (const std::exception& e) {
    throw inventory::BadInputError(name + " is not a run state object (" + e.what() +
                                   "); delete it to start the day over");
  }
}

std::vector<SidecarMember> sidecar_members(const std::string& text) {
  std::vector<SidecarMember> out;
  const json idx = json::parse(text, nullptr, false);
  if (!idx.is_object() || !idx.contains("members") || !idx["members"].is_array()) return out;
  for (const auto& m : idx["members"]) {
    if (!m.is_object()) continue;
    out.push_back({m.value("bucket", std::string()), m.value("key", std::string()),
                   m.value("version_id", std::string()), m.value("etag", std::string()),
                   m.value("size", std::uint64_t{0})});
  }
  return out;
}

std::string skip_records_prefix(const std::string& day_prefix) { return day_prefix + "skipped/"; }

std::string skip_record_key(const std::string& day_prefix, std::size_t volume) {
  return fmt::format("{}{:04}.json", skip_records_prefix(day_prefix), volume + 1);
}

std::string render_skip_record(const SkipRecord& r) {
  json problems = json::array();
  for (const auto& p : r.problems)
    problems.push_back({{"bucket", p.bucket},
                        {"key", p.key},
                        {"version_id", p.version_id},
                        {"reason", p.reason},
                        {"detail", p.message}});
  return json{{"volume", r.volume + 1}, {"archive_key", r.archive_key}, {"skipped", problems}}.dump(1) + "\n";
}

SkipRecord parse_skip_record(const std::string& text, const std::string& name) {
  try {
    const json j = json::parse(text);
    SkipRecord r;
    const auto volume = j.at("volume").get<std::size_t>();
    if (volume == 0) throw std::runtime_error("volume must be at least 1");
    r.volume = volume - 1;
    r.archive_key = j.at("archive_key").get<std::string>();
    for (const auto& p : j.at("skipped"))
      r.problems.push_back({p.at("bucket").get<std::string>(), p.at("key").get<std::string>(),
                            p.value("version_id", std::string()), p.at("reason").get<std::string>(),
                            p.value("detail", std::string())});
    return r;
  } catch (const std::exception& e) {
    throw inventory::BadInputError(name + " is not a skip record (" + e.what() +
                                   "); delete it to start the day's reports over");
  }
}

}  // namespace s3tar::scheduler
