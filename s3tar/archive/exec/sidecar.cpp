#include "s3tar/archive/exec/sidecar.h"

namespace s3tar::exec {

std::string index_key_for(const std::string& archive_key) { return archive_key + ".index.json"; }

std::string render_index(const std::string& bucket, const plan::Volume& volume, const std::string& etag,
                         const nlohmann::json& extras) {
  nlohmann::json members = nlohmann::json::array();
  for (size_t i = 0; i < volume.members.size(); ++i) {
    const auto& m = volume.members[i];
    nlohmann::json j = {{"bucket", m.bucket()},
                        {"key", std::string(m.key())},
                        {"offset", volume.data_offsets[i]},
                        {"size", m.size},
                        {"etag", m.etag()},
                        {"mtime", m.mtime()}};
    if (!m.version_id().empty()) j["version_id"] = std::string(m.version_id());
    members.push_back(std::move(j));
  }
  nlohmann::json doc = {{"archive", "s3://" + bucket + "/" + volume.key},
                        {"size", volume.total_size},
                        {"etag", etag},
                        {"format", volume.format == tar::Format::Gnu ? "gnu" : "pax"},
                        {"toc_member", "toc.csv"},
                        {"members", std::move(members)}};
  if (extras.is_object())
    for (const auto& [k, v] : extras.items()) doc[k] = v;
  return doc.dump(1) + "\n";
}

}  // namespace s3tar::exec
