#include "inventory/manifest.h"

#include <gtest/gtest.h>

#include "inventory/errors.h"
#include "inventory/schema.h"
#include "inventory_test_util.h"
#include "s3tar/s3/digest.h"

namespace s3tar::inventory {
namespace {

using testing::Delivery;

const DataFile kFile{"reports/acme-logs/daily/data/1.csv.gz", 123, "0123456789abcdef0123456789abcdef"};

TEST(Manifest, ParsesFields) {
  const auto m = parse_manifest(Delivery::manifest_json({kFile}, testing::kVersionsSchema));
  EXPECT_EQ(m.source_bucket, "acme-logs");
  EXPECT_EQ(m.destination_bucket_arn, "arn:aws:s3:::inventory-dest");
  EXPECT_EQ(m.destination_bucket, "inventory-dest");
  EXPECT_EQ(m.version, "2016-11-30");
  EXPECT_EQ(m.creation_timestamp_ms, 1763773200000);
  EXPECT_EQ(m.file_format, "CSV");
  ASSERT_EQ(m.file_schema.size(), 11u);
  EXPECT_EQ(m.file_schema[0], "Bucket");
  EXPECT_EQ(m.file_schema[10], "EncryptionStatus");
  ASSERT_EQ(m.files.size(), 1u);
  EXPECT_EQ(m.files[0].key, kFile.key);
  EXPECT_EQ(m.files[0].size, 123u);
  EXPECT_EQ(m.files[0].md5, kFile.md5);
}

TEST(Manifest, OtherPartitionArn) {
  auto json = Delivery::manifest_json({kFile});
  json.replace(json.find("arn:aws:s3"), 10, "arn:aws-cn:s3");
  EXPECT_EQ(parse_manifest(json).destination_bucket, "inventory-dest");
}

TEST(Manifest, OrcAndParquetAreClearlyUnsupported) {
  for (const char* format : {"ORC", "Parquet"}) {
    try {
      parse_manifest(Delivery::manifest_json({kFile}, testing::kCurrentSchema, format));
      FAIL() << "expected UnsupportedFormatError";
    } catch (const UnsupportedFormatError& e) {
      EXPECT_NE(std::string(e.what()).find(format), std::string::npos) << e.what();
      EXPECT_NE(std::string(e.what()).find("only CSV"), std::string::npos) << e.what();
    }
  }
}

TEST(Manifest, MissingSizeColumnIsClear) {
  try {
    parse_manifest(Delivery::manifest_json({kFile}, "Bucket, Key, LastModifiedDate, ETag"));
    FAIL() << "expected UnsupportedFormatError";
  } catch (const UnsupportedFormatError& e) {
    EXPECT_NE(std::string(e.what()).find("no Size column"), std::string::npos) << e.what();
  }
  EXPECT_THROW(parse_manifest(Delivery::manifest_json({kFile}, "Bucket, Key, Size")), UnsupportedFormatError);
}

TEST(Manifest, RejectsBrokenFields) {
  const std::string good = Delivery::manifest_json({kFile});
  auto with = [&](const std::string& from, const std::string& to) {
    auto j = good;
    const auto pos = j.find(from);
    EXPECT_NE(pos, std::string::npos) << from;
    return j.replace(pos, from.size(), to);
  };
  EXPECT_THROW(parse_manifest("not json"), BadInputError);
  EXPECT_THROW(parse_manifest("[]"), BadInputError);
  EXPECT_THROW(parse_manifest(with(R"("sourceBucket":"acme-logs",)", "")), BadInputError);
  EXPECT_THROW(parse_manifest(with("arn:aws:s3:::inventory-dest", "inventory-dest")), BadInputError);
  EXPECT_THROW(parse_manifest(with("arn:aws:s3:::inventory-dest", "arn:aws:s3:us-east-1::x")), BadInputError);
  EXPECT_THROW(parse_manifest(with(R"("1763773200000")", R"("yesterday")")), BadInputError);
  EXPECT_THROW(parse_manifest(with(R"("fileFormat":"CSV")", R"("fileFormat":"TSV")")), BadInputError);
  EXPECT_THROW(parse_manifest(with(kFile.md5, "nothex")), BadInputError);
  EXPECT_THROW(parse_manifest(with(R"("size":123)", R"("size":-1)")), BadInputError);
  EXPECT_THROW(parse_manifest(with(R"("key":")", R"("kee":")")), BadInputError);
  EXPECT_THROW(parse_manifest(with("Bucket, Key", "Bucket, Bucket, Key")), BadInputError);
  // Found by fuzz_manifest_json: numbers too big for their type (the JSON parser's own error and
  // the timestamp's int64) are bad input, not an internal error.
  EXPECT_THROW(parse_manifest(with(R"("size":123)", R"("size":1e999)")), BadInputError);
  EXPECT_THROW(parse_manifest(with(R"("1763773200000")", R"("9999999999999999999")")), BadInputError);
  EXPECT_THROW(parse_manifest(with(R"("1763773200000")", "9999999999999999999")), BadInputError);
  // A numeric timestamp and string size are tolerated.
  EXPECT_EQ(parse_manifest(with(R"("1763773200000")", "1763773200000")).creation_timestamp_ms, 1763773200000);
  EXPECT_EQ(parse_manifest(with(R"("size":123)", R"("size":"123")")).files[0].size, 123u);
}

TEST(Manifest, SchemaSplitTrims) {
  EXPECT_EQ(split_schema("Bucket, Key,Size ,  LastModifiedDate"),
            (std::vector<std::string>{"Bucket", "Key", "Size", "LastModifiedDate"}));
  const auto m = ColumnMap::from_schema(split_schema(testing::kVersionsSchema));
  EXPECT_EQ(m.bucket, 0);
  EXPECT_EQ(m.key, 1);
  EXPECT_EQ(m.version_id, 2);
  EXPECT_EQ(m.is_latest, 3);
  EXPECT_EQ(m.is_delete_marker, 4);
  EXPECT_EQ(m.size, 5);
  EXPECT_EQ(m.intelligent_tiering_access_tier, 9);
  EXPECT_EQ(m.encryption_status, 10);
  EXPECT_EQ(m.column_count, 11u);
}

TEST(ManifestChecksum, VerifiesTrimmedCaseInsensitiveHex) {
  const std::string json = Delivery::manifest_json({kFile});
  const std::string md5 = s3::md5_hex(json);
  EXPECT_NO_THROW(verify_manifest_checksum(json, md5));
  EXPECT_NO_THROW(verify_manifest_checksum(json, "  " + md5 + "\r\n"));
  std::string upper = md5;
  for (auto& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  EXPECT_NO_THROW(verify_manifest_checksum(json, upper));
  EXPECT_THROW(verify_manifest_checksum(json + " ", md5), ChecksumMismatchError);
  EXPECT_THROW(verify_manifest_checksum(json, ""), ChecksumMismatchError);
}

}  // namespace
}  // namespace s3tar::inventory
