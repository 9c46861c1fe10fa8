#include "inventory/reader.h"

#include <gtest/gtest.h>

#include "inventory/errors.h"
#include "inventory_test_util.h"

namespace s3tar::inventory {
namespace {

using boost::gregorian::date;
using testing::Delivery;
using testing::row;

std::int64_t ts(const char* text) {
  std::int64_t t = 0;
  EXPECT_TRUE(parse_timestamp(text, t)) << text;
  return t;
}

std::vector<std::string> keys_of(const std::vector<plan::Member>& objects) {
  std::vector<std::string> keys;
  for (const auto& o : objects) keys.push_back(std::string(o.key()));
  return keys;
}

class ReaderTest : public ::testing::Test {
 protected:
  testing::TempDir dir;
  Delivery delivery{dir.path()};
  LocalObjectStore store{dir.path(), 100};  // small chunks exercise the streaming paths
  Filter filter{.day = date(2025, 11, 20)};

  InventoryResult read(const std::vector<DataFile>& files, const std::string& schema,
                       ReadOptions options = {}) {
    return read_inventory(store, delivery.bucket, parse_manifest(Delivery::manifest_json(files, schema)),
                          filter, options);
  }

  // An all-versions delivery touching every filter rule, in four data files.
  std::vector<DataFile> all_versions_files() {
    const std::string day = "2025-11-20T13:45:07.000Z";
    std::vector<DataFile> files;
    files.push_back(delivery.add_data_file(
        "1.csv.gz", row({"acme-logs", "web/2025/11/20/access+log+%2B+errors.gz", "v1", "true", "false",
                         "48213", day, "9b2cf535f27731c974343645a3985328", "STANDARD", "", "SSE-S3"}) +
                        row({"acme-logs", "web/2025/11/20/access+log+%2B+errors.gz", "v0", "false", "false",
                             "100", day, "e0", "STANDARD", "", "SSE-S3"}) +
                        row({"acme-logs", "deleted.txt", "v2", "true", "true", "", day, "", "", "", ""}) +
                        row({"acme-logs", "empty.txt", "v3", "true", "false", "0", day,
                             "d41d8cd98f00b204e9800998ecf8427e", "STANDARD", "", "SSE-S3"}) +
                        row({"acme-logs", "old.txt", "v4", "true", "false", "5", "2025-11-19T23:59:59.999Z",
                             "e4", "STANDARD", "", "SSE-S3"}) +
                        row({"acme-logs", "new.txt", "v5", "true", "false", "5", "2025-11-21T00:00:00.000Z",
                             "e5", "STANDARD", "", "SSE-S3"}) +
                        row({"acme-logs", "caf%C3%A9/r%C3%A9sum%C3%A9.txt", "v6", "true", "false", "7",
                             "2025-11-20T00:00:00.000Z", "e6-2", "GLACIER_IR", "", "SSE-KMS"})));
    files.push_back(delivery.add_data_file(
        "2.csv.gz", row({"acme-logs", "cold/glacier.bin", "v7", "true", "false", "10", day, "e7", "GLACIER",
                         "", "SSE-S3"}) +
                        row({"acme-logs", "cold/deep.bin", "v8", "true", "false", "20", day, "e8",
                             "DEEP_ARCHIVE", "", "SSE-S3"}) +
                        row({"acme-logs", "cold/it-archive.bin", "v9", "true", "false", "30", day, "e9",
                             "INTELLIGENT_TIERING", "ARCHIVE", "SSE-S3"}) +
                        row({"acme-logs", "cold/it-deep.bin", "v10", "true", "false", "40", day, "e10",
                             "INTELLIGENT_TIERING", "DEEP_ARCHIVE", "SSE-S3"}) +
                        row({"acme-logs", "warm/it-frequent.bin", "v11", "true", "false", "50", day, "e11",
                             "INTELLIGENT_TIERING", "FREQUENT", "SSE-S3"}) +
                        row({"acme-logs", "upper+case", "v12", "TRUE", "False", "60", day, "e12", "STANDARD",
                             "", "SSE-S3"}) +
                        row({"acme-logs", "null-version", "", "true", "false", "70", day, "e13",
                             "STANDARD_IA", "", "NOT-SSE"})));
    files.push_back(delivery.add_data_file("3.csv.gz", ""));  // an empty part is valid
    // Two concatenated gzip members, as multi-part writers produce.
    files.push_back(delivery.add_raw_data_file(
        "4.csv.gz", testing::gzip(row({"acme-logs", "multi/one", "v14", "true", "false", "80", day, "e14",
                                       "STANDARD", "", ""})) +
                        testing::gzip(row({"acme-logs", "multi/two", "v15", "true", "false", "90", day, "e15",
                                           "STANDARD", "", ""}))));
    return files;
  }
};

TEST_F(ReaderTest, AllVersionsReportAppliesEveryRule) {
  const auto r = read(all_versions_files(), testing::kVersionsSchema);
  EXPECT_EQ(keys_of(r.objects),
            (std::vector<std::string>{"web/2025/11/20/access log + errors.gz",
                                      "caf\xC3\xA9/r\xC3\xA9sum\xC3\xA9.txt", "warm/it-frequent.bin",
                                      "upper case", "null-version", "multi/one", "multi/two"}));
  const plan::Member first{"acme-logs", "web/2025/11/20/access log + errors.gz",
                           "v1",        "9b2cf535f27731c974343645a3985328",
                           48213,       ts("2025-11-20T13:45:07Z")};
  EXPECT_EQ(r.objects[0], first);
  EXPECT_EQ(r.objects[0].etag(), "9b2cf535f27731c974343645a3985328");
  EXPECT_EQ(r.objects[0].mtime(), ts("2025-11-20T13:45:07Z"));
  EXPECT_EQ(r.objects[1].etag(), "e6-2");  // GLACIER_IR: readable, kept
  EXPECT_EQ(r.objects[4].version_id(), "");

  ASSERT_EQ(r.not_archivable.size(), 4u);
  EXPECT_EQ(r.not_archivable[0].object.key, "cold/glacier.bin");
  EXPECT_NE(r.not_archivable[0].reason.find("GLACIER"), std::string::npos);
  EXPECT_EQ(r.not_archivable[1].object.key, "cold/deep.bin");
  EXPECT_EQ(r.not_archivable[2].object.key, "cold/it-archive.bin");
  EXPECT_NE(r.not_archivable[2].reason.find("access tier ARCHIVE"), std::string::npos);
  EXPECT_EQ(r.not_archivable[3].object.key, "cold/it-deep.bin");

  const auto& s = r.summary;
  EXPECT_EQ(s.rows_read, 16u);
  EXPECT_EQ(s.kept, 7u);
  EXPECT_EQ(s.bytes_kept, 48213u + 7 + 50 + 60 + 70 + 80 + 90);
  EXPECT_EQ(s.not_latest, 1u);
  EXPECT_EQ(s.delete_marker, 1u);
  EXPECT_EQ(s.too_small, 1u);
  EXPECT_EQ(s.outside_date, 2u);
  EXPECT_EQ(s.archived_class, 4u);
  EXPECT_EQ(s.bytes_not_archivable, 100u);
  EXPECT_EQ(s.excluded_prefix, 0u);
  EXPECT_EQ(s.bad_rows, 0u);
  EXPECT_EQ(s.count(Outcome::kOutsideDate), 2u);
  ASSERT_EQ(s.files.size(), 4u);
  EXPECT_EQ(s.files[0].key, delivery.prefix + "data/1.csv.gz");
  EXPECT_EQ(s.files[0].rows, 7u);
  EXPECT_EQ(s.files[0].kept, 2u);
  EXPECT_EQ(s.files[2].rows, 0u);
  EXPECT_EQ(s.files[3].kept, 2u);
  EXPECT_EQ(s.files[3].bytes_kept, 170u);
}

TEST_F(ReaderTest, OrderIsTheSameWithAnyThreadCount) {
  const auto files = all_versions_files();
  const auto one = read(files, testing::kVersionsSchema, {.threads = 1});
  for (unsigned threads : {2u, 4u, 8u}) {
    const auto many = read(files, testing::kVersionsSchema, {.threads = threads});
    EXPECT_EQ(many.objects, one.objects) << threads;
    EXPECT_EQ(many.summary.kept, one.summary.kept);
  }
}

TEST_F(ReaderTest, PrefixFilters) {
  filter.exclude_prefixes = {"multi/"};
  auto r = read(all_versions_files(), testing::kVersionsSchema);
  EXPECT_EQ(r.summary.kept, 5u);
  EXPECT_EQ(r.summary.excluded_prefix, 2u);
  filter.exclude_prefixes.clear();
  filter.include_prefixes = {"multi/", "warm/"};
  r = read(all_versions_files(), testing::kVersionsSchema);
  EXPECT_EQ(keys_of(r.objects), (std::vector<std::string>{"warm/it-frequent.bin", "multi/one", "multi/two"}));
}

TEST_F(ReaderTest, MinSize) {
  filter.min_size = 60;
  const auto r = read(all_versions_files(), testing::kVersionsSchema);
  EXPECT_EQ(keys_of(r.objects), (std::vector<std::string>{"web/2025/11/20/access log + errors.gz",
                                                          "null-version", "multi/one", "multi/two"}));
}

TEST_F(ReaderTest, CurrentOnlyReportNearMidnightInNewYork) {
  filter.zone = TimeZone::from_posix("EST5EDT,M3.2.0,M11.1.0", "America/New_York");
  auto line = [](const char* key, const char* time) {
    return row({"acme-logs", key, "10", time, "etag", "STANDARD", ""});
  };
  const auto f = delivery.add_data_file("1.csv.gz", line("a-nov19-235959", "2025-11-20T04:59:59.999Z") +
                                                        line("b-nov20-000000", "2025-11-20T05:00:00.000Z") +
                                                        line("c-nov20-235959", "2025-11-21T04:59:59.999Z") +
                                                        line("d-nov21-000000", "2025-11-21T05:00:00.000Z"));
  const auto r = read({f}, testing::kCurrentSchema);
  EXPECT_EQ(keys_of(r.objects), (std::vector<std::string>{"b-nov20-000000", "c-nov20-235959"}));
  EXPECT_EQ(r.summary.outside_date, 2u);
  EXPECT_EQ(r.objects[0].version_id(), "");
}

TEST_F(ReaderTest, CorruptGzipIsBadInput) {
  auto bytes = testing::gzip(std::string(5000, 'x') + "\n");
  for (std::size_t i = 20; i < 40; ++i) bytes[i] = static_cast<char>(bytes[i] ^ 0x5a);
  const auto f = delivery.add_raw_data_file("corrupt.csv.gz", bytes);  // MD5 matches the corrupt bytes
  try {
    read({f}, testing::kCurrentSchema);
    FAIL() << "expected BadInputError";
  } catch (const BadInputError& e) {
    EXPECT_NE(std::string(e.what()).find("corrupt gzip data in " + f.key), std::string::npos) << e.what();
  }
}

TEST_F(ReaderTest, TruncatedAndEmptyGzipAreBadInput) {
  const auto full =
      testing::gzip(row({"acme-logs", "k", "1", "2025-11-20T01:00:00.000Z", "e", "STANDARD", ""}));
  const auto truncated = delivery.add_raw_data_file("t.csv.gz", full.substr(0, full.size() - 6));
  try {
    read({truncated}, testing::kCurrentSchema);
    FAIL() << "expected BadInputError";
  } catch (const BadInputError& e) {
    EXPECT_NE(std::string(e.what()).find("truncated"), std::string::npos) << e.what();
  }
  const auto empty = delivery.add_raw_data_file("e.csv.gz", "");
  EXPECT_THROW(read({empty}, testing::kCurrentSchema), BadInputError);
  const auto not_gzip = delivery.add_raw_data_file("p.csv.gz", "\"acme-logs\",\"k\"\n");
  EXPECT_THROW(read({not_gzip}, testing::kCurrentSchema), BadInputError);
}

TEST_F(ReaderTest, DataFileMd5MismatchNamesTheFile) {
  auto f = delivery.add_data_file("1.csv.gz",
                                  row({"acme-logs", "k", "1", "2025-11-20T01:00:00.000Z", "e", "", ""}));
  const std::string real = f.md5;
  f.md5 = "0123456789abcdef0123456789abcdef";
  try {
    read({f}, testing::kCurrentSchema);
    FAIL() << "expected ChecksumMismatchError";
  } catch (const ChecksumMismatchError& e) {
    EXPECT_EQ(e.key(), f.key);
    EXPECT_EQ(e.actual(), real);
  }
}

// Serves `inner`'s files under the ETag `etag`, as an S3 server would, optionally flipping the
// byte at `flip_at` on the way (damage that the server's ETag cannot show).
class EtagStore : public ObjectStore {
 public:
  EtagStore(ObjectStore& inner, std::string etag, std::size_t flip_at = std::string::npos)
      : inner_(inner), etag_(std::move(etag)), flip_at_(flip_at) {}
  std::vector<std::string> list_keys(const std::string& bucket, const std::string& prefix) override {
    return inner_.list_keys(bucket, prefix);
  }
  using ObjectStore::read;
  void read(const std::string& bucket, const std::string& key, const ByteSink& sink,
            const EtagSink& on_etag) override {
    if (on_etag) on_etag(etag_);
    std::size_t at = 0;
    inner_.read(bucket, key, [&](const char* data, std::size_t size) {
      std::string chunk(data, size);
      if (flip_at_ >= at && flip_at_ < at + size)
        chunk[flip_at_ - at] = static_cast<char>(chunk[flip_at_ - at] ^ 1);
      at += size;
      sink(chunk.data(), chunk.size());
    });
  }

 private:
  ObjectStore& inner_;
  std::string etag_;
  std::size_t flip_at_;
};

TEST_F(ReaderTest, AnEtagThatIsTheManifestMd5VouchesForTheFile) {
  // The server says the file's MD5 is the manifest's: the reader does not hash it again, so a
  // manifest MD5 that only the server's ETag agrees with is accepted.
  auto f = delivery.add_data_file("1.csv.gz",
                                  row({"acme-logs", "k", "1", "2025-11-20T01:00:00.000Z", "e", "", ""}));
  f.md5 = "0123456789abcdef0123456789abcdef";
  EtagStore vouching(store, "0123456789ABCDEF0123456789ABCDEF");
  const auto r =
      read_inventory(vouching, delivery.bucket,
                     parse_manifest(Delivery::manifest_json({f}, testing::kCurrentSchema)), filter);
  EXPECT_EQ(r.summary.kept, 1u);
}

TEST_F(ReaderTest, AnyOtherEtagHasTheFileHashed) {
  auto f = delivery.add_data_file("1.csv.gz",
                                  row({"acme-logs", "k", "1", "2025-11-20T01:00:00.000Z", "e", "", ""}));
  const std::string real = f.md5;
  f.md5 = "0123456789abcdef0123456789abcdef";
  // A multipart ETag, and one that SSE-KMS gives (not the content's MD5).
  for (const std::string etag : {"0123456789abcdef0123456789abcdef-2", "fedcba98765432100123456789abcdef"}) {
    EtagStore store_with_etag(store, etag);
    try {
      read_inventory(store_with_etag, delivery.bucket,
                     parse_manifest(Delivery::manifest_json({f}, testing::kCurrentSchema)), filter);
      ADD_FAILURE() << "expected ChecksumMismatchError with ETag " << etag;
    } catch (const ChecksumMismatchError& e) {
      EXPECT_EQ(e.actual(), real) << etag;
    }
  }
}

TEST_F(ReaderTest, BytesDamagedUnderAVouchingEtagAreStillCaught) {
  // Stored (level 0) deflate: a flipped data byte inflates fine, only gzip's CRC-32 catches it.
  std::string csv;
  for (int i = 0; i < 200; ++i)
    csv += row({"acme-logs", "k" + std::to_string(i), "1", "2025-11-20T01:00:00.000Z", "e", "", ""});
  const auto f = delivery.add_raw_data_file("1.csv.gz", testing::gzip(csv, 0));
  EtagStore damaging(store, f.md5, f.size / 2);
  try {
    read_inventory(damaging, delivery.bucket,
                   parse_manifest(Delivery::manifest_json({f}, testing::kCurrentSchema)), filter);
    FAIL() << "expected BadInputError";
  } catch (const BadInputError& e) {
    EXPECT_NE(std::string(e.what()).find(f.key), std::string::npos) << e.what();
  }
}

TEST_F(ReaderTest, SizeMismatchIsBadInput) {
  auto f = delivery.add_data_file("1.csv.gz",
                                  row({"acme-logs", "k", "1", "2025-11-20T01:00:00.000Z", "e", "", ""}));
  f.size += 1;
  EXPECT_THROW(read({f}, testing::kCurrentSchema), BadInputError);
}

TEST_F(ReaderTest, BadRowCarriesFileAndLine) {
  const std::string ok = row({"acme-logs", "k", "1", "2025-11-20T01:00:00.000Z", "e", "STANDARD", ""});
  struct Case {
    std::string bad_row;
    std::string problem;
  };
  const std::vector<Case> cases = {
      {row({"acme-logs", "k", "12x", "2025-11-20T01:00:00.000Z", "e", "STANDARD", ""}), "Size"},
      {row({"acme-logs", "k", "", "2025-11-20T01:00:00.000Z", "e", "STANDARD", ""}), "Size"},
      {row({"acme-logs", "k", "1", "20/11/2025", "e", "STANDARD", ""}), "LastModifiedDate"},
      {row({"acme-logs", "k", "1", "2025-11-20T01:00:00.000Z", "e", "STANDARD"}),
       "expected 7 columns, got 6"},
      {row({"acme-logs", "", "1", "2025-11-20T01:00:00.000Z", "e", "STANDARD", ""}), "empty Key"},
      {"\"acme-logs\",\"k\"x,\"1\"\n", "malformed CSV"},
  };
  for (std::size_t i = 0; i < cases.size(); ++i) {
    const auto f =
        delivery.add_data_file("bad" + std::to_string(i) + ".csv.gz", ok + ok + cases[i].bad_row + ok);
    try {
      read({f}, testing::kCurrentSchema);
      ADD_FAILURE() << "expected BadRowError for case " << i;
    } catch (const BadRowError& e) {
      EXPECT_EQ(e.file_key(), f.key);
      EXPECT_EQ(e.line(), 3u);
      EXPECT_NE(e.problem().find(cases[i].problem), std::string::npos) << e.problem();
      EXPECT_NE(std::string(e.what()).find(f.key + ":3: "), std::string::npos) << e.what();
    }
  }
}

TEST_F(ReaderTest, ARowOfAnotherBucketThanTheManifestsIsBadInput) {
  // The report lists acme-logs (its manifest's sourceBucket); a row of another bucket means the
  // report is not what it claims, whatever the row's date: nothing of it is archived.
  filter.source_bucket = "acme-logs";
  const std::string ok = row({"acme-logs", "k", "1", "2025-11-20T01:00:00.000Z", "e", "STANDARD", ""});
  const std::string other = row({"other-bucket", "k", "1", "2025-01-01T01:00:00.000Z", "e", "STANDARD", ""});
  const auto f = delivery.add_data_file("1.csv.gz", ok + other);
  try {
    read({f}, testing::kCurrentSchema);
    ADD_FAILURE() << "accepted a row of another bucket";
  } catch (const BadRowError& e) {
    EXPECT_EQ(e.category(), ErrorCategory::BadInput);
    EXPECT_EQ(e.line(), 2u);
    EXPECT_NE(e.problem().find("\"other-bucket\" is not the manifest's sourceBucket \"acme-logs\""),
              std::string::npos)
        << e.problem();
  }
  filter.source_bucket.clear();  // without the check (other callers), the row is read
  EXPECT_NO_THROW(read({f}, testing::kCurrentSchema));
}

TEST_F(ReaderTest, BadBooleanIsABadRow) {
  const auto f = delivery.add_data_file("1.csv.gz", row({"acme-logs", "k", "v", "yes", "false", "1",
                                                         "2025-11-20T01:00:00.000Z", "e", "", "", ""}));
  EXPECT_THROW(read({f}, testing::kVersionsSchema), BadRowError);
}

TEST_F(ReaderTest, SkippingBadRowsCountsAndListsThem) {
  const std::string ok = row({"acme-logs", "k", "1", "2025-11-20T01:00:00.000Z", "e", "STANDARD", ""});
  const auto f1 = delivery.add_data_file("1.csv.gz", ok + row({"acme-logs", "k", "x", "", "", "", ""}) + ok);
  const auto f2 = delivery.add_data_file("2.csv.gz", row({"acme-logs"}) + ok);
  const auto r = read({f1, f2}, testing::kCurrentSchema, {.bad_rows = BadRowPolicy::kSkip});
  EXPECT_EQ(r.summary.kept, 3u);
  EXPECT_EQ(r.summary.bad_rows, 2u);
  ASSERT_EQ(r.bad_rows.size(), 2u);
  EXPECT_EQ(r.bad_rows[0].file_key, f1.key);
  EXPECT_EQ(r.bad_rows[0].line, 2u);
  EXPECT_EQ(r.bad_rows[1].file_key, f2.key);
  EXPECT_EQ(r.bad_rows[1].line, 1u);
}

TEST_F(ReaderTest, FirstErrorInManifestOrderWins) {
  const std::string ok = row({"acme-logs", "k", "1", "2025-11-20T01:00:00.000Z", "e", "STANDARD", ""});
  std::string big;
  for (int i = 0; i < 2000; ++i) big += ok;
  const auto bad_late =
      delivery.add_data_file("1.csv.gz", big + row({"acme-logs", "k", "bad", "", "", "", ""}));
  const auto good = delivery.add_data_file("2.csv.gz", ok);
  auto corrupt = delivery.add_data_file("3.csv.gz", ok);
  corrupt.md5 = "00000000000000000000000000000000";
  for (int attempt = 0; attempt < 5; ++attempt) {
    try {
      read({bad_late, good, corrupt}, testing::kCurrentSchema, {.threads = 3});
      FAIL() << "expected an error";
    } catch (const BadRowError& e) {
      EXPECT_EQ(e.file_key(), bad_late.key);
      EXPECT_EQ(e.line(), 2001u);
    }
  }
}

TEST_F(ReaderTest, MissingDataFileIsAStoreError) {
  DataFile f{delivery.prefix + "data/missing.csv.gz", 10, "0123456789abcdef0123456789abcdef"};
  EXPECT_THROW(read({f}, testing::kCurrentSchema), NotFoundError);
}

TEST_F(ReaderTest, TheSelectionIsNotReservedFarBeyondWhatItHolds) {
  // A day's objects in the first of many data files (keys led by the date): the selection's
  // room for the files to come is a guess, and a guess from one dense file must stay bounded.
  std::vector<DataFile> files;
  std::string dense;
  for (int i = 0; i < 50; ++i)
    dense +=
        row({"acme-logs", "day/" + std::to_string(i), "5", "2025-11-20T10:00:00.000Z", "e", "STANDARD", ""});
  files.push_back(delivery.add_data_file("0.csv.gz", dense));
  for (int f = 1; f < 20; ++f)
    files.push_back(delivery.add_data_file(std::to_string(f) + ".csv.gz",
                                           row({"acme-logs", "old/" + std::to_string(f), "5",
                                                "2025-10-01T10:00:00.000Z", "e", "STANDARD", ""})));
  const auto r = read(files, testing::kCurrentSchema);
  ASSERT_EQ(r.objects.size(), 50u);
  EXPECT_LE(r.objects.capacity(), 4 * r.objects.size());
}

TEST_F(ReaderTest, StreamingCallbacksRunInOrder) {
  const auto files = all_versions_files();
  std::vector<std::string> seen;
  std::size_t skipped = 0;
  InventoryCallbacks cb;
  std::size_t deliveries = 0;
  cb.on_objects = [&](std::vector<plan::Member>&& objects) {
    ++deliveries;
    EXPECT_FALSE(objects.empty());
    for (const auto& o : objects) seen.push_back(std::string(o.key()));
  };
  cb.on_not_archivable = [&](NotArchivable&&) { ++skipped; };
  const auto summary = scan_inventory(
      store, delivery.bucket, parse_manifest(Delivery::manifest_json(files, testing::kVersionsSchema)),
      filter, cb, {.threads = 4});
  EXPECT_EQ(seen.size(), summary.kept);
  EXPECT_GE(deliveries, 2u);  // a data file's objects at a time: not one call per object
  EXPECT_LE(deliveries, files.size());
  EXPECT_LT(deliveries, seen.size());
  EXPECT_EQ(seen.front(), "web/2025/11/20/access log + errors.gz");
  EXPECT_EQ(seen.back(), "multi/two");
  EXPECT_EQ(skipped, 4u);
}

TEST_F(ReaderTest, EndToEndFromDiscovery) {
  const auto files = all_versions_files();
  delivery.add_report("2025-11-21T01-00Z", Delivery::manifest_json(files, testing::kVersionsSchema));
  const InventoryLocation location{delivery.bucket, delivery.prefix};
  const auto report = find_report(store, location, filter.day, filter.zone);
  const auto r = read_inventory(store, report, filter);
  EXPECT_EQ(r.summary.kept, 7u);
}

TEST_F(ReaderTest, FilterWithoutDateIsConfigError) {
  filter.day = date();
  EXPECT_THROW(read({}, testing::kCurrentSchema), ConfigError);
}

TEST(StorageClass, UnreadableClasses) {
  EXPECT_FALSE(unreadable_reason("GLACIER", "").empty());
  EXPECT_FALSE(unreadable_reason("DEEP_ARCHIVE", "").empty());
  EXPECT_FALSE(unreadable_reason("INTELLIGENT_TIERING", "ARCHIVE").empty());
  EXPECT_FALSE(unreadable_reason("INTELLIGENT_TIERING", "DEEP_ARCHIVE").empty());
  EXPECT_TRUE(unreadable_reason("INTELLIGENT_TIERING", "ARCHIVE_INSTANT_ACCESS").empty());
  EXPECT_TRUE(unreadable_reason("INTELLIGENT_TIERING", "").empty());
  EXPECT_TRUE(unreadable_reason("GLACIER_IR", "").empty());
  EXPECT_TRUE(unreadable_reason("STANDARD", "").empty());
  EXPECT_TRUE(unreadable_reason("", "").empty());
}

}  // namespace
}  // namespace s3tar::inventory
