// Stopping a helper process a test started (scripted peers, fake servers).
#pragma once

#include <signal.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <chrono>
#include <thread>

namespace s3tar::testing {

// Asks the child to stop (SIGTERM), waits up to `grace`, then kills it (SIGKILL) and reaps it.
// A test's teardown must never block on a child that does not exit: an interpreter wedged at
// shutdown would otherwise hang the whole suite.
inline void stop_child(pid_t pid, std::chrono::milliseconds grace = std::chrono::seconds(5)) {
  if (pid <= 0) return;
  ::kill(pid, SIGTERM);
  const auto deadline = std::chrono::steady_clock::now() + grace;
  int status = 0;
  while (std::chrono::steady_clock::now() < deadline) {
    const pid_t r = ::waitpid(pid, &status, WNOHANG);
    if (r == pid || r < 0) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ::kill(pid, SIGKILL);
  ::waitpid(pid, &status, 0);
}

}  // namespace s3tar::testing
