#pragma once

#include <boost/date_time/gregorian/gregorian_types.hpp>
#include <boost/date_time/local_time/local_time_types.hpp>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace s3tar::inventory {

// A half-open interval of UTC instants [begin, end), in unix seconds.
struct TimeWindow {
  std::int64_t begin = 0;
  std::int64_t end = 0;
  bool contains(std::int64_t t) const { return t >= begin && t < end; }
};

// A time zone for day boundaries. IANA names are read from the system TZif files: the
// transition table covers the past (and the years some zones list explicitly), and the POSIX
// TZ rule in the file's footer, run by boost::local_time, covers everything after it. So
// Boost's CSV zone database is not needed.
class TimeZone {
 public:
  // UTC; needs no tzdata.
  static TimeZone utc();

  // An IANA name ("Europe/Berlin"). "UTC", "Etc/UTC", "GMT" and "Z" need no tzdata; other names
  // are read from `zoneinfo_dir` (default: $TZDIR or the system zoneinfo directory).
  // Throws ConfigError for unknown names or unusable files.
  static TimeZone from_name(std::string_view name, const std::filesystem::path& zoneinfo_dir = {});

  // A POSIX TZ rule string ("EST5EDT,M3.2.0,M11.1.0", "<+0530>-5:30"). Throws ConfigError.
  static TimeZone from_posix(std::string_view rule, std::string name = {});

  const std::string& name() const { return name_; }
  const std::string& posix_rule() const { return rule_; }

  // Seconds to add to UTC to get local wall-clock time at the UTC instant `unix_seconds`.
  std::int64_t utc_offset(std::int64_t unix_seconds) const;

  // The first UTC instant whose local time is at or after `day` 00:00 (when midnight falls in
  // a DST gap, the instant the clocks jump).
  std::int64_t day_start(boost::gregorian::date day) const;

  // [start of `day`, start of the next day) as UTC instants: 23, 24 or 25 hours long.
  TimeWindow day_window(boost::gregorian::date day) const;

 private:
  TimeZone() = default;
  std::int64_t local_seconds(std::int64_t unix_seconds) const;

  std::string name_ = "UTC";
  std::string rule_ = "UTC0";
  boost::local_time::time_zone_ptr zone_;  // null for fixed offsets
  std::int64_t std_offset_ = 0;            // seconds east of UTC
  std::int64_t dst_offset_ = 0;            // seconds east of UTC while DST is in effect
  // From the TZif file: offsets in effect from each transition instant on; the rule above
  // applies from the last one.
  std::vector<std::int64_t> transitions_;
  std::vector<std::int64_t> transition_offsets_;
  std::int64_t initial_offset_ = 0;
};

// Unix seconds of `day` 00:00 UTC.
std::int64_t unix_seconds(boost::gregorian::date day);

}  // namespace s3tar::inventory
