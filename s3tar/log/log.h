// Logging: readable text on a terminal, one JSON object per line otherwise (CloudWatch Logs
// Insights reads the fields). Everything goes to stderr; stdout carries command output.
// Callers never pass credentials: messages come from S3 errors, which hold none.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "s3tar/log/progress_count.h"

namespace s3tar::log {

enum class Level { Error = 0, Warn = 1, Info = 2, Debug = 3, Trace = 4 };

struct Options {
  bool json = false;      // default: JSON when stderr is not a terminal
  bool terminal = false;  // stderr is a terminal: progress is a bar redrawn in place
  Level level = Level::Info;
  // Seconds between progress reports; below 0: 0.2 on a terminal, 10 otherwise.
  // S3TAR_PROGRESS_SECONDS sets it.
  double progress_seconds = -1;
};

void init(Options options);
Options detect_options(int verbosity);  // -v/-vv/-vvv raise the level; S3TAR_LOG_FORMAT=json|text overrides
bool enabled(Level level);
bool json_mode();
bool is_terminal();

// event: a stable dotted name ("archive.complete"); fields: extra structured values.
void write(Level level, std::string_view event, std::string_view message, const nlohmann::json& fields = {});

inline void error(std::string_view event, std::string_view msg, const nlohmann::json& f = {}) {
  write(Level::Error, event, msg, f);
}
inline void warn(std::string_view event, std::string_view msg, const nlohmann::json& f = {}) {
  write(Level::Warn, event, msg, f);
}
inline void info(std::string_view event, std::string_view msg, const nlohmann::json& f = {}) {
  write(Level::Info, event, msg, f);
}
inline void debug(std::string_view event, std::string_view msg, const nlohmann::json& f = {}) {
  write(Level::Debug, event, msg, f);
}

// "999 B", "1.5 KiB", ... "3.0 TiB" (binary units, one decimal above bytes): for people, in
// progress lines and summaries.
std::string human_bytes(double bytes);
inline std::string human_bytes(uint64_t bytes) { return human_bytes(static_cast<double>(bytes)); }

// A progress bar redrawn in place on a terminal (at most 5 times a second); elsewhere a JSON
// "progress" line, or a plain text line without escape codes (S3TAR_LOG_FORMAT=text), every
// 10 s. Work is added as it completes (bytes as each read or copy ends, objects when whole);
// finish() writes the summary: objects, bytes and elapsed time ("progress.summary" in JSON).
// Thread-safe.
class Progress {
 public:
  Progress(std::string label, uint64_t total_objects, uint64_t total_bytes);
  ~Progress();
  void add(uint64_t objects, uint64_t bytes);
  void finish();

 private:
  void draw(const ProgressFigures& f);
  void summarize(const ProgressFigures& f);
  std::string label_;
  ProgressCount count_;
  bool finished_ = false;
};

}  // namespace s3tar::log
