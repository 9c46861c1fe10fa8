// Generates a 1,000,000-row all-versions inventory (gzip CSV, several data files, laid out like
// a delivery) in a temporary directory, then times discovery + streaming + filtering.
// Usage: inventory_bench [rows] [files] [threads] [scans]  (scans: times the scan is repeated;
// the fastest is reported)

#include <zlib.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>

#include "inventory/discovery.h"
#include "inventory/reader.h"
#include "s3tar/s3/digest.h"

namespace fs = std::filesystem;
using namespace s3tar::inventory;

namespace {

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

std::string file_md5(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  s3tar::s3::Md5Stream md5;
  char buf[1 << 16];
  while (in.read(buf, sizeof buf) || in.gcount() > 0) md5.update(buf, static_cast<std::size_t>(in.gcount()));
  return md5.hex();
}

}  // namespace

int main(int argc, char** argv) {
  const long rows = argc > 1 ? std::atol(argv[1]) : 1000000;
  const int files = argc > 2 ? std::atoi(argv[2]) : 4;
  const unsigned threads = argc > 3 ? static_cast<unsigned>(std::atoi(argv[3])) : 4;
  const int scans = argc > 4 ? std::max(1, std::atoi(argv[4])) : 1;
  std::mt19937_64 rng(42);
  const fs::path root =
      fs::temp_directory_path() / ("inventory-bench-" + std::to_string(std::random_device()()));
  const std::string bucket = "dest", prefix = "inv/acme-logs/daily/";
  fs::create_directories(root / bucket / prefix / "data");

  auto t0 = std::chrono::steady_clock::now();
  std::string manifest =
      R"({"sourceBucket":"acme-logs","destinationBucket":"arn:aws:s3:::dest",)"
      R"("version":"2016-11-30","creationTimestamp":"1763773200000","fileFormat":"CSV",)"
      R"("fileSchema":"Bucket, Key, VersionId, IsLatest, IsDeleteMarker, Size, LastModifiedDate, )"
      R"(ETag, StorageClass, IntelligentTieringAccessTier, EncryptionStatus","files":[)";
  const char* classes[] = {"STANDARD",    "STANDARD", "STANDARD",
                           "STANDARD_IA", "GLACIER",  "INTELLIGENT_TIERING"};
  long written = 0;
  for (int f = 0; f < files; ++f) {
    const std::string key = prefix + "data/part-" + std::to_string(f) + ".csv.gz";
    const fs::path path = root / bucket / key;
    gzFile gz = gzopen(path.c_str(), "wb6");
    if (!gz) return 1;
    gzbuffer(gz, 1 << 16);
    const long n = rows / files + (f < rows % files ? 1 : 0);
    char line[512];
    for (long i = 0; i < n; ++i, ++written) {
      const auto r = rng();
      // About 70% modified on the target day, the rest on the days around it.
      const int day = (r % 10) < 7 ? 20 : ((r % 10) < 9 ? 19 : 21);
      const unsigned secs = static_cast<unsigned>((r >> 8) % 86400);
      const unsigned long size = (r >> 24) % 50 == 0 ? 0 : (r >> 24) % 1000000;
      const bool latest = (r >> 40) % 20 != 0;
      const char* cls = classes[(r >> 44) % 6];
      const int len =
          std::snprintf(line, sizeof line,
                        "\"acme-logs\",\"web/2025/11/%02d/host-%03lu/"
                        "access+log+%%2B+errors-%ld.gz\",\"v%016lx\",\"%s\",\"false\","
                        "\"%lu\",\"2025-11-%02dT%02u:%02u:%02u.000Z\",\"%032lx\",\"%s\",\"%s\",\"SSE-S3\"\n",
                        day, static_cast<unsigned long>((r >> 48) % 1000), written,
                        static_cast<unsigned long>(r), latest ? "true" : "false", size, day, secs / 3600,
                        secs / 60 % 60, secs % 60, static_cast<unsigned long>(r * 31), cls,
                        cls[0] == 'I' ? ((r >> 52) % 4 == 0 ? "ARCHIVE" : "FREQUENT") : "");
      gzwrite(gz, line, static_cast<unsigned>(len));
    }
    gzclose(gz);
    manifest += std::string(f ? "," : "") + R"({"key":")" + key + R"(","size":)" +
                std::to_string(fs::file_size(path)) + R"(,"MD5checksum":")" + file_md5(path) + R"("})";
  }
  manifest += "]}";
  const fs::path folder = root / bucket / prefix / "2025-11-21T01-00Z";
  fs::create_directories(folder);
  std::ofstream(folder / "manifest.json") << manifest;
  std::ofstream(folder / "manifest.checksum") << s3tar::s3::md5_hex(manifest) << "\n";
  const double gen = seconds_since(t0);
  std::uint64_t compressed = 0;
  for (const auto& f : fs::recursive_directory_iterator(root / bucket / prefix / "data"))
    compressed += f.file_size();
  std::printf("generated %ld rows in %d files (%.1f MB gzip) in %.2f s\n", rows, files, compressed / 1e6,
              gen);
  std::fflush(stdout);

  LocalObjectStore store(root);
  Filter filter;
  filter.day = boost::gregorian::date(2025, 11, 20);
  double scan = 1e9, cpu = 1e9;
  std::uint64_t kept = 0, skipped = 0;
  Summary summary;
  Report report;
  for (int s = 0; s < scans; ++s) {
    t0 = std::chrono::steady_clock::now();
    const std::clock_t cpu0 = std::clock();
    report = find_report(store, {bucket, prefix}, filter.day, filter.zone);
    kept = skipped = 0;
    InventoryCallbacks callbacks;
    callbacks.on_objects = [&](std::vector<s3tar::plan::Member>&& objects) { kept += objects.size(); };
    callbacks.on_not_archivable = [&](NotArchivable&&) { ++skipped; };
    summary = scan_inventory(store, bucket, report.manifest, filter, callbacks, {.threads = threads});
    scan = std::min(scan, seconds_since(t0));
    cpu = std::min(cpu, static_cast<double>(std::clock() - cpu0) / CLOCKS_PER_SEC);
  }

  // CPU time is the steadier figure on a shared machine.
  std::printf(
      "scanned %llu rows in %.3f s wall, %.3f s CPU, %u threads: %.0f rows/s wall, %.0f rows per "
      "CPU-second\n",
      static_cast<unsigned long long>(summary.rows_read), scan, cpu, threads, summary.rows_read / scan,
      summary.rows_read / cpu);
  std::printf(
      "kept %llu (%.1f GB), not latest %llu, outside date %llu, too small %llu, not archivable %llu\n",
      static_cast<unsigned long long>(kept), summary.bytes_kept / 1e9,
      static_cast<unsigned long long>(summary.not_latest),
      static_cast<unsigned long long>(summary.outside_date),
      static_cast<unsigned long long>(summary.too_small), static_cast<unsigned long long>(skipped));
  fs::remove_all(root);
  return summary.rows_read == static_cast<std::uint64_t>(rows) ? 0 : 1;
}
