// The sidecar index of a volume: JSON with the archive and every member's exact key, version,
// data offset, size, ETag and mtime, stored next to the archive as `<key>.index.json` in a
// class readable without a restore. Written only once the archive is verified: an archive
// without its sidecar does not count as written.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "s3tar/archive/plan/plan.h"

namespace s3tar::exec {

std::string index_key_for(const std::string& archive_key);

// `extras` (an object, or null) adds fields, e.g. the volume set the archive belongs to.
std::string render_index(const std::string& bucket, const plan::Volume& volume, const std::string& etag,
                         const nlohmann::json& extras = nullptr);

}  // namespace s3tar::exec
