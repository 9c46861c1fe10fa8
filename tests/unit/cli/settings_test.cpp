// One mapping from what a user gives to what the planner and executor get: `s3tar -c` flags and
// the daily job's config with the same values give the same settings, and both refuse the same
// bad values.
#include <gtest/gtest.h>

#include "cli/tar/tar_options.h"
#include "s3tar/errors.h"
#include "scheduler/config.h"

namespace s3tar::cli {
namespace {

void expect_same(const exec::WriteRequest& a, const exec::WriteRequest& b) {
  EXPECT_EQ(a.plan.limits.min_part, b.plan.limits.min_part);
  EXPECT_EQ(a.plan.limits.max_part, b.plan.limits.max_part);
  EXPECT_EQ(a.plan.limits.max_parts, b.plan.limits.max_parts);
  EXPECT_EQ(a.plan.limits.max_object, b.plan.limits.max_object);
  EXPECT_EQ(a.plan.upload_part_target, b.plan.upload_part_target);
  EXPECT_EQ(a.plan.size_limit, b.plan.size_limit);
  EXPECT_EQ(a.plan.format, b.plan.format);
  EXPECT_EQ(a.exec.max_parts_in_flight, b.exec.max_parts_in_flight);
  EXPECT_EQ(a.exec.max_upload_parts_in_flight, b.exec.max_upload_parts_in_flight);
  EXPECT_EQ(a.exec.write.storage_class, b.exec.write.storage_class);
  EXPECT_EQ(a.exec.write.sse, b.exec.write.sse);
  EXPECT_EQ(a.exec.write.kms_key_id, b.exec.write.kms_key_id);
  EXPECT_EQ(a.exec.write.tags, b.exec.write.tags);
  EXPECT_EQ(a.exec.write.content_type, b.exec.write.content_type);
  EXPECT_EQ(a.skip_unreadable, b.skip_unreadable);
}

TEST(Settings, TheSameValuesReachTheExecutorFromCreateAndFromRun) {
  const auto flags = parse_tar_options({"-cf",
                                        "s3://dest/k.tar",
                                        "-m",
                                        "m.csv",
                                        "--size-limit",
                                        "20MiB",
                                        "--part-size",
                                        "8MiB",
                                        "--concurrency",
                                        "12",
                                        "--storage-class",
                                        "DEEP_ARCHIVE",
                                        "--sse",
                                        "aws:kms",
                                        "--kms-key-id",
                                        "key-1",
                                        "--format",
                                        "gnu",
                                        "--skip-unreadable",
                                        "--min-part-size",
                                        "5MiB",
                                        "--max-part-size",
                                        "1GiB",
                                        "--max-parts",
                                        "5000",
                                        "--max-object-size",
                                        "1TiB",
                                        "--tagging",
                                        R"({"TagSet":[{"Key":"team","Value":"data"}]})"});
  ASSERT_TRUE(flags);
  const scheduler::DailyConfig cfg = scheduler::parse_config(R"({
      "inventory": "s3://inv/src/daily/", "destination": "s3://dest/archives",
      "size_limit": "20MiB", "part_size": "8MiB", "concurrency": 12, "storage_class": "DEEP_ARCHIVE",
      "encryption": {"sse": "aws:kms", "kms_key_id": "key-1"}, "format": "gnu", "skip_unreadable": true,
      "limits": {"min_part_size": "5MiB", "max_part_size": "1GiB", "max_parts": 5000, "max_object_size": "1TiB"},
      "tags": {"team": "data"}})");
  const settings::Settings run = scheduler::job_settings(cfg);
  expect_same(flags->settings.write, run.write);
  EXPECT_EQ(flags->settings.write.exec.max_parts_in_flight, 12u);      // --concurrency reaches the executor
  EXPECT_EQ(flags->settings.write.plan.upload_part_target, 8u << 20);  // and so does the part size
  EXPECT_EQ(flags->settings.connection.max_in_flight, run.connection.max_in_flight);
  EXPECT_EQ(flags->connection.max_in_flight, std::optional<size_t>(12));
}

// Neither --concurrency nor "concurrency" given: `s3tar -c`/`-x` and `s3tar run` get the same
// requests in flight, the documented 128 (README, Speed and memory), and the memory bound that
// goes with it.
TEST(Settings, BothFrontEndsGetTheSameDefaultConcurrency) {
  const auto create = parse_tar_options({"-cf", "s3://dest/k.tar", "-m", "m.csv"});
  const auto extract = parse_tar_options({"-xf", "s3://dest/k.tar", "-C", "s3://restore/"});
  ASSERT_TRUE(create);
  ASSERT_TRUE(extract);
  const settings::Settings run = scheduler::job_settings(scheduler::parse_config(
      R"({"inventory": "s3://inv/src/daily/", "destination": "s3://dest/archives"})"));
  EXPECT_EQ(run.connection.max_in_flight, std::optional<size_t>(128));
  EXPECT_EQ(create->settings.connection.max_in_flight, run.connection.max_in_flight);
  EXPECT_EQ(extract->settings.connection.max_in_flight, run.connection.max_in_flight);
  EXPECT_EQ(create->connection.max_in_flight, run.connection.max_in_flight);  // what reaches the client
  EXPECT_EQ(create->settings.write.exec.max_parts_in_flight, run.write.exec.max_parts_in_flight);
  EXPECT_EQ(run.write.exec.max_parts_in_flight, 128u);
  // Upload parts assembled in memory at once: the same bound, far under 128 x the part size.
  EXPECT_EQ(create->settings.write.exec.max_upload_parts_in_flight, 8u);
  EXPECT_EQ(run.write.exec.max_upload_parts_in_flight, 8u);
}

// The usage error (exit 2) of a command line or a config; "" when accepted.
std::string flag_error(std::vector<std::string> extra) {
  std::vector<std::string> args = {"-cf", "s3://dest/k.tar", "-m", "m.csv"};
  args.insert(args.end(), extra.begin(), extra.end());
  try {
    parse_tar_options(args);
  } catch (const s3tar::Error& e) {
    return e.category() == ErrorCategory::Usage ? e.what() : "not a usage error";
  }
  return "";
}

std::string config_error(const std::string& fields) {
  try {
    scheduler::parse_config(
        R"({"inventory": "s3://inv/src/daily/", "destination": "s3://dest/archives", )" + fields + "}",
        "job.json");
  } catch (const s3tar::Error& e) {
    return e.category() == ErrorCategory::Usage ? e.what() : "not a usage error";
  }
  return "";
}

TEST(Settings, TheCommandLineRefusesWhatTheConfigRefuses) {
  EXPECT_EQ(flag_error({"--size-limit", "1"}).rfind("--size-limit: must be 0 (no limit) or at least", 0), 0u);
  EXPECT_EQ(
      config_error(R"("size_limit": 1)").rfind("job.json: size_limit: must be 0 (no limit) or at least", 0),
      0u);
  EXPECT_EQ(flag_error({"--concurrency", "0"}), "--concurrency: must be from 1 to 1024");
  EXPECT_EQ(config_error(R"("concurrency": 0)"), "job.json: concurrency: must be from 1 to 1024");
  EXPECT_NE(flag_error({"--storage-class", "ICE"}), "");
  EXPECT_NE(config_error(R"("storage_class": "ICE")"), "");
  EXPECT_NE(flag_error({"--part-size", "1MiB"}), "");
  EXPECT_NE(config_error(R"("part_size": "1MiB")"), "");
  // Keys that climb out of the prefix: the config's naming template and -f alike.
  EXPECT_NE(config_error(R"("naming": "{prefix}/../elsewhere/{nnnn}.tar")").find("'..' path segment"),
            std::string::npos);
  try {
    parse_tar_options({"-cf", "s3://dest/a/../k.tar", "-m", "m.csv"});
    ADD_FAILURE() << "accepted -f with ..";
  } catch (const s3tar::Error& e) {
    EXPECT_EQ(e.category(), ErrorCategory::Usage);
    EXPECT_NE(std::string(e.what()).find("'..' path segment"), std::string::npos);
  }
  // Accepted values stay accepted.
  EXPECT_EQ(flag_error({"--size-limit", "10MiB", "--concurrency", "1"}), "");
  EXPECT_EQ(config_error(R"("size_limit": "10MiB", "concurrency": 1)"), "");
}

}  // namespace
}  // namespace s3tar::cli
