#include "io/atomic_output.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>

#include "gpualign/error.hpp"

namespace gpualign::io {

namespace {
std::atomic<unsigned> temp_counter{0};
}

AtomicOutput::AtomicOutput(std::string destination) : destination_(std::move(destination)) {
  if (destination_.empty()) throw Error("empty output file name");
  if (is_stdout()) return;
  struct stat st {};
  if (::stat(destination_.c_str(), &st) == 0 && S_ISDIR(st.st_mode))
    throw Error("is a directory, not a file", destination_);
  const std::filesystem::path dest(destination_);
  const std::string dir = dest.parent_path().string();
  const std::string base = dest.filename().string();
  // Hidden, and named after the destination and this process, so that a
  // leftover after a crash is recognisable and never mistaken for output.
  for (int attempt = 0; attempt < 100; ++attempt) {
    const std::string name = "." + base + ".tmp." + std::to_string(::getpid()) + "." +
                             std::to_string(temp_counter.fetch_add(1));
    std::string candidate = dir.empty() ? name : dir + "/" + name;
    // 0666 so that the umask decides the final mode, as for a plain open().
    const int fd = ::open(candidate.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    if (fd >= 0) {
      ::close(fd);
      temp_ = std::move(candidate);
      return;
    }
    if (errno != EEXIST)
      throw Error(std::string("cannot create the output file: ") + std::strerror(errno), destination_);
  }
  throw Error("cannot create a temporary output file", destination_);
}

AtomicOutput::~AtomicOutput() { discard(); }

void AtomicOutput::commit() {
  if (temp_.empty()) return;
  if (std::rename(temp_.c_str(), destination_.c_str()) != 0) {
    const int err = errno;
    discard();
    throw Error(std::string("cannot move the finished output into place: ") + std::strerror(err), destination_);
  }
  temp_.clear();
}

void AtomicOutput::discard() noexcept {
  if (!temp_.empty()) {
    ::unlink(temp_.c_str());
    temp_.clear();
  }
}

}  // namespace gpualign::io
