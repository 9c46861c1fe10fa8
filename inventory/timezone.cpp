#include "inventory/timezone.h"

#include <algorithm>
#include <boost/date_time/local_time/local_time.hpp>
#include <boost/date_time/posix_time/posix_time.hpp>
#include <boost/make_shared.hpp>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <optional>

#include "inventory/errors.h"

namespace s3tar::inventory {
namespace {

namespace bg = boost::gregorian;
namespace blt = boost::local_time;
namespace bpt = boost::posix_time;

constexpr std::int64_t kDay = 86400;

// One transition rule of a POSIX TZ string: Jn, n or Mm.w.d, plus a time of day in seconds
// (may be negative or over 24 h, as RFC 8536 allows).
struct TransitionRule {
  enum Kind { kJulian1, kJulian0, kMonthWeekDay } kind = kMonthWeekDay;
  int day = 0;  // Jn: 1..365, n: 0..365
  int month = 0, week = 0, weekday = 0;
  std::int64_t time = 2 * 3600;

  // The date of the transition in `year`, before applying the time-of-day day shift.
  bg::date date_in(int year) const {
    switch (kind) {
      case kJulian1: {
        // 1..365, February 29 never counted.
        bg::date d = bg::date(year, 1, 1) + bg::days(day - 1);
        if (bg::gregorian_calendar::is_leap_year(year) && day >= 60) d += bg::days(1);
        return d;
      }
      case kJulian0:
        return bg::date(year, 1, 1) + bg::days(day);
      case kMonthWeekDay:
        break;
    }
    const auto wd = static_cast<bg::greg_weekday>(weekday);
    if (week == 5) return bg::last_kday_of_month(wd, month).get_date(year);
    return bg::nth_kday_of_month(static_cast<bg::nth_kday_of_month::week_num>(week), wd, month)
        .get_date(year);
  }

  // Whole days the time of day moves the transition (floor division), and the remainder.
  std::int64_t day_shift() const { return time >= 0 ? time / kDay : -((-time + kDay - 1) / kDay); }
  std::int64_t time_in_day() const { return time - day_shift() * kDay; }

  bg::date shifted_date(int year) const { return date_in(year) + bg::days(day_shift()); }

  std::string to_string() const {
    char buf[32];
    if (kind == kJulian1) {
      std::snprintf(buf, sizeof buf, "J%d", day);
    } else if (kind == kJulian0) {
      std::snprintf(buf, sizeof buf, "%d", day);
    } else {
      std::snprintf(buf, sizeof buf, "M%d.%d.%d", month, week, weekday);
    }
    return buf;
  }
};

// Feeds boost::local_time the transition days of a POSIX rule (any combination of forms).
class PosixDstRule : public blt::dst_calc_rule {
 public:
  PosixDstRule(TransitionRule start, TransitionRule end) : start_(start), end_(end) {}
  bg::date start_day(year_type y) const override { return start_.shifted_date(y); }
  std::string start_rule_as_string() const override { return start_.to_string(); }
  bg::date end_day(year_type y) const override { return end_.shifted_date(y); }
  std::string end_rule_as_string() const override { return end_.to_string(); }

 private:
  TransitionRule start_, end_;
};

class RuleParser {
 public:
  explicit RuleParser(std::string_view text) : s_(text) {}

  [[noreturn]] void fail(const std::string& what) const {
    throw ConfigError("invalid POSIX time zone rule \"" + std::string(s_) + "\": " + what);
  }
  bool done() const { return i_ >= s_.size(); }
  char peek() const { return done() ? '\0' : s_[i_]; }
  bool accept(char c) {
    if (peek() != c) return false;
    ++i_;
    return true;
  }

  std::string name() {
    std::string out;
    if (accept('<')) {
      while (!done() && peek() != '>') out.push_back(s_[i_++]);
      if (!accept('>')) fail("unterminated <name>");
    } else {
      while (!done() && std::isalpha(static_cast<unsigned char>(peek()))) out.push_back(s_[i_++]);
    }
    if (out.size() < 3) fail("zone abbreviation too short");
    return out;
  }

  int number(int max) {
    if (!std::isdigit(static_cast<unsigned char>(peek()))) fail("expected a number");
    int v = 0;
    while (std::isdigit(static_cast<unsigned char>(peek()))) {
      v = v * 10 + (s_[i_++] - '0');
      if (v > max) fail("number out of range");
    }
    return v;
  }

  // [+-]hh[:mm[:ss]] in seconds.
  std::int64_t duration(int max_hours) {
    int sign = 1;
    if (accept('-')) {
      sign = -1;
    } else {
      accept('+');
    }
    std::int64_t v = std::int64_t{number(max_hours)} * 3600;
    if (accept(':')) {
      v += number(59) * 60;
      if (accept(':')) v += number(59);
    }
    return sign * v;
  }

  TransitionRule transition() {
    TransitionRule r;
    if (accept('J')) {
      r.kind = TransitionRule::kJulian1;
      r.day = number(365);
      if (r.day < 1) fail("Jn day must be 1..365");
    } else if (accept('M')) {
      r.kind = TransitionRule::kMonthWeekDay;
      r.month = number(12);
      if (!accept('.')) fail("expected Mm.w.d");
      r.week = number(5);
      if (!accept('.')) fail("expected Mm.w.d");
      r.weekday = number(6);
      if (r.month < 1 || r.week < 1) fail("bad Mm.w.d");
    } else {
      r.kind = TransitionRule::kJulian0;
      r.day = number(365);
    }
    if (accept('/')) r.time = duration(167);
    return r;
  }

 private:
  std::string_view s_;
  std::size_t i_ = 0;
};

std::optional<std::string> utc_alias(std::string_view name) {
  for (const char* alias : {"UTC", "Etc/UTC", "GMT", "Etc/GMT", "Z", "Zulu", "Etc/Zulu", "UCT", "Etc/UCT"}) {
    if (name == alias) return std::string(name);
  }
  return std::nullopt;
}

// Big-endian signed integer of `n` bytes at `p`.
std::int64_t be(const unsigned char* p, int n) {
  std::uint64_t v = 0;
  for (int i = 0; i < n; ++i) v = (v << 8) | p[i];
  if (n < 8 && (v >> (8 * n - 1))) v |= ~std::uint64_t{0} << (8 * n);
  return static_cast<std::int64_t>(v);
}

// The 64-bit transition table of a TZif v2+ file (RFC 8536): transition instants and the UTC
// offset that starts at each, plus the offset before the first one.
bool read_tzif_table(const std::string& data, std::vector<std::int64_t>& times,
                     std::vector<std::int64_t>& offsets, std::int64_t& initial) {
  const auto* d = reinterpret_cast<const unsigned char*>(data.data());
  auto counts = [&](std::size_t at, std::int64_t c[6]) {
    if (at + 44 > data.size() || data.compare(at, 4, "TZif") != 0) return false;
    for (int i = 0; i < 6; ++i) c[i] = be(d + at + 20 + 4 * i, 4);
    return true;
  };
  std::int64_t c[6];  // isutcnt, isstdcnt, leapcnt, timecnt, typecnt, charcnt
  if (!counts(0, c)) return false;
  std::size_t at = 44 + static_cast<std::size_t>(c[3] * 5 + c[4] * 6 + c[5] + c[2] * 8 + c[1] + c[0]);
  if (!counts(at, c)) return false;
  at += 44;
  const auto timecnt = static_cast<std::size_t>(c[3]), typecnt = static_cast<std::size_t>(c[4]);
  if (typecnt == 0 || at + timecnt * 9 + typecnt * 6 > data.size()) return false;
  const unsigned char* idx = d + at + timecnt * 8;
  const unsigned char* types = idx + timecnt;
  times.clear();
  offsets.clear();
  for (std::size_t i = 0; i < timecnt; ++i) {
    if (idx[i] >= typecnt) return false;
    times.push_back(be(d + at + i * 8, 8));
    offsets.push_back(be(types + idx[i] * 6, 4));
  }
  initial = be(types, 4);
  return std::is_sorted(times.begin(), times.end());
}

}  // namespace

std::int64_t unix_seconds(bg::date day) { return (day - bg::date(1970, 1, 1)).days() * kDay; }

TimeZone TimeZone::utc() { return TimeZone(); }

TimeZone TimeZone::from_posix(std::string_view rule, std::string name) {
  RuleParser p(rule);
  const std::string std_name = p.name();
  // POSIX offsets are hours west of UTC; we keep seconds east.
  const std::int64_t std_offset = -p.duration(24);
  TimeZone tz;
  tz.name_ = name.empty() ? std::string(rule) : std::move(name);
  tz.rule_ = std::string(rule);
  tz.std_offset_ = tz.dst_offset_ = std_offset;
  if (p.done()) return tz;

  const std::string dst_name = p.name();
  std::int64_t dst_offset = std_offset + 3600;
  if (p.peek() != ',' && !p.done()) dst_offset = -p.duration(24);
  TransitionRule start, end;
  if (p.done()) {
    // No rule given: POSIX leaves it implementation-defined; glibc uses the US rule.
    start.month = 3, start.week = 2, start.weekday = 0;
    end.month = 11, end.week = 1, end.weekday = 0;
  } else {
    if (!p.accept(',')) p.fail("expected ,start,end");
    start = p.transition();
    if (!p.accept(',')) p.fail("expected ,end");
    end = p.transition();
    if (!p.done()) p.fail("trailing characters");
  }
  std::int64_t base_offset = std_offset;
  std::string base_name = std_name, summer_name = dst_name;
  if (dst_offset < std_offset) {
    // Negative DST (Europe/Dublin: "IST-1GMT0,M10.5.0,M3.5.0/1"): the same clock changes read
    // as a positive DST from the other side, with the transitions swapped. Each transition
    // time stays in the wall time that was in effect before it.
    std::swap(start, end);
    std::swap(base_offset, dst_offset);
    std::swap(base_name, summer_name);
  }
  const std::int64_t dst_length = dst_offset - base_offset;
  if (dst_length <= 0 || dst_length >= kDay) p.fail("unsupported DST offset");
  tz.std_offset_ = base_offset;
  tz.dst_offset_ = dst_offset;

  blt::time_zone_names names(base_name, base_name, summer_name, summer_name);
  blt::dst_adjustment_offsets adjust(bpt::seconds(dst_length), bpt::seconds(start.time_in_day()),
                                     bpt::seconds(end.time_in_day()));
  tz.zone_ = boost::make_shared<blt::custom_time_zone>(names, bpt::seconds(base_offset), adjust,
                                                       boost::make_shared<PosixDstRule>(start, end));
  return tz;
}

TimeZone TimeZone::from_name(std::string_view name, const std::filesystem::path& zoneinfo_dir) {
  if (auto alias = utc_alias(name)) {
    TimeZone tz;
    tz.name_ = *alias;
    return tz;
  }
  const std::string n(name);
  if (n.empty() || n.front() == '/' || n.find("..") != std::string::npos) {
    throw ConfigError("invalid time zone name \"" + n + "\"");
  }
  std::filesystem::path dir = zoneinfo_dir;
  if (dir.empty()) {
    const char* env = std::getenv("TZDIR");
    dir = env && *env ? env : "/usr/share/zoneinfo";
  }
  const auto path = dir / n;
  std::ifstream in(path, std::ios::binary);
  if (!in)
    throw ConfigError("unknown time zone \"" + n + "\" (no file " + path.string() +
                      "; is tzdata installed?)");
  const std::string data((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (data.size() < 44 || data.compare(0, 4, "TZif") != 0) {
    throw ConfigError("time zone file " + path.string() + " is not a TZif file");
  }
  if (data[4] < '2' || data.back() != '\n') {
    throw ConfigError("time zone file " + path.string() + " has no POSIX rule footer (TZif version 1)");
  }
  const auto begin = data.rfind('\n', data.size() - 2);
  const std::string rule = data.substr(begin + 1, data.size() - begin - 2);
  TimeZone tz;
  if (rule.empty()) {
    tz.name_ = n;
  } else {
    tz = from_posix(rule, n);
  }
  if (!read_tzif_table(data, tz.transitions_, tz.transition_offsets_, tz.initial_offset_)) {
    throw ConfigError("time zone file " + path.string() + " is malformed");
  }
  if (rule.empty()) {
    // No rule for later dates: the last offset stays.
    if (tz.transitions_.empty()) throw ConfigError("time zone \"" + n + "\" has no offsets");
    tz.rule_.clear();
    tz.std_offset_ = tz.dst_offset_ = tz.transition_offsets_.back();
  }
  return tz;
}

std::int64_t TimeZone::utc_offset(std::int64_t t) const {
  // Instants before the last listed transition use the table; later ones the POSIX rule.
  if (!transitions_.empty() && t < transitions_.back()) {
    const auto it = std::upper_bound(transitions_.begin(), transitions_.end(), t);
    if (it == transitions_.begin()) return initial_offset_;
    return transition_offsets_[static_cast<std::size_t>(it - transitions_.begin() - 1)];
  }
  if (!zone_) return std_offset_;
  // The zone gives this year's transitions as local wall times (start in standard time, end in
  // daylight time); compare in UTC. boost's own UTC->local check misjudges transitions at
  // 24:00, so it is not used.
  const bpt::ptime epoch(bg::date(1970, 1, 1));
  auto utc_of = [&](const bpt::ptime& local, std::int64_t offset) {
    return (local - epoch).total_seconds() - offset;
  };
  const int year = (epoch + bpt::seconds(t + std_offset_)).date().year();
  const std::int64_t start = utc_of(zone_->dst_local_start_time(year), std_offset_);
  const std::int64_t end = utc_of(zone_->dst_local_end_time(year), dst_offset_);
  const bool dst = start < end ? (t >= start && t < end) : (t >= start || t < end);
  return dst ? dst_offset_ : std_offset_;
}

std::int64_t TimeZone::local_seconds(std::int64_t t) const { return t + utc_offset(t); }

std::int64_t TimeZone::day_start(bg::date day) const {
  if (day.is_special()) throw ConfigError("invalid date");
  const std::int64_t wall = unix_seconds(day);
  // Midnight exists once (usual), twice (clocks fall back over it: take the first) or not at
  // all (clocks jump over it: take the jump). Try every offset in effect near that day.
  std::vector<std::int64_t> candidates;
  for (std::int64_t probe = wall - 2 * kDay; probe <= wall + 2 * kDay; probe += 1800) {
    const std::int64_t t = wall - utc_offset(probe);
    if (std::find(candidates.begin(), candidates.end(), t) == candidates.end()) candidates.push_back(t);
  }
  std::sort(candidates.begin(), candidates.end());
  for (const auto t : candidates) {
    if (local_seconds(t) == wall) return t;
  }
  // A gap: the first instant whose local time is past midnight.
  std::int64_t l = candidates.front(), h = candidates.back();
  if (local_seconds(l) >= wall || local_seconds(h) < wall)
    throw ConfigError("cannot place midnight of a day");
  while (h - l > 1) {
    const std::int64_t m = l + (h - l) / 2;
    (local_seconds(m) >= wall ? h : l) = m;
  }
  return h;
}

TimeWindow TimeZone::day_window(bg::date day) const {
  return TimeWindow{day_start(day), day_start(day + bg::days(1))};
}

}  // namespace s3tar::inventory
