#include "scheduler/config.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <string>

#include "inventory/errors.h"

namespace s3tar::scheduler {
namespace {

const std::string kMinimal =
    R"({"inventory": "s3://inv-bucket/src-bucket/daily/", "destination": "s3://dest-bucket/archives/"})";

// The message of the usage error (exit 2) for a config text.
std::string error_of(const std::string& text) {
  try {
    parse_config(text, "job.json");
  } catch (const s3tar::Error& e) {
    if (e.category() != ErrorCategory::Usage) return std::string("not a usage error: ") + e.what();
    return e.what();
  }
  return "no error";
}

// kMinimal plus one more top-level field.
std::string with(const std::string& field) {
  return kMinimal.substr(0, kMinimal.size() - 1) + ", " + field + "}";
}

TEST(Config, MinimalGetsDefaults) {
  const DailyConfig c = parse_config(kMinimal);
  EXPECT_EQ(c.inventory.bucket, "inv-bucket");
  EXPECT_EQ(c.inventory.prefix, "src-bucket/daily/");
  EXPECT_EQ(c.bucket, "dest-bucket");
  EXPECT_EQ(c.prefix, "archives");
  EXPECT_EQ(c.naming, kDefaultNaming);
  EXPECT_EQ(c.storage_class, "DEEP_ARCHIVE");
  EXPECT_EQ(c.size_limit, 0u);
  EXPECT_EQ(c.time_zone, "UTC");
  EXPECT_EQ(c.min_size, 1u);
  EXPECT_TRUE(c.skip_unreadable);
  EXPECT_EQ(c.report_bucket, "dest-bucket");
  EXPECT_EQ(c.report_prefix, "archives/_reports");
  EXPECT_FALSE(c.connection.endpoint_url.has_value());
}

TEST(Config, EveryField) {
  const DailyConfig c = parse_config(R"({
    "comment": "nightly logs",
    "inventory": {"bucket": "inv-bucket", "prefix": "/src-bucket/daily"},
    "destination": {"bucket": "dest-bucket"},
    "naming": "{source_bucket}/{date}/part-{nnnn}.tar",
    "storage_class": "GLACIER",
    "size_limit": "100GiB",
    "format": "gnu",
    "encryption": {"kms_key_id": "arn:aws:kms:us-east-1:111122223333:key/abc", "bucket_key": true},
    "tags": {"team": "logs", "retention": "10y"},
    "concurrency": 64,
    "inventory_threads": 8,
    "time_zone": "Europe/Berlin",
    "filters": {"min_size": "1KiB", "include_prefixes": ["logs/"], "exclude_prefixes": ["logs/tmp/"]},
    "report": "s3://report-bucket/s3tar/reports/",
    "skip_unreadable": false,
    "connection": {"region": "eu-central-1", "endpoint_url": "http://127.0.0.1:9000", "path_style": true,
                   "profile": "archiver", "max_attempts": 5},
    "limits": {"min_part_size": "5MiB", "max_object_size": "5TiB"}
  })");
  EXPECT_EQ(c.inventory.prefix, "src-bucket/daily/");
  EXPECT_EQ(c.prefix, "");
  EXPECT_EQ(c.storage_class, "GLACIER");
  EXPECT_EQ(c.size_limit, 100ULL << 30);
  EXPECT_EQ(c.format, "gnu");
  EXPECT_EQ(c.sse, "aws:kms");
  EXPECT_TRUE(c.bucket_key);
  ASSERT_EQ(c.tags.size(), 2u);
  EXPECT_EQ(c.concurrency, 64u);
  EXPECT_EQ(c.inventory_threads, 8u);
  EXPECT_EQ(c.min_size, 1024u);
  EXPECT_EQ(c.include_prefixes, std::vector<std::string>{"logs/"});
  EXPECT_EQ(c.report_bucket, "report-bucket");
  EXPECT_EQ(c.report_prefix, "s3tar/reports");
  EXPECT_FALSE(c.skip_unreadable);
  EXPECT_EQ(*c.connection.region, "eu-central-1");
  EXPECT_EQ(*c.connection.max_attempts, 5);
  EXPECT_EQ(*c.max_object_size, 5ULL << 40);
}

TEST(Config, ErrorsNameTheField) {
  EXPECT_NE(error_of(with(R"("sizelimit": "1GiB")")).find("job.json: sizelimit: unknown field"),
            std::string::npos);
  EXPECT_NE(
      error_of(with(R"("filters": {"min_size": 1, "prefix": "x"})")).find("filters.prefix: unknown field"),
      std::string::npos);
  EXPECT_NE(error_of(R"({"destination": "s3://dest-bucket/"})").find("inventory: is required"),
            std::string::npos);
  EXPECT_NE(error_of(R"({"inventory": "s3://inv-bucket/src/cfg/"})").find("destination: is required"),
            std::string::npos);
  EXPECT_NE(
      error_of(R"({"inventory": "s3://inv-bucket", "destination": "s3://dest-bucket"})").find("inventory:"),
      std::string::npos);
  EXPECT_NE(
      error_of(R"({"inventory": "inv-bucket/x/", "destination": "s3://dest-bucket"})").find("inventory:"),
      std::string::npos);
  EXPECT_NE(error_of(with(R"("size_limit": "lots")")).find("size_limit:"), std::string::npos);
  EXPECT_NE(error_of(with(R"("size_limit": "1MiB")")).find("size_limit:"), std::string::npos);
  EXPECT_NE(error_of(with(R"("storage_class": "ICE")")).find("storage_class:"), std::string::npos);
  EXPECT_NE(error_of(with(R"("format": "zip")")).find("format:"), std::string::npos);
  EXPECT_NE(error_of(with(R"("time_zone": "Mars/Olympus")")).find("time_zone:"), std::string::npos);
  EXPECT_NE(error_of(with(R"("naming": "{prefix}/{date}.tar")")).find("naming:"), std::string::npos);
  EXPECT_NE(error_of(with(R"("naming": "{prefix}/{volume}.tar")")).find("unknown variable {volume}"),
            std::string::npos);
  EXPECT_NE(error_of(with(R"("concurrency": 0)")).find("concurrency: must be from 1"), std::string::npos);
  EXPECT_NE(error_of(with(R"("concurrency": "8")")).find("concurrency: must be an integer"),
            std::string::npos);
  EXPECT_NE(
      error_of(with(R"("encryption": {"sse": "AES256", "kms_key_id": "k"})")).find("encryption.kms_key_id"),
      std::string::npos);
  EXPECT_NE(error_of(with(R"("encryption": {"sse": "rot13"})")).find("encryption.sse"), std::string::npos);
  EXPECT_NE(error_of(with(R"("tags": {"a": 1})")).find("tags.a: must be a string"), std::string::npos);
  EXPECT_NE(error_of(with(R"("filters": {"min_size": 0})")).find("filters.min_size"), std::string::npos);
  EXPECT_NE(error_of(with(R"("filters": {"include_prefixes": "logs/"})")).find("filters.include_prefixes"),
            std::string::npos);
  EXPECT_NE(error_of(with(R"("skip_unreadable": "yes")")).find("skip_unreadable"), std::string::npos);
  EXPECT_NE(
      error_of(with(R"("connection": {"endpoint_url": "localhost:9000"})")).find("connection.endpoint_url"),
      std::string::npos);
  EXPECT_NE(error_of(with(R"("report": "s3://report-bucket")")).find("report:"), std::string::npos);
  EXPECT_NE(error_of("{not json").find("not valid JSON"), std::string::npos);
  EXPECT_NE(error_of("[]").find("must be a JSON object"), std::string::npos);
  // One line each.
  EXPECT_EQ(error_of(with(R"("sizelimit": 1)")).find('\n'), std::string::npos);
}

TEST(Config, MissingFileIsAConfigError) {
  EXPECT_THROW(load_config("/nonexistent/job.json"), inventory::ConfigError);
}

TEST(Config, ParseSize) {
  EXPECT_EQ(parse_size("0", "f"), 0u);
  EXPECT_EQ(parse_size("1048576", "f"), 1048576u);
  EXPECT_EQ(parse_size("100GiB", "f"), 100ULL << 30);
  EXPECT_EQ(parse_size("5 MiB", "f"), 5ULL << 20);
  EXPECT_EQ(parse_size("2G", "f"), 2ULL << 30);
  EXPECT_EQ(parse_size("1TB", "f"), 1000000000000ULL);
  EXPECT_EQ(parse_size("1.5KiB", "f"), 1536u);
  EXPECT_THROW(parse_size("", "f"), UsageError);
  EXPECT_THROW(parse_size("GiB", "f"), UsageError);
  EXPECT_THROW(parse_size("10 parsecs", "f"), UsageError);
  EXPECT_THROW(parse_size("-1", "f"), UsageError);
  EXPECT_THROW(parse_size("99999999999999999999", "f"), UsageError);
  EXPECT_THROW(parse_size("100000000TiB", "f"), UsageError);
}

TEST(Config, EnvironmentWinsOverConfigConnection) {
  DailyConfig c = parse_config(with(
      R"("connection": {"region": "eu-west-1", "endpoint_url": "http://127.0.0.1:1", "max_attempts": 3}, "concurrency": 7)"));
  ::unsetenv("AWS_REGION");
  ::unsetenv("AWS_DEFAULT_REGION");
  ::unsetenv("AWS_ENDPOINT_URL");
  ::unsetenv("AWS_ENDPOINT_URL_S3");
  ::unsetenv("AWS_MAX_ATTEMPTS");
  s3::ConnectionOptions o = connection_options(c);
  EXPECT_EQ(o.region, "eu-west-1");
  EXPECT_EQ(o.endpoint_url, "http://127.0.0.1:1");
  EXPECT_EQ(o.max_attempts, 3);
  EXPECT_EQ(o.max_in_flight, 7u);
  ::setenv("AWS_REGION", "ap-south-1", 1);
  ::setenv("AWS_ENDPOINT_URL_S3", "http://127.0.0.1:2", 1);
  o = connection_options(c);
  EXPECT_FALSE(o.region.has_value());
  EXPECT_FALSE(o.endpoint_url.has_value());
  const s3::ClientConfig resolved = s3::resolve_client_config(o);
  EXPECT_EQ(resolved.region, "ap-south-1");
  EXPECT_EQ(resolved.endpoint_url, "http://127.0.0.1:2");
  ::unsetenv("AWS_REGION");
  ::unsetenv("AWS_ENDPOINT_URL_S3");
}

TEST(Config, ShippedExampleIsValid) {
  const DailyConfig c = load_config(std::string(S3TAR_SOURCE_DIR) + "/config/example-daily.json");
  EXPECT_FALSE(c.bucket.empty());
}

}  // namespace
}  // namespace s3tar::scheduler
