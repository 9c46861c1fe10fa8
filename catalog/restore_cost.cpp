#include "catalog/restore_cost.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "s3tar/errors.h"

namespace s3tar::catalog {
namespace {

constexpr double kGiB = 1024.0 * 1024.0 * 1024.0;

// Keys of the table for an archival class: Intelligent-Tiering's archive tiers have their own
// (free) Standard and Bulk retrievals.
std::string table_class(s3::ArchiveAccess access) {
  switch (access) {
    case s3::ArchiveAccess::kGlacier:
      return "GLACIER";
    case s3::ArchiveAccess::kDeepArchive:
      return "DEEP_ARCHIVE";
    default:
      return "";
  }
}

double number(const nlohmann::json& j, const std::string& name, const std::string& field) {
  if (!j.is_number() || j.get<double>() < 0)
    throw UsageError(name + ": " + field + ": must be a number of at least 0");
  return j.get<double>();
}

std::string money(double usd) {
  if (usd >= 0.01) return fmt::format("${:.2f}", usd);
  return usd >= 0.0001 || usd == 0 ? fmt::format("${:.4f}", usd) : fmt::format("${:.6f}", usd);
}

}  // namespace

const PriceTable& default_prices() {
  static const PriceTable table = [] {
    PriceTable t;
    t.region = "us-east-1";
    t.as_of = "2026-11-30";
    t.source =
        "aws.amazon.com/s3/pricing (Requests & data retrievals); Flexible Retrieval Bulk is free per the S3 "
        "API reference (RestoreObject)";
    t.standard_gb_month = 0.023;
    t.restore["GLACIER"] = {{"Expedited", {0.03, 10.0}}, {"Standard", {0.01, 0.05}}, {"Bulk", {0.0, 0.0}}};
    t.restore["DEEP_ARCHIVE"] = {{"Standard", {0.02, 0.10}}, {"Bulk", {0.0025, 0.025}}};
    return t;
  }();
  return table;
}

PriceTable parse_prices(std::string_view text, const std::string& name) {
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(text);
  } catch (const nlohmann::json::exception& e) {
    throw UsageError(name + ": not JSON: " + e.what());
  }
  if (!j.is_object()) throw UsageError(name + ": must be a JSON object");
  PriceTable t;
  for (const auto& [key, value] : j.items()) {
    if (key == "comment") continue;
    if (key == "region" || key == "as_of" || key == "source" || key == "currency") {
      if (!value.is_string()) throw UsageError(name + ": " + key + ": must be a string");
      (key == "region"   ? t.region
       : key == "as_of"  ? t.as_of
       : key == "source" ? t.source
                         : t.currency) = value.get<std::string>();
    } else if (key == "standard_gb_month") {
      t.standard_gb_month = number(value, name, key);
    } else if (key == "restore") {
      if (!value.is_object()) throw UsageError(name + ": restore: must be an object");
      for (const auto& [cls, tiers] : value.items()) {
        if (cls != "GLACIER" && cls != "DEEP_ARCHIVE")
          throw UsageError(name + ": restore." + cls + ": unknown storage class (GLACIER or DEEP_ARCHIVE)");
        if (!tiers.is_object()) throw UsageError(name + ": restore." + cls + ": must be an object");
        for (const auto& [tier, price] : tiers.items()) {
          const std::string field = "restore." + cls + "." + tier;
          if (!s3::parse_restore_tier(tier) || tier != s3::to_string(*s3::parse_restore_tier(tier)))
            throw UsageError(name + ": " + field + ": unknown tier (Bulk, Standard or Expedited)");
          if (!price.is_object() || !price.contains("per_gb") || !price.contains("per_1000_requests") ||
              price.size() != 2)
            throw UsageError(name + ": " + field + ": must be {\"per_gb\": N, \"per_1000_requests\": N}");
          t.restore[cls][tier] = {number(price["per_gb"], name, field + ".per_gb"),
                                  number(price["per_1000_requests"], name, field + ".per_1000_requests")};
        }
      }
    } else {
      throw UsageError(name + ": " + key + ": unknown field");
    }
  }
  if (t.as_of.empty() || t.source.empty())
    throw UsageError(name + ": as_of and source are required (when and where the prices were read)");
  return t;
}

RestoreCost estimate_restore(const PriceTable& prices, s3::ArchiveAccess access, s3::RestoreTier tier,
                             std::uint64_t archives, std::uint64_t bytes, int days) {
  RestoreCost cost;
  cost.archives = archives;
  cost.bytes = bytes;
  const double gb = static_cast<double>(bytes) / kGiB;
  if (access == s3::ArchiveAccess::kTieringArchive || access == s3::ArchiveAccess::kTieringDeepArchive) {
    if (tier != s3::RestoreTier::Expedited) cost.price = TierPrice{0, 0};
    return cost;  // moved back to an access tier: no temporary copy
  }
  const auto cls = prices.restore.find(table_class(access));
  if (cls != prices.restore.end()) {
    const auto p = cls->second.find(s3::to_string(tier));
    if (p != cls->second.end()) cost.price = p->second;
  }
  if (cost.price) {
    cost.retrieval = gb * cost.price->per_gb;
    cost.requests = static_cast<double>(archives) * cost.price->per_1000_requests / 1000;
  }
  cost.copy_storage = gb * prices.standard_gb_month * days / 30.0;
  return cost;
}

std::string describe(const RestoreCost& cost, const PriceTable& prices, s3::ArchiveAccess access,
                     s3::RestoreTier tier, int days) {
  const double gb = static_cast<double>(cost.bytes) / kGiB;
  std::string out = fmt::format("Restore {} archive{} ({:.3f} GB) from {}, tier {}", cost.archives,
                                cost.archives == 1 ? "" : "s", gb, s3::describe(access), s3::to_string(tier));
  if (!cost.price) {
    out += ": estimated cost unknown (no price for this class and tier in the price table)\n";
  } else {
    out += fmt::format(": estimated {} = {} retrieval ({:.3f} GB x ${}/GB) + {} requests ({} x ${}/1,000)",
                       money(cost.total()), money(cost.retrieval), gb, cost.price->per_gb,
                       money(cost.requests), cost.archives, cost.price->per_1000_requests);
    if (cost.copy_storage > 0)
      out += fmt::format("; the restored copies are stored as STANDARD for {} day{}: about {}", days,
                         days == 1 ? "" : "s", money(cost.copy_storage));
    out += "\n";
  }
  out += fmt::format("Prices: {} list prices in {} as of {} ({}); --prices FILE for others\n", prices.region,
                     prices.currency, prices.as_of, prices.source);
  return out;
}

}  // namespace s3tar::catalog
