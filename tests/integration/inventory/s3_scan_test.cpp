// The inventory reader over S3 (scheduler::S3ObjectStore) against real servers on loopback (RGW
// and moto, from tests/servers/with-servers.sh): data files are fetched in ranges and handed to
// the thread that reads them, so decompressing and parsing run on the inventory workers, never
// on the client's event loop; and several workers select exactly what one does.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <future>
#include <map>
#include <random>
#include <set>
#include <thread>

#include "inventory/errors.h"
#include "inventory/reader.h"
#include "s3tar/s3/client.h"
#include "s3tar/s3/digest.h"
#include "s3tar/s3/http/http_engine.h"
#include "s3tar/s3/sigv4/sigv4.h"
#include "scheduler/s3_store.h"
#include "tests/unit/inventory/inventory_test_util.h"

namespace s3tar::scheduler {
namespace {

using namespace std::chrono_literals;

std::map<std::string, std::string> read_env_file(const std::string& path) {
  std::map<std::string, std::string> vars;
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("export ", 0) == 0) line = line.substr(7);
    const auto eq = line.find('=');
    if (eq == std::string::npos || line.empty() || line[0] == '#') continue;
    std::string value = line.substr(eq + 1);
    if (value.size() >= 2 && (value.front() == '"' || value.front() == '\'') && value.back() == value.front())
      value = value.substr(1, value.size() - 2);
    vars[line.substr(0, eq)] = value;
  }
  return vars;
}

class FixedProvider : public s3::CredentialsProvider {
 public:
  explicit FixedProvider(s3::Credentials c) : c_(std::move(c)) {}
  std::optional<s3::Credentials> load() override { return c_; }
  std::string name() const override { return "fixed"; }

 private:
  s3::Credentials c_;
};

std::string random_bytes(std::size_t n, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::string s(n, '\0');
  for (auto& c : s) c = static_cast<char>(rng());
  return s;
}

class S3Scan : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    const char* var = GetParam() == "rgw" ? "S3TAR_RGW_ENV" : "S3TAR_MOTO_ENV";
    const char* path = std::getenv(var);
    ASSERT_TRUE(path && *path) << var << " is not set: run through tests/servers/with-servers.sh";
    auto vars = read_env_file(path);
    ASSERT_FALSE(vars["S3_ENDPOINT"].empty()) << path;
    endpoint_ = vars["S3_ENDPOINT"];
    creds_.access_key_id = vars["AWS_ACCESS_KEY_ID"];
    creds_.secret_access_key = vars["AWS_SECRET_ACCESS_KEY"];
    creds_.provider = "test";
    region_ = vars["AWS_REGION"].empty() ? "us-east-1" : vars["AWS_REGION"];
    ca_bundle_ = vars["AWS_CA_BUNDLE"];  // set in the AWS-like pass (RGW over HTTPS)
    s3::ClientConfig cfg;
    cfg.region = region_;
    cfg.endpoint_url = endpoint_;
    cfg.path_style = true;
    cfg.http.ca_bundle = ca_bundle_;
    client_ = std::make_unique<s3::S3Client>(cfg, std::make_shared<FixedProvider>(creds_));
    static std::mt19937_64 rng(std::random_device{}());
    bucket_ = "s3tar-it-scan-" + std::to_string(rng() % 1000000000);
    create_bucket();
  }

  void create_bucket() {
    s3::HttpRequest req;
    req.method = "PUT";
    req.base_url = endpoint_;
    req.host = endpoint_.substr(endpoint_.find("://") + 3);
    req.encoded_path = "/" + bucket_;
    s3::SigningParams params;
    params.region = region_;
    params.time = std::chrono::system_clock::now();
    s3::sign_request(req, creds_, params);
    s3::HttpEngineOptions options;
    options.ca_bundle = ca_bundle_;
    s3::HttpEngine engine(options);
    std::promise<s3::HttpResponse> p;
    auto f = p.get_future();
    engine.submit(std::move(req), [&p](s3::HttpResponse&& r) { p.set_value(std::move(r)); });
    ASSERT_EQ(f.wait_for(30s), std::future_status::ready);
    const auto r = f.get();
    ASSERT_EQ(r.status, 200) << r.transport_message << r.body;
  }

 public:
  void put(const std::string& key, const std::string& data) {
    client_->put_object(bucket_, key, std::make_shared<const std::string>(data)).get();
  }

  std::string endpoint_, region_, bucket_, ca_bundle_;

 protected:
  s3::Credentials creds_;
  std::unique_ptr<s3::S3Client> client_;
};

// What a read delivered, and on which threads.
struct Received {
  std::string bytes;
  std::set<std::thread::id> threads;
  std::size_t calls = 0;
};

Received read_all(S3ObjectStore& store, const std::string& bucket, const std::string& key) {
  Received r;
  store.read(bucket, key, [&](const char* data, std::size_t n) {
    r.bytes.append(data, n);
    r.threads.insert(std::this_thread::get_id());
    ++r.calls;
  });
  return r;
}

TEST_P(S3Scan, ReadDeliversEveryByteOnTheCallingThread) {
  const std::string big = random_bytes(300 * 1024 + 17, 1);
  put("data/big.bin", big);
  put("data/small.bin", "tiny");
  put("data/empty.bin", "");
  S3ObjectStore store(*client_, 64 * 1024);  // small ranges: several GETs per object

  const Received r = read_all(store, bucket_, "data/big.bin");
  EXPECT_EQ(r.bytes.size(), big.size());
  EXPECT_TRUE(r.bytes == big);
  EXPECT_EQ(r.calls, 5u);  // ceil(300 KiB + 17 / 64 KiB) ranges
  // The sink (where the inventory reader decompresses and parses) never runs on the event loop.
  EXPECT_EQ(r.threads, std::set<std::thread::id>{std::this_thread::get_id()});

  // On another thread, too: each inventory worker parses what it reads.
  auto other = std::async(std::launch::async, [&] {
                 Received x = read_all(store, bucket_, "data/big.bin");
                 return std::make_pair(x.bytes == big,
                                       x.threads == std::set<std::thread::id>{std::this_thread::get_id()});
               }).get();
  EXPECT_TRUE(other.first);
  EXPECT_TRUE(other.second);

  EXPECT_EQ(read_all(store, bucket_, "data/small.bin").bytes, "tiny");
  EXPECT_EQ(read_all(store, bucket_, "data/empty.bin").bytes, "");
  EXPECT_THROW(read_all(store, bucket_, "data/missing.bin"), inventory::NotFoundError);
}

TEST_P(S3Scan, SinkErrorsReachTheCaller) {
  put("data/big.bin", random_bytes(200 * 1024, 2));
  S3ObjectStore store(*client_, 64 * 1024);
  std::size_t calls = 0;
  EXPECT_THROW(store.read(bucket_, "data/big.bin",
                          [&](const char*, std::size_t) {
                            if (++calls == 2) throw inventory::BadInputError("bad bytes");
                          }),
               inventory::BadInputError);
  EXPECT_EQ(calls, 2u);
}

// A report of several data files whose rows touch every filter rule, with keys needing
// decoding, rows spanning range boundaries, and a file of one row.
std::vector<inventory::DataFile> upload_report(S3Scan& t, const std::string& prefix) {
  std::vector<inventory::DataFile> files;
  std::mt19937_64 rng(7);
  const char* classes[] = {"STANDARD", "STANDARD_IA", "GLACIER", "INTELLIGENT_TIERING", "DEEP_ARCHIVE"};
  for (int f = 0; f < 6; ++f) {
    std::string csv;
    const int rows = f == 5 ? 1 : 3000 + f * 500;
    for (int i = 0; i < rows; ++i) {
      const auto r = rng();
      const int day = r % 3 == 0 ? 19 : 20;
      const std::string cls = classes[(r >> 8) % 5];
      csv += inventory::testing::row(
          {"acme-logs", "logs/f" + std::to_string(f) + "/a+b%2Bc-" + std::to_string(i) + ".gz",
           "v" + std::to_string(r % 100000), (r >> 16) % 10 == 0 ? "false" : "true", "false",
           std::to_string((r >> 20) % 5000),
           "2025-11-" + std::to_string(day) + "T0" + std::to_string(r % 10) + ":00:00.000Z",
           "e" + std::to_string(r % 977), cls, cls == "INTELLIGENT_TIERING" ? "ARCHIVE" : "", "SSE-S3"});
    }
    const std::string gz = inventory::testing::gzip(csv);
    inventory::DataFile d{prefix + "data/" + std::to_string(f) + ".csv.gz", gz.size(), s3::md5_hex(gz)};
    t.put(d.key, gz);
    files.push_back(d);
  }
  return files;
}

TEST_P(S3Scan, WorkerThreadsSelectWhatOneThreadSelects) {
  const auto files = upload_report(*this, "inv/acme-logs/daily/");
  const auto manifest = inventory::parse_manifest(
      inventory::testing::Delivery::manifest_json(files, inventory::testing::kVersionsSchema));
  inventory::Filter filter{.day = boost::gregorian::date(2025, 11, 20)};
  S3ObjectStore store(*client_, 16 * 1024);  // rows cross range boundaries
  const auto one = inventory::read_inventory(store, bucket_, manifest, filter, {.threads = 1});
  ASSERT_GT(one.objects.size(), 1000u);
  ASSERT_GT(one.not_archivable.size(), 100u);
  for (unsigned threads : {2u, 4u, 6u}) {
    const auto many = inventory::read_inventory(store, bucket_, manifest, filter, {.threads = threads});
    EXPECT_TRUE(many.objects == one.objects) << threads << " threads";
    ASSERT_EQ(many.not_archivable.size(), one.not_archivable.size());
    for (std::size_t i = 0; i < one.not_archivable.size(); ++i) {
      EXPECT_EQ(many.not_archivable[i].object, one.not_archivable[i].object);
      EXPECT_EQ(many.not_archivable[i].reason, one.not_archivable[i].reason);
    }
    EXPECT_EQ(many.summary.rows_read, one.summary.rows_read);
    EXPECT_EQ(many.summary.kept, one.summary.kept);
    EXPECT_EQ(many.summary.bytes_kept, one.summary.bytes_kept);
    EXPECT_EQ(many.summary.not_latest, one.summary.not_latest);
    EXPECT_EQ(many.summary.outside_date, one.summary.outside_date);
    EXPECT_EQ(many.summary.archived_class, one.summary.archived_class);
  }
}

TEST_P(S3Scan, TheEtagComesBeforeTheBytesAndAWrongMd5IsStillCaught) {
  const auto files = upload_report(*this, "inv/acme-logs/daily/");
  S3ObjectStore store(*client_, 16 * 1024);
  std::string etag;
  std::size_t bytes_before_etag = 0, bytes = 0;
  store.read(
      bucket_, files[0].key,
      [&](const char*, std::size_t n) { (etag.empty() ? bytes_before_etag : bytes) += n; },
      [&](const std::string& e) { etag = e; });
  // A single-part upload: the server's ETag is the MD5 the manifest gives, so the reader trusts it.
  EXPECT_EQ(etag, files[0].md5);
  EXPECT_EQ(bytes_before_etag, 0u);
  EXPECT_EQ(bytes, files[0].size);

  // A manifest MD5 the server does not vouch for has the file hashed, and the mismatch named.
  auto wrong = files;
  wrong[1].md5 = "0123456789abcdef0123456789abcdef";
  const auto manifest = inventory::parse_manifest(
      inventory::testing::Delivery::manifest_json(wrong, inventory::testing::kVersionsSchema));
  try {
    inventory::read_inventory(store, bucket_, manifest, {.day = boost::gregorian::date(2025, 11, 20)});
    ADD_FAILURE() << "expected ChecksumMismatchError";
  } catch (const inventory::ChecksumMismatchError& e) {
    EXPECT_EQ(e.key(), files[1].key);
    EXPECT_EQ(e.actual(), files[1].md5);
  }
}

std::string server_name(const ::testing::TestParamInfo<std::string>& info) { return info.param; }

INSTANTIATE_TEST_SUITE_P(Servers, S3Scan, ::testing::Values("rgw", "moto"), server_name);

}  // namespace
}  // namespace s3tar::scheduler
