// Shared fixtures of the credentials tests: an isolated environment (no AWS_* variables from the
// host, HOME in a temp dir, IMDS disabled unless a test enables it), temp files, and the fake
// metadata/STS server.
#pragma once

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "s3tar/s3/credentials/http_fetch.h"
#include "tests/support/child_process.h"

extern char** environ;

namespace s3tar::s3::test {

inline std::vector<std::string> aws_env_names() {
  std::vector<std::string> names;
  for (char** e = environ; *e; ++e) {
    std::string kv = *e;
    auto eq = kv.find('=');
    std::string name = kv.substr(0, eq);
    if (name.rfind("AWS_", 0) == 0) names.push_back(name);
  }
  return names;
}

inline void write_file(const std::filesystem::path& p, const std::string& text, bool executable = false) {
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  out << text;
  out.close();
  if (executable) std::filesystem::permissions(p, std::filesystem::perms::owner_all);
}

// Every test starts from a clean AWS environment and a private HOME; both are restored after.
class CredentialsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (char** e = environ; *e; ++e) {
      std::string kv = *e;
      auto eq = kv.find('=');
      saved_[kv.substr(0, eq)] = kv.substr(eq + 1);
    }
    for (const auto& n : aws_env_names()) ::unsetenv(n.c_str());
    char tmpl[] = "/tmp/s3tar-creds-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    std::filesystem::create_directories(dir_ / "home" / ".aws");
    ::setenv("HOME", (dir_ / "home").c_str(), 1);
    // Never reach a real metadata service from a test.
    ::setenv("AWS_EC2_METADATA_DISABLED", "true", 1);
  }

  void TearDown() override {
    for (const auto& n : aws_env_names()) ::unsetenv(n.c_str());
    for (const auto& [k, v] : saved_) ::setenv(k.c_str(), v.c_str(), 1);
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }

  std::filesystem::path path(const std::string& name) const { return dir_ / name; }
  void set(const char* name, const std::string& value) { ::setenv(name, value.c_str(), 1); }

  // Writes ~/.aws/config and ~/.aws/credentials.
  void write_config(const std::string& text) { write_file(dir_ / "home/.aws/config", text); }
  void write_credentials(const std::string& text) { write_file(dir_ / "home/.aws/credentials", text); }

  std::filesystem::path dir_;
  std::map<std::string, std::string> saved_;
};

// The python fake server, one per test suite, killed by PID.
class FakeServer {
 public:
  void start() {
    int fds[2];
    ASSERT_EQ(::pipe(fds), 0);
    std::string script = std::string(S3TAR_SOURCE_DIR) + "/tests/unit/credentials/fake_metadata_server.py";
    pid_ = ::fork();
    ASSERT_GE(pid_, 0);
    if (pid_ == 0) {
      ::prctl(PR_SET_PDEATHSIG, SIGTERM);  // never outlive a crashed test binary
      ::dup2(fds[1], STDOUT_FILENO);
      ::close(fds[0]);
      ::close(fds[1]);
      ::execlp("python3", "python3", script.c_str(), static_cast<char*>(nullptr));
      ::_exit(127);
    }
    ::close(fds[1]);
    std::string line;
    char c;
    while (::read(fds[0], &c, 1) == 1 && c != '\n') line += c;
    ::close(fds[0]);
    ASSERT_EQ(line.rfind("PORT ", 0), 0u) << "fake server did not start: '" << line << "'";
    port_ = std::stoi(line.substr(5));
  }

  void stop() {
    if (pid_ > 0) {
      s3tar::testing::stop_child(pid_);
      pid_ = -1;
    }
  }

  std::string url(const std::string& path = "") const {
    return "http://127.0.0.1:" + std::to_string(port_) + path;
  }

  void reset() { post("/_reset", "{}"); }
  void config(const nlohmann::json& j) { post("/_config", j.dump()); }

  nlohmann::json requests() const {
    credentials_detail::HttpRequest req;
    req.url = url("/_requests");
    req.total_timeout = std::chrono::seconds(5);
    return nlohmann::json::parse(credentials_detail::http_fetch(req).body);
  }

  std::size_t count(const std::string& path_prefix) const {
    std::size_t n = 0;
    for (const auto& r : requests()) {
      if (r["path"].get<std::string>().rfind(path_prefix, 0) == 0) ++n;
    }
    return n;
  }

 private:
  void post(const std::string& path, const std::string& body) const {
    credentials_detail::HttpRequest req;
    req.method = "POST";
    req.url = url(path);
    req.body = body;
    req.headers = {{"Content-Type", "application/json"}};
    req.total_timeout = std::chrono::seconds(5);
    auto resp = credentials_detail::http_fetch(req);
    if (resp.status != 200) throw std::runtime_error("fake server control failed");
  }

  pid_t pid_ = -1;
  int port_ = 0;
};

// A fixture with the fake server running for the whole suite and reset before each test.
class ServerTest : public CredentialsTest {
 protected:
  static void SetUpTestSuite() {
    server_ = new FakeServer();
    server_->start();
  }
  static void TearDownTestSuite() {
    server_->stop();
    delete server_;
    server_ = nullptr;
  }
  void SetUp() override {
    CredentialsTest::SetUp();
    server_->reset();
  }

  static inline FakeServer* server_ = nullptr;
};

// Asserts that an exception message contains none of the secrets.
#define EXPECT_NO_SECRET(message, ...)                                         \
  do {                                                                         \
    const std::string msg_ = (message);                                        \
    for (const std::string& secret_ : std::vector<std::string>{__VA_ARGS__}) { \
      EXPECT_EQ(msg_.find(secret_), std::string::npos)                         \
          << "message leaks a secret: '" << secret_ << "' in: " << msg_;       \
    }                                                                          \
  } while (0)

}  // namespace s3tar::s3::test
