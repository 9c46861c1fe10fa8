#include "cli/tar/tar_options.h"

#include <gtest/gtest.h>

namespace s3tar::cli {
namespace {

TarOptions parse(std::vector<std::string> args) {
  auto o = parse_tar_options(args);
  EXPECT_TRUE(o.has_value());
  return *o;
}

TEST(TarOptions, CombinedShortFlagsLikeTheGoTool) {
  const TarOptions o = parse({"-cvvf", "s3://b/k.tar", "s3://src/prefix/", "--endpointUrl",
                              "http://127.0.0.1:1", "--goroutines", "8", "--storage-class", "DEEP_ARCHIVE"});
  EXPECT_EQ(o.mode, Mode::Create);
  EXPECT_EQ(o.verbosity, 2);
  EXPECT_EQ(o.archive, "s3://b/k.tar");
  ASSERT_EQ(o.positional.size(), 1u);
  EXPECT_EQ(o.positional[0], "s3://src/prefix/");
  EXPECT_EQ(o.connection.endpoint_url.value(), "http://127.0.0.1:1");
  EXPECT_EQ(o.connection.max_in_flight.value(), 8u);
  EXPECT_EQ(o.storage_class, "DEEP_ARCHIVE");
}

TEST(TarOptions, ExtractAndListWithTheirArguments) {
  const TarOptions x = parse({"-xvf", "s3://b/k.tar", "-C", "s3://d/p/", "a/", "b.txt"});
  EXPECT_EQ(x.mode, Mode::Extract);
  EXPECT_EQ(x.directory, "s3://d/p/");
  EXPECT_EQ(x.positional, (std::vector<std::string>{"a/", "b.txt"}));
  const TarOptions t = parse({"-tf", "s3://b/k.tar", "--extended"});
  EXPECT_EQ(t.mode, Mode::List);
  EXPECT_TRUE(t.extended);
}

TEST(TarOptions, SizesTakeDecimalAndBinaryUnits) {
  EXPECT_EQ(parse({"-cf", "s3://b/k", "-m", "m.csv", "--size-limit", "10GiB"}).size_limit, 10ULL << 30);
  EXPECT_EQ(parse({"-cf", "s3://b/k", "-m", "m.csv", "--size-limit", "500MB"}).size_limit, 500'000'000ULL);
  EXPECT_EQ(parse({"-cf", "s3://b/k", "-m", "m.csv", "--size-limit", "2G"}).size_limit, 2ULL << 30);
  EXPECT_EQ(parse({"-cf", "s3://b/k", "-m", "m.csv", "--size-limit", "20971520"}).size_limit, 20971520ULL);
  EXPECT_THROW(parse_tar_options({"-cf", "s3://b/k", "-m", "m.csv", "--size-limit", "10 parsecs"}),
               s3tar::UsageError);
}

TEST(TarOptions, SseAndKmsAliases) {
  const TarOptions o = parse({"-cf", "s3://b/k", "-m", "m.csv", "--sse-kms-key-id", "arn:aws:kms:key"});
  EXPECT_EQ(o.sse, "aws:kms");
  EXPECT_EQ(o.kms_key_id, "arn:aws:kms:key");
  EXPECT_THROW(parse_tar_options({"-cf", "s3://b/k", "-m", "m.csv", "--sse", "rot13"}), s3tar::UsageError);
}

TEST(TarOptions, UsageErrorsAreOneLine) {
  const std::vector<std::vector<std::string>> bad = {
      {"-f", "s3://b/k.tar"},                         // no mode
      {"-ctf", "s3://b/k.tar"},                       // two modes
      {"-c", "s3://src/"},                            // no -f
      {"-cf", "/local/file.tar", "s3://src/"},        // -f not s3://
      {"-cf", "s3://b/k.tar"},                        // no source
      {"-cf", "s3://b/k.tar", "s3://s/", "-m", "x"},  // both sources
      {"-xf", "s3://b/k.tar"},                        // no -C
      {"-cf", "s3://b/k.tar", "s3://s/", "--format", "cpio"},
      {"-cf", "s3://b/k.tar", "s3://s/", "--no-such-flag"},
  };
  for (const auto& args : bad) {
    try {
      parse_tar_options(args);
      ADD_FAILURE() << "accepted: " << ::testing::PrintToString(args);
    } catch (const s3tar::UsageError& e) {  // exit 2
      EXPECT_EQ(std::string(e.what()).find('\n'), std::string::npos) << e.what();
    }
  }
}

TEST(TarOptions, VerifyModeTakesOnlyTheArchive) {
  const auto o = parse_tar_options({"-f", "s3://b/k.tar", "--content"}, true);
  ASSERT_TRUE(o);
  EXPECT_EQ(o->mode, Mode::Verify);
  EXPECT_TRUE(o->verify_content);
  EXPECT_THROW(parse_tar_options({"-cf", "s3://b/k.tar"}, true), s3tar::UsageError);
}

TEST(S3Url, SplitsBucketAndKey) {
  const S3Url u = parse_s3_url("s3://bucket/a/b c.tar", "-f");
  EXPECT_EQ(u.bucket, "bucket");
  EXPECT_EQ(u.key, "a/b c.tar");
  EXPECT_THROW(parse_s3_url("s3:///k", "-f"), s3tar::UsageError);
  EXPECT_THROW(parse_s3_url("https://b/k", "-f"), s3tar::UsageError);
}

}  // namespace
}  // namespace s3tar::cli
