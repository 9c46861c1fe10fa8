// `s3tar restore`, up to the extraction: looks at each archive, prints what the restore costs,
// requests the restores that are needed (idempotent: a restore already running is not an error)
// and records when, and says which archives are not readable yet and since when. The requests go
// through ArchiveStore, which the S3 client implements (cli/restore/) and tests fake.
#pragma once

#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "catalog/restore_cost.h"
#include "catalog/restore_plan.h"

namespace s3tar::catalog {

class ArchiveStore {
 public:
  virtual ~ArchiveStore() = default;
  // exists = false for a missing archive.
  virtual ArchiveHead head(const std::string& bucket, const std::string& key) = 0;
  // The text of a small object; nullopt when there is none.
  virtual std::optional<std::string> read(const std::string& bucket, const std::string& key) = 0;
  enum class Answer {
    kStarted,          // 202
    kAlreadyRestored,  // 200: a restored copy is there (its expiry was set again)
    kInProgress,       // 409 RestoreAlreadyInProgress
  };
  virtual Answer request_restore(const std::string& bucket, const std::string& key, s3::ArchiveAccess access,
                                 int days, s3::RestoreTier tier) = 0;
  // A small STANDARD object. Throws on failure.
  virtual void write(const std::string& bucket, const std::string& key, const std::string& body) = 0;
};

struct RestoreOptions {
  s3::RestoreTier tier = s3::RestoreTier::Standard;
  int days = 7;
  bool dry_run = false;
  PriceTable prices = default_prices();
  std::int64_t now = 0;  // unix seconds
};

// Each archive's state at `now` (HEAD, and the record of an earlier request), whatever tier
// would be asked: what `find` shows.
std::vector<ArchiveStep> assess_archives(ArchiveStore& store, const std::vector<ArchiveRequest>& archives,
                                         std::int64_t now);

// The archives' steps (all kReady when it returns without dry_run). Prints to `out` the cost of
// the restores it requests (or would request: dry_run stops after that, requesting nothing) and
// one line per archive that is not readable yet. Throws NotYetError when any archive is being
// restored (exit 4: run again later), and what plan_restore throws. `pending`, when given, gets
// the steps before NotYetError is thrown (what a --json summary shows).
std::vector<ArchiveStep> prepare_restore(ArchiveStore& store, const std::vector<ArchiveRequest>& archives,
                                         const RestoreOptions& options, std::ostream& out,
                                         std::vector<ArchiveStep>* pending = nullptr);

// How long a restore of this class and tier typically takes (S3's documentation).
std::string typical_wait(s3::ArchiveAccess access, s3::RestoreTier tier);

}  // namespace s3tar::catalog
