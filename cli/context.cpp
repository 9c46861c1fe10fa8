#include "cli/context.h"

#include <csignal>
#include <mutex>

#include "s3tar/log/log.h"

namespace s3tar::cli {
namespace {

std::atomic<bool> g_stop{false};
static_assert(std::atomic<bool>::is_always_lock_free, "the signal handler needs a lock-free flag");

extern "C" void on_stop_signal(int) { g_stop.store(true); }

}  // namespace

std::unique_ptr<s3::S3Client> make_client(const s3::ConnectionOptions& options) {
  s3::ConnectionOptions watched = options;
  // SIGTERM/SIGINT then end the client's stalled requests and back-offs within a fraction of a
  // second (ECS kills the task 30 s after its SIGTERM).
  if (!watched.stop_flag) watched.stop_flag = &g_stop;
  auto client = s3::make_default_client(watched);
  if (!client->config().http.verify_tls) {
    static std::once_flag warned;  // one warning per run, however many clients it makes
    std::call_once(warned, [] {
      log::warn("tls.no_verify",
                "--no-verify-ssl: TLS certificates are not checked, so the server is not authenticated");
    });
  }
  return client;
}

std::atomic<bool>& stop_flag() { return g_stop; }

void install_signal_handlers() {
  struct sigaction sa {};
  sa.sa_handler = on_stop_signal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGTERM, &sa, nullptr);
  sigaction(SIGINT, &sa, nullptr);
  signal(SIGPIPE, SIG_IGN);
}

}  // namespace s3tar::cli
