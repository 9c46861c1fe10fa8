#include "inventory/manifest.h"

#include <strings.h>

#include <cctype>
#include <charconv>
#include <cstdint>
#include <nlohmann/json.hpp>

#include "inventory/encoding.h"
#include "inventory/errors.h"
#include "inventory/schema.h"
#include "s3tar/s3/digest.h"

namespace s3tar::inventory {
namespace {

using nlohmann::json;

[[noreturn]] void bad(const std::string& what) { throw BadInputError("manifest.json: " + what); }

std::string trim(std::string_view s) {
  const char* ws = " \t\r\n";
  const auto b = s.find_first_not_of(ws);
  if (b == std::string_view::npos) return {};
  return std::string(s.substr(b, s.find_last_not_of(ws) - b + 1));
}

const std::string& required_string(const json& j, const char* field, const std::string& where = {}) {
  const auto it = j.find(field);
  if (it == j.end()) bad(where + "missing field \"" + field + "\"");
  if (!it->is_string()) bad(where + "field \"" + field + "\" is not a string");
  if (it->get_ref<const std::string&>().empty()) bad(where + "field \"" + field + "\" is empty");
  return it->get_ref<const std::string&>();
}

bool all_digits(std::string_view s) {
  if (s.empty() || s.size() > 19) return false;
  for (char c : s) {
    if (!std::isdigit(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

// Digits that fit in an int64 (19 digits may not).
bool parse_int64(std::string_view s, std::int64_t& out) {
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && end == s.data() + s.size();
}

bool is_md5_hex(std::string_view s) {
  if (s.size() != 32) return false;
  for (char c : s) {
    if (!std::isxdigit(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

// "arn:<partition>:s3:::<bucket>" -> bucket.
std::string bucket_from_arn(const std::string& arn) {
  std::vector<std::string> parts;
  std::size_t pos = 0;
  for (int i = 0; i < 5; ++i) {
    const auto colon = arn.find(':', pos);
    if (colon == std::string::npos) break;
    parts.push_back(arn.substr(pos, colon - pos));
    pos = colon + 1;
  }
  if (parts.size() != 5 || parts[0] != "arn" || parts[1].empty() || parts[2] != "s3" || !parts[3].empty() ||
      !parts[4].empty() || pos >= arn.size() || arn.find_first_of(":/", pos) != std::string::npos) {
    bad("destinationBucket \"" + arn + "\" is not an S3 bucket ARN (arn:aws:s3:::name)");
  }
  return arn.substr(pos);
}

}  // namespace

std::vector<std::string> split_schema(std::string_view schema) {
  std::vector<std::string> names;
  std::size_t pos = 0;
  for (;;) {
    const auto comma = schema.find(',', pos);
    names.push_back(
        trim(schema.substr(pos, comma == std::string_view::npos ? std::string_view::npos : comma - pos)));
    if (comma == std::string_view::npos) break;
    pos = comma + 1;
  }
  return names;
}

Manifest parse_manifest(std::string_view json_text) {
  json j;
  try {
    j = json::parse(json_text);
  } catch (const json::exception& e) {  // parse_error, and out_of_range for a number too big
    bad(std::string("not valid JSON: ") + e.what());
  }
  if (!j.is_object()) bad("not a JSON object");

  Manifest m;
  m.source_bucket = required_string(j, "sourceBucket");
  m.destination_bucket_arn = required_string(j, "destinationBucket");
  m.destination_bucket = bucket_from_arn(m.destination_bucket_arn);
  m.version = required_string(j, "version");

  const auto ts = j.find("creationTimestamp");
  if (ts == j.end()) bad("missing field \"creationTimestamp\"");
  if (ts->is_string() && all_digits(ts->get_ref<const std::string&>())) {
    if (!parse_int64(ts->get_ref<const std::string&>(), m.creation_timestamp_ms))
      bad("creationTimestamp is out of range: " + ts->dump());
  } else if (ts->is_number_unsigned() && ts->get<std::uint64_t>() <= INT64_MAX) {
    m.creation_timestamp_ms = ts->get<std::int64_t>();
  } else {
    bad("creationTimestamp is not epoch milliseconds: " + ts->dump());
  }

  m.file_format = required_string(j, "fileFormat");
  if (strcasecmp(m.file_format.c_str(), "ORC") == 0 || strcasecmp(m.file_format.c_str(), "Parquet") == 0) {
    throw UnsupportedFormatError(
        "inventory fileFormat is " + m.file_format +
        "; only CSV inventories are supported (set the inventory output format to CSV)");
  }
  if (strcasecmp(m.file_format.c_str(), "CSV") != 0) bad("unknown fileFormat \"" + m.file_format + "\"");

  m.file_schema = split_schema(required_string(j, "fileSchema"));
  ColumnMap::from_schema(m.file_schema);  // validates the columns

  const auto files = j.find("files");
  if (files == j.end() || !files->is_array()) bad("missing \"files\" array");
  for (std::size_t i = 0; i < files->size(); ++i) {
    const auto& f = (*files)[i];
    const std::string where = "files[" + std::to_string(i) + "]";
    if (!f.is_object()) bad(where + " is not an object");
    DataFile df;
    df.key = required_string(f, "key", where + ": ");
    df.md5 = required_string(f, "MD5checksum", where + ": ");
    if (!is_md5_hex(df.md5)) bad(where + ".MD5checksum is not a hex MD5: " + df.md5);
    const auto size = f.find("size");
    if (size == f.end()) bad(where + " has no size");
    if (size->is_number_unsigned()) {
      df.size = size->get<std::uint64_t>();
    } else if (size->is_string() && all_digits(size->get_ref<const std::string&>())) {
      df.size = std::stoull(size->get<std::string>());
    } else {
      bad(where + ".size is not a byte count: " + size->dump());
    }
    m.files.push_back(std::move(df));
  }
  return m;
}

void verify_manifest_checksum(std::string_view manifest_json, std::string_view checksum_text,
                              const std::string& key) {
  const std::string actual = s3::md5_hex(manifest_json);
  if (!same_hex_digest(actual, checksum_text)) throw ChecksumMismatchError(key, trim(checksum_text), actual);
}

}  // namespace s3tar::inventory
