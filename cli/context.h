// What every command needs: the S3 client built from the connection options, and the stop
// flag that SIGTERM/SIGINT set.
#pragma once

#include <atomic>
#include <memory>

#include "s3tar/s3/client.h"

namespace s3tar::cli {

std::unique_ptr<s3::S3Client> make_client(const s3::ConnectionOptions& options);

// Set by SIGTERM/SIGINT (ECS stops a task with SIGTERM, then SIGKILL 30 s later).
std::atomic<bool>& stop_flag();
void install_signal_handlers();

}  // namespace s3tar::cli
