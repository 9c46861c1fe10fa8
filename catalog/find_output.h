// What `s3tar find` prints: per match the object, the archive holding it (URL, offset, ETag) and
// the archive's storage class and restore state; as text for people or JSON for scripts. Pure.
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <string>

#include "catalog/find.h"
#include "catalog/restore_plan.h"

namespace s3tar::catalog {

std::string archive_url(const Row& row);

// The assessed state of each archive, by archive_url.
using ArchiveStates = std::map<std::string, ArchiveStep>;

std::string render_find_text(const FindResult& result, const ArchiveStates& states);
nlohmann::json render_find_json(const FindResult& result, const ArchiveStates& states);

}  // namespace s3tar::catalog
