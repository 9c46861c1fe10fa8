// The objects one archive key stands for, and volume sets.
//
// `-c -f s3://B/K.tar` writes K.tar, or with --size-limit the volumes K.00.tar, K.01.tar, ...,
// each with its index sidecar. A set manifest `K.tar.set.json` says which volumes make the
// current set and whether it is finished: it is written "writing" before the first volume (so
// an interrupted run never leaves an earlier, finished manifest naming a mix of old and new
// volumes) and "complete" after the last; each volume's sidecar names its set, its number and
// the count. A volume of an earlier set that the current one does not name is not current.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "s3tar/archive/exec/executor.h"
#include "s3tar/archive/plan/plan.h"

namespace s3tar::exec {

class ArchiveOutputs {
 public:
  explicit ArchiveOutputs(std::string archive_key);
  // K.tar itself, or a volume K.NN.tar (K.NN without a .tar key).
  bool is_volume(const std::string& key) const;
  // A volume, a volume's index sidecar, or the set manifest.
  bool is_output(const std::string& key) const;
  const std::string& key() const { return key_; }
  // Every output key starts with it (for listings).
  const std::string& prefix() const { return stem_; }
  const std::string& set_manifest_key() const { return set_manifest_; }

 private:
  std::string key_, stem_, suffix_, set_manifest_;
};

// 16 hex digits of a SHA-256 over the volumes' keys and members: the same input, the same id.
std::string set_id(const plan::Plan& plan);

// The sidecar fields that tie volume `index` (from 0) to its set.
nlohmann::json set_index_fields(const std::string& id, const std::string& bucket,
                                const ArchiveOutputs& outputs, size_t index, size_t count);

// The set manifest: "writing" (planned volume keys) or "complete" (the volumes as written).
std::string render_set_manifest(const std::string& status, const std::string& id, const std::string& bucket,
                                const std::string& archive_key, const std::vector<std::string>& volume_keys,
                                const std::vector<VolumeResult>& written);

}  // namespace s3tar::exec
