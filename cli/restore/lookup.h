// What `s3tar find` and `s3tar restore` share: the job's layout from its config, and the state of
// the archives that hold the matches (HEAD, and the record of an earlier restore request).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "catalog/find.h"
#include "catalog/restore_plan.h"
#include "inventory/object_store.h"
#include "s3tar/s3/client.h"
#include "scheduler/config.h"

namespace s3tar::cli {

// The catalog and archive locations of a job. A day's archives are found under the naming
// template rendered for that day (the source bucket is the one the inventory location names:
// <destination prefix>/<source bucket>/<config id>/).
catalog::Layout job_layout(const scheduler::DailyConfig& config);

// HEAD of each archive (in parallel); a missing archive has exists = false.
std::vector<catalog::ArchiveHead> head_archives(s3::S3Client& client,
                                                const std::vector<catalog::ArchiveRequest>& archives);

// The `<archive>.restore.json` record of each archive that needs a restore; nullopt when absent.
std::vector<std::optional<catalog::RestoreRecord>> restore_records(
    inventory::ObjectStore& store, const std::vector<catalog::ArchiveRequest>& archives,
    const std::vector<catalog::ArchiveHead>& heads);

std::int64_t unix_now();

}  // namespace s3tar::cli
