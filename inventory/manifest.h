#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace s3tar::inventory {

// One data file listed in manifest.json.
struct DataFile {
  std::string key;  // key in the destination bucket, used as is
  std::uint64_t size = 0;
  std::string md5;  // hex MD5 of the compressed file
};

// A parsed, validated manifest.json.
struct Manifest {
  std::string source_bucket;
  std::string destination_bucket_arn;  // "arn:aws:s3:::name" (any partition)
  std::string destination_bucket;      // the name from the ARN
  std::string version;
  std::int64_t creation_timestamp_ms = 0;
  std::string file_format;               // "CSV"
  std::vector<std::string> file_schema;  // column names, trimmed
  std::vector<DataFile> files;           // in manifest order
};

// Parses and validates manifest.json. Throws UnsupportedFormatError for ORC/Parquet and for a
// schema without the required columns, BadInputError for anything else wrong.
Manifest parse_manifest(std::string_view json_text);

// Throws ChecksumMismatchError unless MD5(manifest_json) equals the hex in `checksum_text`
// (whitespace trimmed, case-insensitive). `key` names the manifest in the message.
void verify_manifest_checksum(std::string_view manifest_json, std::string_view checksum_text,
                              const std::string& key = "manifest.json");

// Splits a fileSchema value on "," and trims each name.
std::vector<std::string> split_schema(std::string_view schema);

}  // namespace s3tar::inventory
