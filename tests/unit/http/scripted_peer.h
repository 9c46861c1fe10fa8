// Runs tests/fault/scripted_peer.py as a child process on a free loopback port.
#pragma once

#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/child_process.h"

extern char** environ;

namespace s3tar::testing {

class ScriptedPeer {
 public:
  explicit ScriptedPeer(const nlohmann::json& script) {
    std::string tmpl = (std::filesystem::temp_directory_path() / "s3tar-peer-XXXXXX").string();
    if (!mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp failed");
    dir_ = tmpl;
    const auto script_path = dir_ / "script.json";
    const auto port_path = dir_ / "port";
    log_path_ = dir_ / "log.jsonl";
    std::ofstream(script_path) << script.dump();

    const std::string peer = std::string(S3TAR_SOURCE_DIR) + "/tests/fault/scripted_peer.py";
    std::vector<std::string> args = {"python3",
                                     peer,
                                     "--port",
                                     "0",
                                     "--script",
                                     script_path.string(),
                                     "--log",
                                     log_path_.string(),
                                     "--port-file",
                                     port_path.string(),
                                     "--exit-with-parent"};
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    if (posix_spawnp(&pid_, "python3", nullptr, nullptr, argv.data(), environ) != 0) {
      throw std::runtime_error("cannot start python3");
    }
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (std::chrono::steady_clock::now() < deadline) {
      std::ifstream in(port_path);
      if (in >> port_ && port_ > 0) return;
      int status = 0;
      if (waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        throw std::runtime_error("scripted peer exited early");
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    stop();
    throw std::runtime_error("scripted peer did not start");
  }

  ~ScriptedPeer() {
    stop();
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }

  ScriptedPeer(const ScriptedPeer&) = delete;
  ScriptedPeer& operator=(const ScriptedPeer&) = delete;

  void stop() {
    if (pid_ <= 0) return;
    s3tar::testing::stop_child(pid_);
    pid_ = -1;
  }

  int port() const { return port_; }
  std::string base_url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  std::string host() const { return "127.0.0.1:" + std::to_string(port_); }

  // A scratch folder of the test's, removed with the peer.
  const std::filesystem::path& dir() const { return dir_; }

  // Every request the peer has seen, in the order logged.
  std::vector<nlohmann::json> log() const {
    std::vector<nlohmann::json> out;
    std::ifstream in(log_path_);
    std::string line;
    while (std::getline(in, line)) {
      if (!line.empty()) out.push_back(nlohmann::json::parse(line));
    }
    return out;
  }
  // The log file as written (to search for what must never be on the wire).
  std::string raw_log() const {
    std::ifstream in(log_path_);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }

 private:
  std::filesystem::path dir_;
  std::filesystem::path log_path_;
  pid_t pid_ = -1;
  int port_ = 0;
};

}  // namespace s3tar::testing
