#pragma once
// Helpers for the io tests: a scratch directory per test, file writing, and
// checks on gpualign::Error messages.

#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <cstdio>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <initializer_list>
#include <sstream>
#include <string>
#include <vector>

#include "gpualign/error.hpp"

namespace gpualign::test {

/// A fresh directory removed with everything in it at the end of the test.
class ScratchDir {
 public:
  ScratchDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "gpualign-io-test-XXXXXX").string();
    if (!::mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp failed");
    path_ = tmpl;
  }
  ~ScratchDir() {
    std::error_code ec;
    std::filesystem::permissions(path_, std::filesystem::perms::owner_all, ec);
    std::filesystem::remove_all(path_, ec);
  }
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;

  const std::string& path() const { return path_; }
  /// Path of `name` inside the directory.
  std::string file(const std::string& name) const { return path_ + "/" + name; }
  /// Writes `content` (bytes as given) to `name`; returns its path.
  std::string write(const std::string& name, const std::string& content) const {
    const std::string p = file(name);
    std::ofstream out(p, std::ios::binary);
    out << content;
    return p;
  }
  /// Names of the entries in the directory, sorted.
  std::vector<std::string> entries() const {
    std::vector<std::string> out;
    for (const auto& e : std::filesystem::directory_iterator(path_)) out.push_back(e.path().filename().string());
    std::sort(out.begin(), out.end());
    return out;
  }

 private:
  std::string path_;
};

inline std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

/// Root of tests/data (GPUALIGN_TEST_DATA, set by ctest).
inline std::string data_dir() {
  const char* d = std::getenv("GPUALIGN_TEST_DATA");
  return d ? std::string(d) : std::string(GPUALIGN_SOURCE_DIR) + "/tests/data";
}
inline std::string io_data(const std::string& name) { return data_dir() + "/io/" + name; }

/// Runs `f`, expects a gpualign::Error whose one-line what() contains every
/// one of `parts`; returns the message for further checks.
inline std::string expect_error(const std::function<void()>& f, std::initializer_list<std::string> parts) {
  try {
    f();
  } catch (const Error& e) {
    const std::string msg = e.what();
    EXPECT_EQ(msg.find('\n'), std::string::npos) << "message is not one line: " << msg;
    for (const auto& p : parts) EXPECT_NE(msg.find(p), std::string::npos) << "'" << p << "' missing from: " << msg;
    return msg;
  } catch (const std::exception& e) {
    ADD_FAILURE() << "expected gpualign::Error, got another exception: " << e.what();
    return {};
  }
  ADD_FAILURE() << "expected gpualign::Error, nothing was thrown";
  return {};
}

/// Runs `check` where file permissions bite: as is for an ordinary user, or
/// as root in a child process that first becomes user "nobody" (65534), since
/// root reads and writes regardless of permissions.  `check` returns true on
/// success; any exception counts as failure.
inline void expect_as_unprivileged(const std::function<bool()>& check) {
  if (::geteuid() != 0) {
    EXPECT_TRUE(check());
    return;
  }
  EXPECT_EXIT(
      {
        bool ok = false;
        try {
          ok = ::setgid(65534) == 0 && ::setuid(65534) == 0 && check();
        } catch (const std::exception& e) {
          std::fprintf(stderr, "exception: %s\n", e.what());
        }
        std::fflush(stderr);
        ::_exit(ok ? 0 : 1);
      },
      testing::ExitedWithCode(0), "");
}

/// True when `samtools` runs.
inline bool have_samtools() { return std::system("samtools --version > /dev/null 2>&1") == 0; }

}  // namespace gpualign::test
