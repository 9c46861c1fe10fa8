// The Go s3tar's flags as s3tar reads them: the indexing modes, --location, --max-part-size in
// MiB as a cap, and the GNU tar quoting of listed names.
#include <gtest/gtest.h>

#include "cli/output.h"
#include "cli/tar/tar_options.h"
#include "s3tar/errors.h"

namespace s3tar::cli {
namespace {

TarOptions parse(std::vector<std::string> args) {
  auto o = parse_tar_options(args);
  EXPECT_TRUE(o.has_value());
  return *o;
}

TEST(GoFlags, IndexModesStandAlone) {
  EXPECT_EQ(parse({"--generate-toc", "-f", "s3://b/k.tar", "-C", "toc.csv"}).mode, Mode::GenerateToc);
  EXPECT_EQ(parse({"-t", "--generate-toc", "-f", "s3://b/k.tar"}).mode, Mode::GenerateToc);
  const TarOptions m = parse({"--generate-manifest", "-f", "s3://b/prefix/", "--location", "m.csv"});
  EXPECT_EQ(m.mode, Mode::GenerateManifest);
  EXPECT_EQ(m.directory, "m.csv");
  EXPECT_THROW(parse_tar_options({"--generate-manifest", "-f", "s3://b/p/", "-C", "s3://x/y"}), UsageError);
  EXPECT_THROW(parse_tar_options({"--generate-toc", "-c", "-f", "s3://b/k.tar", "s3://s/"}), UsageError);
}

TEST(GoFlags, LocationIsTheLongFormOfC) {
  EXPECT_EQ(parse({"-xf", "s3://b/k.tar", "--location", "s3://d/p/"}).directory, "s3://d/p/");
}

TEST(GoFlags, MaxPartSizeIsMiBAndCapsTheParts) {
  const TarOptions o = parse({"-cf", "s3://b/k.tar", "-m", "m.csv", "--max-part-size", "64"});
  EXPECT_EQ(o.part_size_cap.value(), 64ULL << 20);
  EXPECT_LE(o.settings.write.plan.upload_part_target, 64ULL << 20);
  EXPECT_EQ(o.settings.write.plan.limits.max_part, 64ULL << 20);
  EXPECT_EQ(parse({"-cf", "s3://b/k.tar", "-m", "m.csv", "--max-part-size", "12MiB"}).part_size_cap.value(),
            12ULL << 20);
  EXPECT_THROW(parse_tar_options({"-cf", "s3://b/k.tar", "-m", "m.csv", "--max-part-size", "4"}), UsageError);
  EXPECT_THROW(parse_tar_options({"-cf", "s3://b/k.tar", "-m", "m.csv", "--max-part-size", "5121"}),
               UsageError);
}

TEST(GoFlags, MaxAttemptsZeroIsTheMostAllowed) {
  EXPECT_EQ(parse({"-tf", "s3://b/k.tar", "--max-attempts", "0"}).connection.max_attempts.value(), 100);
  EXPECT_EQ(parse({"-tf", "s3://b/k.tar", "--max-attempts", "3"}).connection.max_attempts.value(), 3);
}

TEST(GoFlags, NoArgumentsPointsToHelp) {
  try {
    parse_tar_options({});
    ADD_FAILURE() << "accepted no arguments";
  } catch (const UsageError& e) {
    EXPECT_NE(std::string(e.what()).find("--help"), std::string::npos) << e.what();
  }
}

TEST(GoFlags, BucketNamesCheckedBeforeAnyRequest) {
  EXPECT_THROW(parse_tar_options({"-cf", "s3://b/k.tar", "s3://bad bucket/p/"}), UsageError);
  EXPECT_THROW(parse_tar_options({"-cf", "s3://b!/k.tar", "s3://s/"}), UsageError);
}

TEST(EscapeName, AsGnuTarQuotesNames) {
  EXPECT_EQ(escape_name("plain/name.txt"), "plain/name.txt");
  EXPECT_EQ(escape_name("a\nb"), "a\\nb");
  EXPECT_EQ(escape_name("tab\there\\"), "tab\\there\\\\");
  EXPECT_EQ(escape_name(std::string("esc\x1b[31m", 8)), "esc\\033[31m");
  EXPECT_EQ(escape_name("del\x7f"), "del\\177");
  EXPECT_EQ(escape_name("caf\xc3\xa9"), "caf\xc3\xa9");
}

}  // namespace
}  // namespace s3tar::cli
