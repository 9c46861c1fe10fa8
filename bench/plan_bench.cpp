// Times the planner alone on a day-sized selection: members with daily-job-like keys, in an
// order that is not name order (as an inventory delivers them), planned into one volume with
// the default options, as `s3tar run` does after its scan.
// Usage: plan_bench [members] [runs]  (the fastest run is reported)
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <vector>

#include "s3tar/archive/plan/plan.h"

using namespace s3tar::plan;

namespace {

std::vector<Member> day_selection(std::size_t n) {
  std::mt19937_64 rng(42);
  std::vector<Member> members;
  members.reserve(n);
  char key[128], etag[40], version[40];
  for (std::size_t i = 0; i < n; ++i) {
    std::snprintf(key, sizeof key, "logs/host-%03d/2025/11/20/%02d/app-%016llx.log.gz", int(rng() % 1000),
                  int(rng() % 24), static_cast<unsigned long long>(rng()));
    std::snprintf(etag, sizeof etag, "%016llx%016llx", static_cast<unsigned long long>(rng()),
                  static_cast<unsigned long long>(rng()));
    std::snprintf(version, sizeof version, "%016llx%016llx", static_cast<unsigned long long>(rng()),
                  static_cast<unsigned long long>(rng()));
    members.emplace_back("acme-logs", key, version, etag, 1 + rng() % 200000,
                         1763600000 + static_cast<std::int64_t>(rng() % 86400));
  }
  std::shuffle(members.begin(), members.end(), rng);
  return members;
}

}  // namespace

int main(int argc, char** argv) {
  const std::size_t n = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 1000000;
  const int runs = argc > 2 ? std::atoi(argv[2]) : 5;
  const std::vector<Member> selection = day_selection(n);
  double best = 1e9;
  for (int r = 0; r < runs; ++r) {
    std::vector<Member> members(selection);  // copied: blocks in selection order, as after a scan
    const auto start = std::chrono::steady_clock::now();
    const Plan plan = make_plan(std::move(members), Options{});
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    best = std::min(best, s);
    std::fprintf(stderr, "run %d: %.3f s, %zu volume(s), %zu parts\n", r + 1, s, plan.volumes.size(),
                 plan.volumes.empty() ? std::size_t{0} : plan.volumes[0].parts.size());
  }
  std::printf("plan of %zu members: fastest of %d runs %.3f s\n", n, runs, best);
}
