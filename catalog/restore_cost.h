// What a restore costs, estimated before it is requested: the bytes retrieved (whole archives:
// S3 restores objects, not byte ranges) times the tier's price per GB, the restore requests, and
// the restored copies' STANDARD storage for the days asked. Prices change and differ by region:
// they come from a table with its date and source (config/restore-prices.json holds the built-in
// one; `s3tar restore --prices FILE` takes another). Pure: no I/O.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "s3tar/s3/restore.h"

namespace s3tar::catalog {

struct TierPrice {
  double per_gb = 0;
  double per_1000_requests = 0;
};

struct PriceTable {
  std::string region, as_of, source, currency = "USD";
  double standard_gb_month = 0;  // the restored copy is stored as STANDARD while it lasts
  // storage class ("GLACIER", "DEEP_ARCHIVE") -> tier ("Bulk", ...) -> price
  std::map<std::string, std::map<std::string, TierPrice>> restore;
};

// The built-in table (the same values as config/restore-prices.json).
const PriceTable& default_prices();

// A table in config/restore-prices.json's format. Throws UsageError naming `name` and the field.
PriceTable parse_prices(std::string_view json_text, const std::string& name);

struct RestoreCost {
  std::uint64_t archives = 0;
  std::uint64_t bytes = 0;
  std::optional<TierPrice> price;  // nullopt: the table has no price for this class and tier
  double retrieval = 0, requests = 0, copy_storage = 0;
  double total() const { return retrieval + requests; }
};

// GB are 2^30 bytes, as S3 bills them. Intelligent-Tiering archive tiers are priced at 0 for
// Standard and Bulk (S3 does not charge them) and unknown for Expedited.
RestoreCost estimate_restore(const PriceTable& prices, s3::ArchiveAccess access, s3::RestoreTier tier,
                             std::uint64_t archives, std::uint64_t bytes, int days);

// Two lines: the estimate, and where the prices come from.
std::string describe(const RestoreCost& cost, const PriceTable& prices, s3::ArchiveAccess access,
                     s3::RestoreTier tier, int days);

}  // namespace s3tar::catalog
