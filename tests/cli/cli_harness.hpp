#pragma once
// Runs the gpualign binary in a scratch directory and captures what it did.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <sys/wait.h>

namespace gpualign::test {

struct RunResult {
  int status = -1;  // exit status, or -1 when killed by a signal
  std::string out, err;
};

class CliTest : public ::testing::Test {
 public:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = std::filesystem::temp_directory_path() /
           (std::string("gpualign_cli_") + info->test_suite_name() + "_" + info->name() + "_" + std::to_string(getpid()));
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string path(const std::string& name) const { return (dir_ / name).string(); }
  std::string write(const std::string& name, const std::string& text) const {
    std::ofstream(path(name), std::ios::binary) << text;
    return path(name);
  }
  static std::string slurp(const std::string& p) {
    std::ifstream in(p, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }
  // Runs `gpualign ARGS` with stdin from /dev/null; `env` (NAME=value ...)
  // goes before the command.  The calibration profile's default place is
  // the scratch directory (XDG_CACHE_HOME): a profile the machine's user
  // saved neither reaches a test nor is overwritten by one.
  RunResult run(const std::string& args, const std::string& env = {}) const {
    const std::string out = path(".stdout"), err = path(".stderr");
    const std::string cmd = std::string("cd '") + dir_.string() + "' && XDG_CACHE_HOME='" + dir_.string() + "/cache' " +
                            env + " '" + GPUALIGN_CLI + "' " + args +
                            " </dev/null >'" + out + "' 2>'" + err + "'";
    const int raw = std::system(cmd.c_str());
    RunResult r;
    r.status = WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
    r.out = slurp(out);
    r.err = slurp(err);
    return r;
  }
  // Files in the scratch directory other than the inputs named.
  bool exists(const std::string& name) const { return std::filesystem::exists(path(name)); }
  std::vector<std::string> leftovers(const std::vector<std::string>& inputs) const {
    std::vector<std::string> extra;
    for (const auto& e : std::filesystem::directory_iterator(dir_)) {
      const auto n = e.path().filename().string();
      if (n == ".stdout" || n == ".stderr" || n.ends_with(".fai")) continue;
      if (std::find(inputs.begin(), inputs.end(), n) == inputs.end()) extra.push_back(n);
    }
    return extra;
  }

  std::filesystem::path dir_;
};

inline std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> parts;
  std::string cur;
  for (char c : s) {
    if (c == sep) {
      parts.push_back(cur);
      cur.clear();
    } else {
      cur += c;
    }
  }
  if (!cur.empty()) parts.push_back(cur);
  return parts;
}

}  // namespace gpualign::test
