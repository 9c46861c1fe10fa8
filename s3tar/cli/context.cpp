#include "s3tar/cli/context.h"

#include <csignal>

#include "s3tar/s3/credentials/chain_provider.h"
#include "s3tar/s3/credentials/refreshing_provider.h"

namespace s3tar::cli {
namespace {

std::atomic<bool> g_stop{false};
static_assert(std::atomic<bool>::is_always_lock_free, "the signal handler needs a lock-free flag");

extern "C" void on_stop_signal(int) { g_stop.store(true); }

}  // namespace

std::unique_ptr<s3::S3Client> make_client(const s3::ConnectionOptions& options) {
  s3::ClientConfig cfg = s3::resolve_client_config(options);
  return std::make_unique<s3::S3Client>(std::move(cfg), s3::make_default_provider(options.profile));
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
