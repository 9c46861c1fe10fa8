// The words every help screen shares: the usage lines of each command, the descriptions, the
// version line, and the CLI11 formatter that prints our usage lines instead of its generated
// "Usage: s3tar [OPTIONS]". The man page (cli/doc/s3tar.1) repeats these; a test keeps them in
// step.
#pragma once

#include <memory>
#include <string>

namespace CLI {
class Formatter;
}

namespace s3tar::cli {

inline constexpr const char* kTarDescription =
    "s3tar: build tar archives inside Amazon S3 from S3 objects, without downloading them";
inline constexpr const char* kRestoreDescription =
    "s3tar restore: from keys (found in the daily job's catalog) or an archive's members to their bytes. "
    "Prints what restoring the archives costs, requests the restores they need (a restore already running "
    "is not an error), exits 4 while any runs, and once they are restored extracts the members: to s3:// "
    "by server-side ranged copy, to a directory by ranged GET, both pinned to the archive's ETag";
inline constexpr const char* kVerifyDescription =
    "s3tar verify: check an archive's tar structure, its toc.csv, and each member against its source "
    "object";

// Every form of the command line; `s3tar --help` shows them all.
inline constexpr const char* kTarUsage =
    "Usage: s3tar -c -f s3://bucket/key.tar (s3://bucket/prefix | -m manifest.csv) [OPTIONS]\n"
    "       s3tar -t -f s3://bucket/key.tar [--extended] [OPTIONS]\n"
    "       s3tar -x -f s3://bucket/key.tar -C (s3://bucket/prefix/ | dir) [member ...] [OPTIONS]\n"
    "       s3tar --generate-toc -f s3://bucket/key.tar [-C toc.csv]\n"
    "       s3tar --generate-manifest -f s3://bucket/prefix [-C manifest.csv]\n"
    "       s3tar verify -f s3://bucket/key.tar [--content]\n"
    "       s3tar run --config job.json [--date YYYY-MM-DD] [--dry-run]\n"
    "       s3tar inventory --config job.json [--date YYYY-MM-DD] [-o manifest.csv]\n"
    "       s3tar find --config job.json KEY|PREFIX [--from D] [--to D] [--json]\n"
    "       s3tar restore --config job.json KEY|PREFIX... -C (s3://bucket/prefix/ | dir) [--tier T] [--days "
    "N] "
    "[--dry-run]\n"
    "       s3tar restore -f s3://bucket/key.tar [member ...] -C (s3://bucket/prefix/ | dir) [--tier T] "
    "[--days N] [--dry-run]\n"
    "Each of verify, run, inventory, find and restore has its own --help.\n";
inline constexpr const char* kVerifyUsage =
    "Usage: s3tar verify -f s3://bucket/key.tar [--content] [OPTIONS]\n";
inline constexpr const char* kRestoreUsage =
    "Usage: s3tar restore --config job.json KEY|PREFIX... -C (s3://bucket/prefix/ | dir) [OPTIONS]\n"
    "       s3tar restore -f s3://bucket/key.tar [member ...] -C (s3://bucket/prefix/ | dir) [OPTIONS]\n";
inline constexpr const char* kRunUsage =
    "Usage: s3tar run --config job.json [--date YYYY-MM-DD] [--dry-run] [--shard I/N] [OPTIONS]\n";
inline constexpr const char* kInventoryUsage =
    "Usage: s3tar inventory --config job.json [--date YYYY-MM-DD] [-o manifest.csv | -o -] [--json]\n";

inline constexpr const char* kTarExamples =
    "Examples:\n"
    "  s3tar -cvf s3://dest/archive.tar s3://source/prefix/\n"
    "  s3tar -cvf s3://dest/archive.tar -m manifest.csv --storage-class DEEP_ARCHIVE\n"
    "  s3tar -tvf s3://dest/archive.tar\n"
    "  s3tar -xvf s3://dest/archive.tar -C s3://restore/prefix/ [member ...]\n"
    "  s3tar --generate-manifest -f s3://source/prefix/ -C manifest.csv\n"
    "  s3tar verify -f s3://dest/archive.tar\n"
    "  s3tar run --config job.json [--date YYYY-MM-DD]\n"
    "  s3tar inventory --config job.json [--date YYYY-MM-DD] [-o manifest.csv]\n"
    "  s3tar find --config job.json KEY|PREFIX [--from D] [--to D] [--json]\n"
    "  s3tar restore --config job.json logs/app/web-1.log -C ./restored --tier Bulk --dry-run\n";

// "s3tar 0.1.0" (the project's version).
std::string version_line();

// A help formatter that prints `usage` (ending in a newline) as the usage section.
std::shared_ptr<CLI::Formatter> usage_formatter(std::string usage);

}  // namespace s3tar::cli
