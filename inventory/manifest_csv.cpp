#include "inventory/manifest_csv.h"

#include <istream>
#include <ostream>

#include "inventory/csv_gz.h"
#include "inventory/encoding.h"
#include "inventory/errors.h"

namespace s3tar::inventory {
namespace {

// Feeds `in` to a CsvStream chunk by chunk.
void parse_stream(std::istream& in, CsvStream& csv) {
  std::vector<char> buf(64 << 10);
  while (in) {
    in.read(buf.data(), static_cast<std::streamsize>(buf.size()));
    const auto n = in.gcount();
    if (n > 0) csv.feed(buf.data(), static_cast<std::size_t>(n));
  }
  if (in.bad()) throw StoreError("read error");
  csv.finish();
}

}  // namespace

std::string csv_field(std::string_view v) {
  const bool quote =
      v.find_first_of(",\"\r\n") != std::string_view::npos ||
      (!v.empty() && (v.front() == ' ' || v.back() == ' ' || v.front() == '\t' || v.back() == '\t'));
  if (!quote) return std::string(v);
  std::string out;
  out.reserve(v.size() + 2);
  out.push_back('"');
  for (char c : v) {
    if (c == '"') out.push_back('"');
    out.push_back(c);
  }
  out.push_back('"');
  return out;
}

void ManifestCsvWriter::write(const InventoryObject& o) { write(o.bucket, o.key, o.size, o.etag); }

void ManifestCsvWriter::write(std::string_view bucket, std::string_view key, std::uint64_t size,
                              std::string_view etag) {
  out_ << csv_field(bucket) << ',' << csv_field(key) << ',' << size << ',' << csv_field(etag) << '\n';
}

void read_manifest_csv(std::istream& in, const std::string& name,
                       const std::function<void(ManifestCsvEntry&&)>& on_entry,
                       const ManifestCsvOptions& options) {
  CsvStream csv(
      [&](std::span<const std::string> f, std::uint64_t line) {
        if (line == 1 && options.skip_header) return;
        if (f.size() < 3 || f.size() > 4) {
          throw BadRowError(name, line,
                            "expected bucket,key,size[,etag], got " + std::to_string(f.size()) + " columns");
        }
        ManifestCsvEntry e;
        e.bucket = f[0];
        e.key = options.url_decode ? form_decode(f[1]) : f[1];
        if (e.bucket.empty() || e.key.empty()) throw BadRowError(name, line, "empty bucket or key");
        if (!parse_size(f[2], e.size))
          throw BadRowError(name, line, "size is not a byte count: \"" + f[2] + "\"");
        if (f.size() == 4) e.etag = f[3];
        on_entry(std::move(e));
      },
      name);
  parse_stream(in, csv);
}

std::vector<ManifestCsvEntry> read_manifest_csv(std::istream& in, const std::string& name,
                                                const ManifestCsvOptions& options) {
  std::vector<ManifestCsvEntry> out;
  read_manifest_csv(
      in, name, [&](ManifestCsvEntry&& e) { out.push_back(std::move(e)); }, options);
  return out;
}

void read_batch_manifest_csv(std::istream& in, const std::string& name,
                             const std::function<void(BatchManifestEntry&&)>& on_entry) {
  CsvStream csv(
      [&](std::span<const std::string> f, std::uint64_t line) {
        if (f.size() < 2 || f.size() > 3) {
          throw BadRowError(name, line,
                            "expected bucket,key[,versionId], got " + std::to_string(f.size()) + " columns");
        }
        BatchManifestEntry e;
        e.bucket = f[0];
        e.key = form_decode(f[1]);
        if (e.bucket.empty() || e.key.empty()) throw BadRowError(name, line, "empty bucket or key");
        if (f.size() == 3) e.version_id = f[2];
        on_entry(std::move(e));
      },
      name);
  parse_stream(in, csv);
}

std::vector<BatchManifestEntry> read_batch_manifest_csv(std::istream& in, const std::string& name) {
  std::vector<BatchManifestEntry> out;
  read_batch_manifest_csv(in, name, [&](BatchManifestEntry&& e) { out.push_back(std::move(e)); });
  return out;
}

}  // namespace s3tar::inventory
