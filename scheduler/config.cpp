#include "scheduler/config.h"

#include <cmath>
#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <stdexcept>

#include "inventory/errors.h"
#include "inventory/timezone.h"
#include "scheduler/naming.h"

namespace s3tar::scheduler {
namespace {

using json = nlohmann::json;

// Throws ConfigError "<name>: <field>: <problem>".
class Checker {
 public:
  explicit Checker(std::string name) : name_(std::move(name)) {}

  [[noreturn]] void fail(const std::string& field, const std::string& problem) const {
    throw inventory::ConfigError(name_ + ": " + (field.empty() ? "" : field + ": ") + problem);
  }

  void only(const json& obj, const std::string& where, std::initializer_list<const char*> allowed) const {
    if (!obj.is_object()) fail(where, "must be a JSON object");
    for (const auto& [k, v] : obj.items()) {
      bool ok = false;
      for (const char* a : allowed) ok = ok || k == a;
      if (!ok) {
        std::string list;
        for (const char* a : allowed) list += std::string(list.empty() ? "" : ", ") + a;
        fail(join(where, k), "unknown field (known: " + list + ")");
      }
    }
  }

  const std::string& name() const { return name_; }

  static std::string join(const std::string& where, const std::string& k) {
    return where.empty() ? k : where + "." + k;
  }

  std::string str(const json& v, const std::string& field, bool allow_empty = false) const {
    if (!v.is_string()) fail(field, "must be a string");
    std::string s = v.get<std::string>();
    if (!allow_empty && s.empty()) fail(field, "must not be empty");
    return s;
  }

  bool boolean(const json& v, const std::string& field) const {
    if (!v.is_boolean()) fail(field, "must be true or false");
    return v.get<bool>();
  }

  std::int64_t integer(const json& v, const std::string& field, std::int64_t lo, std::int64_t hi) const {
    if (!v.is_number_integer()) fail(field, "must be an integer");
    const std::int64_t n = v.get<std::int64_t>();
    if (n < lo || n > hi) fail(field, "must be from " + std::to_string(lo) + " to " + std::to_string(hi));
    return n;
  }

  std::uint64_t size(const json& v, const std::string& field) const {
    if (v.is_number_unsigned() || (v.is_number_integer() && v.get<std::int64_t>() >= 0))
      return v.get<std::uint64_t>();
    if (!v.is_string()) fail(field, "must be a size like \"100GiB\" or a number of bytes");
    try {
      return parse_size(v.get<std::string>(), field);
    } catch (const UsageError& e) {
      throw inventory::ConfigError(name_ + ": " + e.what());
    }
  }

  std::vector<std::string> strings(const json& v, const std::string& field) const {
    if (!v.is_array()) fail(field, "must be a list of strings");
    std::vector<std::string> out;
    for (std::size_t i = 0; i < v.size(); ++i)
      out.push_back(str(v[i], field + "[" + std::to_string(i) + "]"));
    return out;
  }

  // A bucket and prefix, from "s3://bucket/prefix" or {"bucket": ..., "prefix": ...}.
  std::pair<std::string, std::string> location(const json& v, const std::string& field) const {
    std::pair<std::string, std::string> out;
    if (v.is_string()) {
      try {
        out = parse_s3_url(v.get<std::string>(), field);
      } catch (const UsageError& e) {
        throw inventory::ConfigError(name_ + ": " + e.what());
      }
    } else {
      only(v, field, {"bucket", "prefix"});
      if (!v.contains("bucket")) fail(field + ".bucket", "is required");
      out.first = str(v["bucket"], field + ".bucket");
      if (v.contains("prefix")) out.second = str(v["prefix"], field + ".prefix", true);
    }
    check_bucket(out.first, field);
    return out;
  }

  void check_bucket(const std::string& b, const std::string& field) const {
    if (b.size() < 3 || b.size() > 63 || b.find_first_of("/ \t:") != std::string::npos)
      fail(field, "bucket name '" + b + "' is not valid");
  }

 private:
  std::string name_;
};

std::string trim_slashes(std::string p) {
  while (!p.empty() && p.front() == '/') p.erase(0, 1);
  while (!p.empty() && p.back() == '/') p.pop_back();
  return p;
}

std::optional<std::string> env(const char* name) {
  const char* v = std::getenv(name);
  if (v && *v) return std::string(v);
  return std::nullopt;
}

}  // namespace

std::uint64_t parse_size(std::string_view text, const std::string& field) {
  const auto bad = [&] {
    return UsageError(field + ": '" + std::string(text) +
                      "' is not a size (examples: 100GiB, 512MiB, 1TB, 1048576)");
  };
  std::string s(text);
  while (!s.empty() && s.back() == ' ') s.pop_back();
  std::size_t i = 0;
  while (i < s.size() && ((s[i] >= '0' && s[i] <= '9') || s[i] == '.')) ++i;
  if (i == 0) throw bad();
  const std::string number = s.substr(0, i);
  std::string unit = s.substr(i);
  while (!unit.empty() && unit.front() == ' ') unit.erase(0, 1);
  double mult = 1;
  if (unit.empty() || unit == "B") {
    mult = 1;
  } else if (unit == "K" || unit == "KiB") {
    mult = 1024.0;
  } else if (unit == "M" || unit == "MiB") {
    mult = 1024.0 * 1024;
  } else if (unit == "G" || unit == "GiB") {
    mult = 1024.0 * 1024 * 1024;
  } else if (unit == "T" || unit == "TiB") {
    mult = 1024.0 * 1024 * 1024 * 1024;
  } else if (unit == "KB") {
    mult = 1e3;
  } else if (unit == "MB") {
    mult = 1e6;
  } else if (unit == "GB") {
    mult = 1e9;
  } else if (unit == "TB") {
    mult = 1e12;
  } else {
    throw bad();
  }
  if (number.find('.') == std::string::npos) {
    std::uint64_t n = 0;
    for (char c : number) {
      if (n > (UINT64_MAX - 9) / 10) throw bad();
      n = n * 10 + static_cast<std::uint64_t>(c - '0');
    }
    const double total = static_cast<double>(n) * mult;
    if (total > 1.8e19) throw bad();
    return mult == 1 ? n : n * static_cast<std::uint64_t>(mult);
  }
  char* end = nullptr;
  const double v = std::strtod(number.c_str(), &end);
  if (!end || *end != '\0' || !std::isfinite(v)) throw bad();
  const double total = std::floor(v * mult);
  if (total > 1.8e19) throw bad();
  return static_cast<std::uint64_t>(total);
}

std::pair<std::string, std::string> parse_s3_url(std::string_view url, const std::string& field) {
  if (!url.starts_with("s3://"))
    throw UsageError(field + ": '" + std::string(url) + "' is not an s3://bucket/prefix URL");
  url.remove_prefix(5);
  const std::size_t slash = url.find('/');
  std::string bucket(url.substr(0, slash));
  std::string prefix = slash == std::string_view::npos ? std::string() : std::string(url.substr(slash + 1));
  if (bucket.empty()) throw UsageError(field + ": the s3:// URL has no bucket");
  return {bucket, prefix};
}

namespace {

// One function per section of the config, in the order parse_config reads them (a config with
// several mistakes reports the first in this order).

json parse_root(const Checker& c, std::string_view text) {
  json root;
  try {
    root = json::parse(text);
  } catch (const json::parse_error& e) {
    c.fail("", std::string("not valid JSON: ") + e.what());
  }
  c.only(root, "",
         {"comment",
          "inventory",
          "destination",
          "naming",
          "storage_class",
          "size_limit",
          "part_size",
          "format",
          "encryption",
          "tags",
          "concurrency",
          "inventory_threads",
          "time_zone",
          "filters",
          "report",
          "skip_unreadable",
          "spool_limit",
          "count_already_archived_as_skipped",
          "allow_unpinned_reads",
          "connection",
          "limits"});
  if (root.contains("comment")) c.str(root["comment"], "comment", true);
  return root;
}

// "inventory" (required) and "destination" (required).
void read_locations(const Checker& c, const json& root, DailyConfig& cfg) {
  if (!root.contains("inventory"))
    c.fail("inventory", "is required (s3://bucket/<source-bucket>/<config-id>/)");
  {
    auto [bucket, prefix] = c.location(root["inventory"], "inventory");
    prefix = trim_slashes(prefix);
    if (prefix.empty())
      c.fail("inventory", "needs the prefix of the inventory configuration: <source-bucket>/<config-id>/");
    cfg.inventory = {bucket, prefix + "/"};
    try {
      inventory::check_location(cfg.inventory);
    } catch (const inventory::ConfigError& e) {
      throw inventory::ConfigError(c.name() + ": " + e.what());
    }
  }
  if (!root.contains("destination")) c.fail("destination", "is required (s3://bucket/prefix)");
  auto [bucket, prefix] = c.location(root["destination"], "destination");
  cfg.bucket = bucket;
  cfg.prefix = trim_slashes(prefix);
}

// The archives: naming, storage_class, size_limit, part_size, format, encryption, tags.
void read_archive(const Checker& c, const json& root, DailyConfig& cfg) {
  if (root.contains("naming")) {
    cfg.naming = c.str(root["naming"], "naming");
    try {
      check_template(cfg.naming);
    } catch (const UsageError& e) {
      c.fail("naming", e.what());
    }
  }
  if (root.contains("storage_class")) {
    cfg.storage_class = c.str(root["storage_class"], "storage_class");
  }
  if (root.contains("size_limit")) cfg.size_limit = c.size(root["size_limit"], "size_limit");
  if (root.contains("part_size")) cfg.part_size = c.size(root["part_size"], "part_size");
  if (root.contains("format")) {
    cfg.format = c.str(root["format"], "format");
  }
  if (root.contains("encryption")) {
    const json& e = root["encryption"];
    c.only(e, "encryption", {"sse", "kms_key_id", "bucket_key"});
    if (e.contains("sse")) cfg.sse = c.str(e["sse"], "encryption.sse");
    if (e.contains("kms_key_id")) {
      cfg.kms_key_id = c.str(e["kms_key_id"], "encryption.kms_key_id");
      if (cfg.sse.empty()) cfg.sse = "aws:kms";
    }
    if (e.contains("bucket_key")) cfg.bucket_key = c.boolean(e["bucket_key"], "encryption.bucket_key");
  }
  if (root.contains("tags")) {
    const json& t = root["tags"];
    if (!t.is_object()) c.fail("tags", "must be an object of string values: {\"key\": \"value\"}");
    for (const auto& [k, v] : t.items()) cfg.tags.emplace_back(k, c.str(v, "tags." + k, true));
  }
}

// concurrency, inventory_threads, time_zone.
void read_run(const Checker& c, const json& root, DailyConfig& cfg) {
  if (root.contains("concurrency"))
    cfg.concurrency = static_cast<unsigned>(c.integer(root["concurrency"], "concurrency", 0, 1 << 30));
  if (root.contains("inventory_threads"))
    cfg.inventory_threads =
        static_cast<unsigned>(c.integer(root["inventory_threads"], "inventory_threads", 1, 64));
  if (root.contains("time_zone")) {
    cfg.time_zone = c.str(root["time_zone"], "time_zone");
    try {
      (void)inventory::TimeZone::from_name(cfg.time_zone);
    } catch (const inventory::ConfigError& e) {
      c.fail("time_zone", e.what());
    }
  }
}

void read_filters(const Checker& c, const json& root, DailyConfig& cfg) {
  if (!root.contains("filters")) return;
  const json& f = root["filters"];
  c.only(f, "filters", {"min_size", "include_prefixes", "exclude_prefixes"});
  if (f.contains("min_size")) {
    cfg.min_size = c.size(f["min_size"], "filters.min_size");
    if (cfg.min_size == 0)
      c.fail("filters.min_size", "must be at least 1 (empty objects are never archived)");
  }
  if (f.contains("include_prefixes"))
    cfg.include_prefixes = c.strings(f["include_prefixes"], "filters.include_prefixes");
  if (f.contains("exclude_prefixes"))
    cfg.exclude_prefixes = c.strings(f["exclude_prefixes"], "filters.exclude_prefixes");
}

// "report": where the day's state and reports go; by default beside the archives.
void read_report(const Checker& c, const json& root, DailyConfig& cfg) {
  if (root.contains("report")) {
    auto [bucket, prefix] = c.location(root["report"], "report");
    cfg.report_bucket = bucket;
    cfg.report_prefix = trim_slashes(prefix);
    if (cfg.report_prefix.empty())
      c.fail("report", "needs a prefix (the day's state and reports go under it)");
  } else {
    cfg.report_bucket = cfg.bucket;
    cfg.report_prefix = cfg.prefix.empty() ? "_reports" : cfg.prefix + "/_reports";
  }
}

// skip_unreadable, count_already_archived_as_skipped, allow_unpinned_reads.
void read_policies(const Checker& c, const json& root, DailyConfig& cfg) {
  if (root.contains("skip_unreadable"))
    cfg.skip_unreadable = c.boolean(root["skip_unreadable"], "skip_unreadable");
  if (root.contains("spool_limit")) cfg.spool_limit = c.size(root["spool_limit"], "spool_limit");
  if (root.contains("count_already_archived_as_skipped"))
    cfg.count_already_archived_as_skipped =
        c.boolean(root["count_already_archived_as_skipped"], "count_already_archived_as_skipped");
  if (root.contains("allow_unpinned_reads"))
    cfg.allow_unpinned_reads = c.boolean(root["allow_unpinned_reads"], "allow_unpinned_reads");
}

void read_connection(const Checker& c, const json& root, DailyConfig& cfg) {
  if (!root.contains("connection")) return;
  const json& k = root["connection"];
  c.only(k, "connection", {"region", "endpoint_url", "path_style", "profile", "max_attempts"});
  if (k.contains("region")) cfg.connection.region = c.str(k["region"], "connection.region");
  if (k.contains("endpoint_url")) {
    cfg.connection.endpoint_url = c.str(k["endpoint_url"], "connection.endpoint_url");
    const auto& u = *cfg.connection.endpoint_url;
    if (!u.starts_with("http://") && !u.starts_with("https://"))
      c.fail("connection.endpoint_url", "must start with http:// or https://");
  }
  if (k.contains("path_style"))
    cfg.connection.path_style = c.boolean(k["path_style"], "connection.path_style");
  if (k.contains("profile")) cfg.connection.profile = c.str(k["profile"], "connection.profile");
  if (k.contains("max_attempts"))
    cfg.connection.max_attempts =
        static_cast<int>(c.integer(k["max_attempts"], "connection.max_attempts", 1, 100));
}

void read_limits(const Checker& c, const json& root, DailyConfig& cfg) {
  if (!root.contains("limits")) return;
  const json& l = root["limits"];
  c.only(l, "limits", {"min_part_size", "max_part_size", "max_parts", "max_object_size"});
  if (l.contains("min_part_size")) cfg.min_part_size = c.size(l["min_part_size"], "limits.min_part_size");
  if (l.contains("max_part_size")) cfg.max_part_size = c.size(l["max_part_size"], "limits.max_part_size");
  if (l.contains("max_parts"))
    cfg.max_parts = static_cast<std::uint32_t>(c.integer(l["max_parts"], "limits.max_parts", 0, 1 << 30));
  if (l.contains("max_object_size"))
    cfg.max_object_size = c.size(l["max_object_size"], "limits.max_object_size");
}

}  // namespace

DailyConfig parse_config(std::string_view text, const std::string& name) {
  const Checker c(name);
  const json root = parse_root(c, text);
  DailyConfig cfg;
  read_locations(c, root, cfg);
  read_archive(c, root, cfg);
  read_run(c, root, cfg);
  read_filters(c, root, cfg);
  read_report(c, root, cfg);
  read_policies(c, root, cfg);
  read_connection(c, root, cfg);
  read_limits(c, root, cfg);
  // The values the command line shares are checked where both are (settings.cpp).
  (void)settings::make_settings(settings_input(cfg, name));
  return cfg;
}

DailyConfig load_config(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw inventory::ConfigError("cannot read the config file " + path);
  std::stringstream ss;
  ss << in.rdbuf();
  return parse_config(ss.str(), path);
}

settings::SettingsInput settings_input(const DailyConfig& cfg, const std::string& name) {
  settings::SettingsInput in;
  in.origin = settings::Origin::ConfigFile;
  in.config_name = name;
  in.size_limit = cfg.size_limit;
  in.part_size = cfg.part_size;
  in.min_part_size = cfg.min_part_size;
  in.max_part_size = cfg.max_part_size;
  in.max_parts = cfg.max_parts;
  in.max_object_size = cfg.max_object_size;
  in.format = cfg.format;
  in.storage_class = cfg.storage_class;
  in.sse = cfg.sse;
  in.kms_key_id = cfg.kms_key_id;
  in.bucket_key = cfg.bucket_key;
  in.tags = cfg.tags;
  in.skip_unreadable = cfg.skip_unreadable;
  in.spool_limit = cfg.spool_limit;
  in.concurrency = cfg.concurrency;
  in.connection = connection_options(cfg);
  return in;
}

settings::Settings job_settings(const DailyConfig& cfg, const std::string& name) {
  settings::Settings s = settings::make_settings(settings_input(cfg, name));
  s.write.bucket = cfg.bucket;
  s.write.plan.archive_key = "daily.tar";  // volumes are named by the naming template
  return s;
}

s3::ConnectionOptions connection_options(const DailyConfig& cfg) {
  s3::ConnectionOptions o;
  const auto& k = cfg.connection;
  if (k.region && !env("AWS_REGION") && !env("AWS_DEFAULT_REGION")) o.region = k.region;
  if (k.endpoint_url && !env("AWS_ENDPOINT_URL_S3") && !env("AWS_ENDPOINT_URL"))
    o.endpoint_url = k.endpoint_url;
  if (k.profile && !env("AWS_PROFILE") && !env("AWS_DEFAULT_PROFILE")) o.profile = k.profile;
  if (k.max_attempts && !env("AWS_MAX_ATTEMPTS")) o.max_attempts = k.max_attempts;
  o.path_style = k.path_style;
  o.max_in_flight = cfg.concurrency;
  return o;
}

}  // namespace s3tar::scheduler
