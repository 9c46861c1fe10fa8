#include "cli/tar/sources.h"

#include <cstring>
#include <fstream>
#include <sstream>

#include "cli/tar/tar_options.h"
#include "s3tar/errors.h"

namespace s3tar::cli {

bool is_archived_class(const std::string& c) { return c == "GLACIER" || c == "DEEP_ARCHIVE"; }

SourceSet list_sources(s3::S3Client& client, const std::string& url,
                       const std::function<bool(const std::string& key)>& exclude) {
  const S3Url src = parse_s3_url(url, "source");
  SourceSet set;
  client.list_all(src.bucket, src.key, [&](const s3::ListedObject& o) {
    if (o.size == 0 && !o.key.empty() && o.key.back() == '/') return;
    if (exclude(o.key)) return;
    if (is_archived_class(o.storage_class)) {
      set.problems.push_back(
          {src.bucket, o.key, "", "archived",
           "s3://" + src.bucket + "/" + o.key + " is in " + o.storage_class + " (restore it first)"});
      return;
    }
    set.members.push_back(plan::Member{src.bucket, o.key, "", o.etag, o.size, o.last_modified});
  });
  return set;
}

std::string read_local_or_s3(s3::S3Client& client, const std::string& location) {
  if (is_s3_url(location)) {
    const S3Url u = parse_s3_url(location, location);
    return client.get_object(s3::GetRequest{{u.bucket, u.key, ""}, std::nullopt, "", nullptr}).get().body;
  }
  std::ifstream in(location, std::ios::binary);
  if (!in) throw UsageError("cannot read " + location + ": " + std::strerror(errno));
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace s3tar::cli
