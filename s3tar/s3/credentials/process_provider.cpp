#include "s3tar/s3/credentials/process_provider.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <nlohmann/json.hpp>

#include "s3tar/s3/credentials/shared_config.h"
#include "s3tar/s3/credentials/support.h"

namespace s3tar::s3 {

using credentials_detail::parse_iso8601;
using credentials_detail::trim;
using credentials_detail::truncate;

std::vector<std::string> split_command_line(const std::string& command) {
  std::vector<std::string> words;
  std::string word;
  bool in_word = false;
  enum { None, Single, Double } quote = None;
  for (std::size_t i = 0; i < command.size(); ++i) {
    char c = command[i];
    if (quote == Single) {
      if (c == '\'') {
        quote = None;
      } else {
        word += c;
      }
    } else if (quote == Double) {
      if (c == '"') {
        quote = None;
      } else if (c == '\\' && i + 1 < command.size() &&
                 (command[i + 1] == '"' || command[i + 1] == '\\' || command[i + 1] == '$' ||
                  command[i + 1] == '`' || command[i + 1] == '\n')) {
        word += command[++i];
      } else {
        word += c;
      }
    } else if (c == '\'' || c == '"') {
      quote = c == '\'' ? Single : Double;
      in_word = true;
    } else if (c == '\\') {
      if (i + 1 >= command.size()) throw CredentialsError("credential_process ends with a lone backslash");
      word += command[++i];
      in_word = true;
    } else if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
      if (in_word) words.push_back(std::move(word));
      word.clear();
      in_word = false;
    } else {
      word += c;
      in_word = true;
    }
  }
  if (quote != None) throw CredentialsError("credential_process has an unterminated quote");
  if (in_word) words.push_back(std::move(word));
  return words;
}

Credentials parse_process_output(const std::string& output, const std::string& context) {
  nlohmann::json doc;
  try {
    doc = nlohmann::json::parse(output);
  } catch (const nlohmann::json::exception&) {
    // nlohmann's message quotes the input around the error: never pass it on.
    throw CredentialsError(fmt::format("{}: output is not valid JSON", context));
  }
  if (!doc.is_object()) throw CredentialsError(fmt::format("{}: output is not a JSON object", context));
  auto str = [&](const char* key, bool required) -> std::string {
    auto it = doc.find(key);
    if (it == doc.end() || it->is_null()) {
      if (required) throw CredentialsError(fmt::format("{}: output lacks \"{}\"", context, key));
      return {};
    }
    if (!it->is_string()) throw CredentialsError(fmt::format("{}: \"{}\" is not a string", context, key));
    auto v = it->get<std::string>();
    if (required && v.empty()) throw CredentialsError(fmt::format("{}: \"{}\" is empty", context, key));
    return v;
  };
  auto version = doc.find("Version");
  if (version == doc.end()) throw CredentialsError(fmt::format("{}: output lacks \"Version\"", context));
  if (!version->is_number_integer() || version->get<long long>() != 1) {
    throw CredentialsError(fmt::format("{}: unsupported \"Version\" (expected 1)", context));
  }
  Credentials c;
  c.access_key_id = str("AccessKeyId", true);
  c.secret_access_key = str("SecretAccessKey", true);
  c.session_token = str("SessionToken", false);
  std::string expiration = str("Expiration", false);
  if (!expiration.empty()) {
    auto tp = parse_iso8601(expiration);
    if (!tp) {
      throw CredentialsError(fmt::format("{}: \"Expiration\" is not an ISO 8601 timestamp: '{}'", context,
                                         truncate(expiration, 40)));
    }
    c.expiration = *tp;
  }
  return c;
}

namespace {

struct ProcessResult {
  int status = 0;  // exit code, or 128+signal
  bool timed_out = false;
  std::string out, err;
};

ProcessResult run(const std::vector<std::string>& argv, std::chrono::milliseconds timeout,
                  const std::string& context) {
  int out_pipe[2], err_pipe[2], exec_pipe[2];
  if (::pipe2(out_pipe, O_CLOEXEC) != 0)
    throw CredentialsError(fmt::format("{}: pipe: {}", context, std::strerror(errno)));
  if (::pipe2(err_pipe, O_CLOEXEC) != 0) {
    ::close(out_pipe[0]);
    ::close(out_pipe[1]);
    throw CredentialsError(fmt::format("{}: pipe: {}", context, std::strerror(errno)));
  }
  if (::pipe2(exec_pipe, O_CLOEXEC) != 0) {
    for (int fd : {out_pipe[0], out_pipe[1], err_pipe[0], err_pipe[1]}) ::close(fd);
    throw CredentialsError(fmt::format("{}: pipe: {}", context, std::strerror(errno)));
  }

  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);

  pid_t pid = ::fork();
  if (pid < 0) {
    for (int fd : {out_pipe[0], out_pipe[1], err_pipe[0], err_pipe[1], exec_pipe[0], exec_pipe[1]})
      ::close(fd);
    throw CredentialsError(fmt::format("{}: fork: {}", context, std::strerror(errno)));
  }
  if (pid == 0) {
    // Child: only async-signal-safe calls from here on.
    ::dup2(out_pipe[1], STDOUT_FILENO);
    ::dup2(err_pipe[1], STDERR_FILENO);
    int devnull = ::open("/dev/null", O_RDONLY);
    if (devnull >= 0) ::dup2(devnull, STDIN_FILENO);
    ::execvp(args[0], args.data());
    int e = errno;
    ssize_t ignored = ::write(exec_pipe[1], &e, sizeof e);
    (void)ignored;
    ::_exit(127);
  }
  ::close(out_pipe[1]);
  ::close(err_pipe[1]);
  ::close(exec_pipe[1]);

  ProcessResult r;
  int exec_errno = 0;
  if (::read(exec_pipe[0], &exec_errno, sizeof exec_errno) != sizeof exec_errno) exec_errno = 0;
  ::close(exec_pipe[0]);

  auto deadline = std::chrono::steady_clock::now() + timeout;
  pollfd fds[2] = {{out_pipe[0], POLLIN, 0}, {err_pipe[0], POLLIN, 0}};
  int open_fds = 2;
  constexpr std::size_t kMax = 1 << 20;
  while (open_fds > 0 && exec_errno == 0) {
    auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      r.timed_out = true;
      break;
    }
    int n = ::poll(fds, 2, static_cast<int>(left.count()));
    if (n < 0) {
      if (errno == EINTR) continue;
      break;
    }
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || fds[i].revents == 0) continue;
      char buf[4096];
      ssize_t got = ::read(fds[i].fd, buf, sizeof buf);
      if (got < 0 && errno == EINTR) continue;
      if (got <= 0) {
        ::close(fds[i].fd);
        fds[i].fd = -1;
        --open_fds;
        continue;
      }
      std::string& dst = i == 0 ? r.out : r.err;
      if (dst.size() < kMax) dst.append(buf, static_cast<std::size_t>(got));
    }
  }
  for (auto& f : fds) {
    if (f.fd >= 0) ::close(f.fd);
  }
  if (r.timed_out) ::kill(pid, SIGKILL);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (exec_errno != 0) {
    throw CredentialsError(
        fmt::format("{}: cannot run '{}': {}", context, argv[0], std::strerror(exec_errno)));
  }
  if (WIFEXITED(status)) {
    r.status = WEXITSTATUS(status);
  } else if (WIFSIGNALED(status)) {
    r.status = 128 + WTERMSIG(status);
  }
  return r;
}

}  // namespace

std::optional<Credentials> ProcessProvider::load() {
  auto cfg = SharedConfig::load(profile_);
  cfg.require_profile();
  auto command = cfg.value("credential_process");
  if (!command || trim(*command).empty()) return std::nullopt;
  auto argv = split_command_line(*command);
  if (argv.empty()) return std::nullopt;
  std::string context = fmt::format("credential_process of profile '{}' ('{}')", cfg.profile(), argv[0]);
  auto r = run(argv, timeout_, context);
  if (r.timed_out) {
    throw CredentialsError(fmt::format("{}: timed out after {} ms", context, timeout_.count()));
  }
  if (r.status != 0) {
    std::string err = trim(r.err);
    throw CredentialsError(fmt::format("{}: exited with status {}{}{}", context, r.status,
                                       err.empty() ? "" : ": ", truncate(err, 512)));
  }
  Credentials c = parse_process_output(r.out, context);
  c.provider = name();
  return c;
}

}  // namespace s3tar::s3
