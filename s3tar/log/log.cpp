#include "s3tar/log/log.h"

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <mutex>

namespace s3tar::log {
namespace {

std::mutex g_mu;
Options g_options;
bool g_progress_line_open = false;  // a progress line is drawn and must be cleared first

const char* level_name(Level l) {
  switch (l) {
    case Level::Error:
      return "error";
    case Level::Warn:
      return "warn";
    case Level::Info:
      return "info";
    case Level::Debug:
      return "debug";
    case Level::Trace:
      return "trace";
  }
  return "info";
}

double now_seconds() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

std::string timestamp() {
  const auto now = std::chrono::system_clock::now();
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count();
  const std::time_t t = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[96];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1,
                tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(ms % 1000));
  return buf;
}

void clear_progress_locked() {
  if (g_progress_line_open) {
    std::fputs("\r\033[K", stderr);
    g_progress_line_open = false;
  }
}

}  // namespace

std::string human_bytes(double b) {
  const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  int u = 0;
  while (b >= 1024 && u < 4) {
    b /= 1024;
    ++u;
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, u == 0 ? "%.0f %s" : "%.1f %s", b, units[u]);
  return buf;
}

bool is_terminal() { return isatty(STDERR_FILENO) == 1; }

Options detect_options(int verbosity) {
  Options o;
  o.terminal = is_terminal();
  o.json = !o.terminal;
  if (const char* f = std::getenv("S3TAR_LOG_FORMAT")) {
    const std::string v(f);
    if (v == "json") o.json = true;
    if (v == "text") o.json = false;
  }
  o.level = static_cast<Level>(std::min(4, 2 + verbosity));
  if (const char* p = std::getenv("S3TAR_PROGRESS_SECONDS")) {
    char* end = nullptr;
    const double v = std::strtod(p, &end);
    if (end != p && *end == '\0' && v >= 0) o.progress_seconds = v;  // anything else: the default
  }
  return o;
}

void init(Options options) {
  std::lock_guard lock(g_mu);
  g_options = options;
}

bool enabled(Level level) { return static_cast<int>(level) <= static_cast<int>(g_options.level); }
bool json_mode() { return g_options.json; }

void write(Level level, std::string_view event, std::string_view message, const nlohmann::json& fields) {
  if (!enabled(level)) return;
  std::string line;
  if (g_options.json) {
    nlohmann::json j = {
        {"time", timestamp()}, {"level", level_name(level)}, {"event", event}, {"msg", message}};
    if (fields.is_object()) {
      for (const auto& [k, v] : fields.items()) j[k] = v;
    }
    line = j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  } else {
    line = level == Level::Info ? std::string(message)
                                : std::string(level_name(level)) + ": " + std::string(message);
    if (level >= Level::Debug && fields.is_object() && !fields.empty())
      line += " " + fields.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  }
  std::lock_guard lock(g_mu);
  clear_progress_locked();
  std::fputs(line.c_str(), stderr);
  std::fputc('\n', stderr);
  std::fflush(stderr);
}

namespace {

double progress_interval() {
  if (g_options.progress_seconds >= 0) return g_options.progress_seconds;
  return g_options.terminal && !g_options.json ? 0.2 : 10.0;
}

}  // namespace

Progress::Progress(std::string label, uint64_t total_objects, uint64_t total_bytes)
    : label_(std::move(label)), count_(total_objects, total_bytes, now_seconds(), progress_interval()) {}

Progress::~Progress() { finish(); }

void Progress::add(uint64_t objects, uint64_t bytes) {
  std::lock_guard lock(g_mu);
  const double t = now_seconds();
  if (!finished_ && count_.add(objects, bytes, t)) draw(count_.figures(t));
}

void Progress::finish() {
  std::lock_guard lock(g_mu);
  if (finished_) return;
  finished_ = true;
  if (!g_options.json) clear_progress_locked();
  summarize(count_.figures(now_seconds()));
}

// Called with g_mu held.
void Progress::summarize(const ProgressFigures& f) {
  if (!enabled(Level::Info)) return;
  if (g_options.json) {
    nlohmann::json j = {{"time", timestamp()},
                        {"level", "info"},
                        {"event", "progress.summary"},
                        {"msg", label_},
                        {"objects", f.objects},
                        {"objects_total", f.objects_total},
                        {"bytes", f.bytes},
                        {"bytes_total", f.bytes_total},
                        {"elapsed_seconds", f.elapsed_seconds},
                        {"bytes_per_second", static_cast<uint64_t>(f.bytes_per_second)}};
    std::fputs((j.dump() + "\n").c_str(), stderr);
  } else {
    std::fputs((summary_text(label_, f) + "\n").c_str(), stderr);
  }
  std::fflush(stderr);
}

// Called with g_mu held.
void Progress::draw(const ProgressFigures& f) {
  if (!enabled(Level::Info)) return;
  if (g_options.json) {
    nlohmann::json j = {{"time", timestamp()},
                        {"level", "info"},
                        {"event", "progress"},
                        {"msg", label_},
                        {"objects", f.objects},
                        {"objects_total", f.objects_total},
                        {"bytes", f.bytes},
                        {"bytes_total", f.bytes_total},
                        {"bytes_per_second", static_cast<uint64_t>(f.bytes_per_second)},
                        {"eta_seconds", static_cast<uint64_t>(f.eta_seconds)}};
    std::fputs((j.dump() + "\n").c_str(), stderr);
    return;
  }
  const auto objects = static_cast<unsigned long long>(f.objects);
  const auto objects_total = static_cast<unsigned long long>(f.objects_total);
  const std::string bytes = human_bytes(f.bytes), bytes_total = human_bytes(f.bytes_total);
  const std::string rate = human_bytes(f.bytes_per_second);
  if (!g_options.terminal) {
    // A log file or pipe: one plain line per report, no carriage returns or escape codes.
    std::fprintf(stderr, "%s: %.0f%% %llu/%llu objects %s/%s %s/s ETA %.0fs\n", label_.c_str(),
                 f.fraction * 100, objects, objects_total, bytes.c_str(), bytes_total.c_str(), rate.c_str(),
                 f.eta_seconds);
    std::fflush(stderr);
    return;
  }
  const int width = 24;
  std::string bar(static_cast<size_t>(f.fraction * width), '#');
  bar.resize(width, '.');
  std::fprintf(stderr, "\r\033[K%s [%s] %3.0f%% %llu/%llu objects %s/%s %s/s ETA %.0fs", label_.c_str(),
               bar.c_str(), f.fraction * 100, objects, objects_total, bytes.c_str(), bytes_total.c_str(),
               rate.c_str(), f.eta_seconds);
  std::fflush(stderr);
  g_progress_line_open = true;
}

}  // namespace s3tar::log
