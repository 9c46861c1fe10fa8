#include "s3tar/archive/exec/spool.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "s3tar/log/log.h"

namespace s3tar::exec {
namespace {

std::string temp_dir(std::string dir) {
  if (!dir.empty()) return dir;
  const char* env = std::getenv("TMPDIR");
  return env && *env ? std::string(env) : std::string("/tmp");
}

// An unlinked file in `dir`: -1 and errno when none can be made.
int open_unlinked(const std::string& dir) {
#ifdef O_TMPFILE
  const int fd = ::open(dir.c_str(), O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
  if (fd >= 0) return fd;
#endif
  std::string path = dir + "/s3tar-spool-XXXXXX";
  std::vector<char> name(path.begin(), path.end());
  name.push_back('\0');
  const int fd2 = ::mkstemp(name.data());
  if (fd2 < 0) return -1;
  ::unlink(name.data());
  ::fcntl(fd2, F_SETFD, FD_CLOEXEC);
  return fd2;
}

bool write_all(int fd, std::string_view bytes, std::uint64_t offset) {
  while (!bytes.empty()) {
    const ssize_t n = ::pwrite(fd, bytes.data(), bytes.size(), static_cast<off_t>(offset));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    bytes.remove_prefix(static_cast<size_t>(n));
    offset += static_cast<std::uint64_t>(n);
  }
  return true;
}

}  // namespace

Spool::Spool(std::uint64_t limit, std::string dir) : limit_(limit), dir_(temp_dir(std::move(dir))) {
  closed_ = limit_ == 0;
}

Spool::~Spool() {
  if (fd_ >= 0) ::close(fd_);
}

bool Spool::open_locked() {
  if (fd_ >= 0) return true;
  fd_ = open_unlinked(dir_);
  if (fd_ >= 0) return true;
  give_up_locked("cannot create a file in " + dir_ + ": " + std::strerror(errno));
  return false;
}

void Spool::give_up_locked(const std::string& why) {
  closed_ = true;
  log::info("spool.full",
            "spool: " + why + "; on a rewrite, sources of parts no longer in memory are read from S3 again",
            {{"dir", dir_}, {"spooled_bytes", used_}, {"limit", limit_}});
}

std::optional<std::uint64_t> Spool::append(std::string_view bytes) {
  std::uint64_t offset = 0;
  int fd = -1;
  {
    std::lock_guard lock(mu_);
    if (closed_) return std::nullopt;
    if (bytes.size() > limit_ - used_) {
      give_up_locked("its limit of " + log::human_bytes(limit_) + " is reached");
      return std::nullopt;
    }
    if (!open_locked()) return std::nullopt;
    offset = used_;
    used_ += bytes.size();
    fd = fd_;
  }
  // Several threads write their own ranges at once; the file stays open until destruction.
  if (write_all(fd, bytes, offset)) return offset;
  const int err = errno;
  std::lock_guard lock(mu_);
  if (!closed_) give_up_locked("cannot write to a file in " + dir_ + ": " + std::strerror(err));
  return std::nullopt;
}

std::optional<std::string> Spool::read(std::uint64_t offset, std::uint64_t size) const {
  int fd = -1;
  {
    std::lock_guard lock(mu_);
    if (fd_ < 0 || offset + size > used_) return std::nullopt;
    fd = fd_;
  }
  std::string out(size, '\0');
  std::uint64_t done = 0;
  while (done < size) {
    const ssize_t n = ::pread(fd, out.data() + done, size - done, static_cast<off_t>(offset + done));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return std::nullopt;
    done += static_cast<std::uint64_t>(n);
  }
  return out;
}

void Spool::seal() {
  std::lock_guard lock(mu_);
  closed_ = true;
}

std::uint64_t Spool::used() const {
  std::lock_guard lock(mu_);
  return used_;
}

}  // namespace s3tar::exec
