// What `s3tar find` and `s3tar restore` share: the job's layout from its config, and the clock.
// (The archives' state comes through catalog::S3ArchiveStore.)
#pragma once

#include <cstdint>
#include <string>

#include "catalog/find.h"
#include "scheduler/config.h"

namespace s3tar::cli {

// The catalog and archive locations of a job. A day's archives are found under the naming
// template rendered for that day (the source bucket is the one the inventory location names:
// <destination prefix>/<source bucket>/<config id>/).
catalog::Layout job_layout(const scheduler::DailyConfig& config);

std::int64_t unix_now();

}  // namespace s3tar::cli
