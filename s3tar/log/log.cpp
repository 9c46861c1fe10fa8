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

Progress::Progress(std::string label, uint64_t total_objects, uint64_t total_bytes)
    : label_(std::move(label)),
      total_objects_(total_objects),
      total_bytes_(total_bytes),
      start_(now_seconds()) {}

Progress::~Progress() { finish(); }

void Progress::add(uint64_t objects, uint64_t bytes) {
  std::lock_guard lock(g_mu);
  objects_ += objects;
  bytes_ += bytes;
  const double t = now_seconds();
  const double interval = g_options.terminal && !g_options.json ? 0.2 : 10.0;
  if (t - last_draw_ >= interval) {
    last_draw_ = t;
    draw(false);
  }
}

void Progress::finish() {
  std::lock_guard lock(g_mu);
  if (finished_) return;
  finished_ = true;
  if (!g_options.json && g_progress_line_open) {
    clear_progress_locked();
  }
}

// Called with g_mu held.
void Progress::draw(bool /*final*/) {
  const double elapsed = std::max(1e-3, now_seconds() - start_);
  const double rate = static_cast<double>(bytes_) / elapsed;
  const double remaining = total_bytes_ > bytes_ ? static_cast<double>(total_bytes_ - bytes_) : 0;
  const double eta = rate > 0 ? remaining / rate : 0;
  if (g_options.json) {
    if (!enabled(Level::Info)) return;
    nlohmann::json j = {{"time", timestamp()},
                        {"level", "info"},
                        {"event", "progress"},
                        {"msg", label_},
                        {"objects", objects_},
                        {"objects_total", total_objects_},
                        {"bytes", bytes_},
                        {"bytes_total", total_bytes_},
                        {"bytes_per_second", static_cast<uint64_t>(rate)},
                        {"eta_seconds", static_cast<uint64_t>(eta)}};
    std::fputs((j.dump() + "\n").c_str(), stderr);
    return;
  }
  const double frac = total_bytes_ ? static_cast<double>(bytes_) / static_cast<double>(total_bytes_) : 0;
  if (!g_options.terminal) {
    // A log file or pipe: one plain line per report, no carriage returns or escape codes.
    std::fprintf(stderr, "%s: %.0f%% %llu/%llu objects %s/%s %s/s ETA %.0fs\n", label_.c_str(), frac * 100,
                 static_cast<unsigned long long>(objects_), static_cast<unsigned long long>(total_objects_),
                 human_bytes(static_cast<double>(bytes_)).c_str(),
                 human_bytes(static_cast<double>(total_bytes_)).c_str(), human_bytes(rate).c_str(), eta);
    std::fflush(stderr);
    return;
  }
  const int width = 24;
  std::string bar(static_cast<size_t>(frac * width), '#');
  bar.resize(width, '.');
  std::fprintf(stderr, "\r\033[K%s [%s] %3.0f%% %llu/%llu objects %s/%s %s/s ETA %.0fs", label_.c_str(),
               bar.c_str(), frac * 100, static_cast<unsigned long long>(objects_),
               static_cast<unsigned long long>(total_objects_),
               human_bytes(static_cast<double>(bytes_)).c_str(),
               human_bytes(static_cast<double>(total_bytes_)).c_str(), human_bytes(rate).c_str(), eta);
  std::fflush(stderr);
  g_progress_line_open = true;
}

}  // namespace s3tar::log
