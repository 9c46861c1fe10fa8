#pragma once

#include <gtest/gtest.h>
#include <zlib.h>

#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <random>
#include <string>
#include <vector>

#include "inventory/manifest.h"
#include "s3tar/s3/digest.h"

namespace s3tar::inventory::testing {

// gzip-compresses `text` as one member.
inline std::string gzip(const std::string& text, int level = 6) {
  z_stream z{};
  if (deflateInit2(&z, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
    throw std::runtime_error("deflate");
  std::string out(deflateBound(&z, text.size()) + 64, '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(text.data()));
  z.avail_in = static_cast<uInt>(text.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  if (deflate(&z, Z_FINISH) != Z_STREAM_END) throw std::runtime_error("deflate");
  out.resize(z.total_out);
  deflateEnd(&z);
  return out;
}

// One inventory CSV line: every value quoted, as S3 writes them.
inline std::string row(std::initializer_list<std::string> values) {
  std::string out;
  for (const auto& v : values) {
    if (!out.empty()) out += ',';
    out += '"';
    for (char c : v) {
      if (c == '"') out += '"';
      out += c;
    }
    out += '"';
  }
  return out + "\n";
}

inline void write_file(const std::filesystem::path& path, const std::string& data) {
  std::filesystem::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary) << data;
}

// A scratch directory removed at the end of the test.
class TempDir {
 public:
  TempDir() {
    std::random_device rd;
    path_ = std::filesystem::temp_directory_path() / ("s3tar-inventory-test-" + std::to_string(rd()));
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

constexpr const char* kCurrentSchema =
    "Bucket, Key, Size, LastModifiedDate, ETag, StorageClass, IntelligentTieringAccessTier";
constexpr const char* kVersionsSchema =
    "Bucket, Key, VersionId, IsLatest, IsDeleteMarker, Size, LastModifiedDate, ETag, StorageClass, "
    "IntelligentTieringAccessTier, EncryptionStatus";

// A destination bucket laid out like a real inventory delivery, under a LocalObjectStore root.
class Delivery {
 public:
  explicit Delivery(std::filesystem::path root) : root_(std::move(root)) {}

  const std::filesystem::path& root() const { return root_; }
  const std::string bucket = "inventory-dest";
  const std::string prefix = "reports/acme-logs/daily/";

  // Stores raw bytes as a data file and describes it for files[].
  DataFile add_raw_data_file(const std::string& name, const std::string& bytes) {
    DataFile f{prefix + "data/" + name, bytes.size(), s3::md5_hex(bytes)};
    write_file(root_ / bucket / f.key, bytes);
    return f;
  }
  DataFile add_data_file(const std::string& name, const std::string& csv) {
    return add_raw_data_file(name, gzip(csv));
  }

  static std::string manifest_json(const std::vector<DataFile>& files,
                                   const std::string& schema = kCurrentSchema,
                                   const std::string& format = "CSV") {
    std::string j = R"({"sourceBucket":"acme-logs","destinationBucket":"arn:aws:s3:::inventory-dest",)"
                    R"("version":"2016-11-30","creationTimestamp":"1763773200000","fileFormat":")" +
                    format + R"(","fileSchema":")" + schema + R"(","files":[)";
    for (std::size_t i = 0; i < files.size(); ++i) {
      if (i) j += ",";
      j += R"({"key":")" + files[i].key + R"(","size":)" + std::to_string(files[i].size) +
           R"(,"MD5checksum":")" + files[i].md5 + R"("})";
    }
    return j + "]}";
  }

  // Writes <folder>/manifest.json and (unless `checksum` is false) manifest.checksum.
  void add_report(const std::string& folder, const std::string& manifest, bool checksum = true) {
    write_file(root_ / bucket / (prefix + folder + "/manifest.json"), manifest);
    if (checksum)
      write_file(root_ / bucket / (prefix + folder + "/manifest.checksum"), s3::md5_hex(manifest) + "\n");
  }

 private:
  std::filesystem::path root_;
};

}  // namespace s3tar::inventory::testing
