#include "s3tar/archive/exec/volume_set.h"

#include "s3tar/s3/sigv4/sigv4.h"

namespace s3tar::exec {
namespace {

constexpr std::string_view kTar = ".tar";

}  // namespace

ArchiveOutputs::ArchiveOutputs(std::string archive_key) : key_(std::move(archive_key)) {
  stem_ = key_;
  if (stem_.size() > kTar.size() && stem_.ends_with(kTar)) {
    stem_.resize(stem_.size() - kTar.size());
    suffix_ = kTar;
  }
  set_manifest_ = key_ + ".set.json";
}

bool ArchiveOutputs::is_volume(const std::string& key) const {
  if (key == key_) return true;
  if (key.size() <= stem_.size() + 1 + suffix_.size() || !key.starts_with(stem_ + ".") ||
      !key.ends_with(suffix_))
    return false;
  const std::string number = key.substr(stem_.size() + 1, key.size() - stem_.size() - 1 - suffix_.size());
  return number.size() >= 2 && number.find_first_not_of("0123456789") == std::string::npos;
}

bool ArchiveOutputs::is_output(const std::string& key) const {
  if (key == set_manifest_) return true;
  const std::string index_suffix = index_key_for("");
  if (key.ends_with(index_suffix)) return is_volume(key.substr(0, key.size() - index_suffix.size()));
  return is_volume(key);
}

std::string set_id(const plan::Plan& plan) {
  std::string text;
  for (const auto& v : plan.volumes) {
    text += v.key + '\n';
    for (const auto& m : v.members)
      text += m.bucket() + '\0' + std::string(m.key()) + '\0' + std::string(m.version_id()) + '\0' +
              m.etag() + '\0' + std::to_string(m.size) + '\n';
  }
  return s3::sha256_hex(text).substr(0, 16);
}

nlohmann::json set_index_fields(const std::string& id, const std::string& bucket,
                                const ArchiveOutputs& outputs, size_t index, size_t count) {
  return {{"set",
           {{"id", id},
            {"manifest", "s3://" + bucket + "/" + outputs.set_manifest_key()},
            {"volume", index + 1},
            {"volumes", count}}}};
}

std::string render_set_manifest(const std::string& status, const std::string& id, const std::string& bucket,
                                const std::string& archive_key, const std::vector<std::string>& volume_keys,
                                const std::vector<VolumeResult>& written) {
  nlohmann::json volumes = nlohmann::json::array();
  if (written.empty()) {
    for (const auto& k : volume_keys) volumes.push_back({{"archive", "s3://" + bucket + "/" + k}});
  } else {
    for (const auto& r : written)
      volumes.push_back({{"archive", "s3://" + r.bucket + "/" + r.key},
                         {"size", r.size},
                         {"etag", r.etag},
                         {"objects", r.members},
                         {"index", "s3://" + r.bucket + "/" + r.index_key}});
  }
  const nlohmann::json doc = {{"set", id},
                              {"archive", "s3://" + bucket + "/" + archive_key},
                              {"status", status},
                              {"volumes", std::move(volumes)}};
  return doc.dump(1) + "\n";
}

}  // namespace s3tar::exec
