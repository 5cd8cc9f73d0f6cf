// Calibration profile: save/load round trip, defaults, and clear errors on
// bad files.
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "gpualign/calibration_profile.hpp"
#include "gpualign/error.hpp"

namespace gpualign {
namespace {

namespace fs = std::filesystem;

struct TempDir {
  fs::path path;
  TempDir() {
    path = fs::temp_directory_path() / ("gpualign_profile_test_" + std::to_string(::getpid()) + "_" +
                                        std::to_string(reinterpret_cast<std::uintptr_t>(this)));
    fs::create_directories(path);
  }
  ~TempDir() { fs::remove_all(path); }
};

void write(const fs::path& p, const std::string& text) { std::ofstream(p) << text; }

std::string error_of(const std::string& path) {
  try {
    load_profile(path);
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

TEST(CalibrationProfile, SaveLoadRoundTrip) {
  TempDir dir;
  CalibrationProfile p;
  p.machine = "test box";
  p.created = "2026-11-26T17:00:00Z";
  p.cpu_engine = "cpu";
  p.cpu_cells_per_second = 3.25e9;
  p.cpu_pair_seconds = 1.5e-6;
  p.thread_efficiency = 0.875;
  p.thread_start_seconds = 7e-5;
  p.process_start_seconds = 2.5e-3;
  p.gpu_measured = true;
  p.gpu_cells_per_second = 4.5e12;
  p.gpu_pair_seconds = 3e-9;
  p.gpu_launch_seconds = 2e-5;
  p.gpu_transfer_bytes_per_second = 2.5e10;
  p.device_memory_bytes = 80ull << 30;
  const std::string path = (dir.path / "sub" / "profile.json").string();  // folder made on save
  save_profile(p, path);
  const CalibrationProfile q = load_profile(path);
  EXPECT_EQ(q.machine, p.machine);
  EXPECT_EQ(q.created, p.created);
  EXPECT_EQ(q.cpu_engine, p.cpu_engine);
  EXPECT_DOUBLE_EQ(q.cpu_cells_per_second, p.cpu_cells_per_second);
  EXPECT_DOUBLE_EQ(q.cpu_pair_seconds, p.cpu_pair_seconds);
  EXPECT_DOUBLE_EQ(q.thread_efficiency, p.thread_efficiency);
  EXPECT_DOUBLE_EQ(q.thread_start_seconds, p.thread_start_seconds);
  EXPECT_DOUBLE_EQ(q.process_start_seconds, p.process_start_seconds);
  EXPECT_EQ(q.gpu_measured, true);
  EXPECT_DOUBLE_EQ(q.gpu_cells_per_second, p.gpu_cells_per_second);
  EXPECT_DOUBLE_EQ(q.gpu_pair_seconds, p.gpu_pair_seconds);
  EXPECT_DOUBLE_EQ(q.gpu_launch_seconds, p.gpu_launch_seconds);
  EXPECT_DOUBLE_EQ(q.gpu_transfer_bytes_per_second, p.gpu_transfer_bytes_per_second);
  EXPECT_EQ(q.device_memory_bytes, p.device_memory_bytes);
  EXPECT_TRUE(q.measured());
  // No temporary left behind.
  for (const auto& e : fs::directory_iterator(dir.path / "sub")) EXPECT_EQ(e.path().filename(), "profile.json");
}

TEST(CalibrationProfile, MissingKeysTakeDefaultsUnknownKeysIgnored) {
  const CalibrationProfile q = profile_from_json(
      R"({"format": "gpualign-profile", "version": 1, "cpu_cells_per_second": 5e9, "future_field": [1, 2]})");
  EXPECT_DOUBLE_EQ(q.cpu_cells_per_second, 5e9);
  EXPECT_DOUBLE_EQ(q.gpu_launch_seconds, builtin_profile().gpu_launch_seconds);
  EXPECT_FALSE(q.measured());
}

TEST(CalibrationProfile, BadFilesGiveErrorsNamingTheFile) {
  TempDir dir;
  const std::string path = (dir.path / "p.json").string();
  EXPECT_NE(error_of((dir.path / "absent.json").string()).find("absent.json"), std::string::npos);

  write(path, "{ not json");
  std::string e = error_of(path);
  EXPECT_NE(e.find(path), std::string::npos) << e;
  EXPECT_NE(e.find("invalid JSON"), std::string::npos) << e;

  write(path, R"([1, 2, 3])");
  EXPECT_NE(error_of(path).find("JSON object"), std::string::npos);

  write(path, R"({"version": 1})");
  EXPECT_NE(error_of(path).find("format"), std::string::npos);

  write(path, R"({"format": "gpualign-profile", "version": 99})");
  EXPECT_NE(error_of(path).find("version 99"), std::string::npos);

  write(path, R"({"format": "gpualign-profile", "version": 1, "cpu_cells_per_second": "fast"})");
  e = error_of(path);
  EXPECT_NE(e.find("cpu_cells_per_second"), std::string::npos) << e;

  write(path, R"({"format": "gpualign-profile", "version": 1, "thread_efficiency": 1.5})");
  EXPECT_NE(error_of(path).find("thread_efficiency"), std::string::npos);

  write(path, R"({"format": "gpualign-profile", "version": 1, "gpu_launch_seconds": -1})");
  EXPECT_NE(error_of(path).find("gpu_launch_seconds"), std::string::npos);

  write(path, R"({"format": "gpualign-profile", "version": 1, "device_memory_bytes": -5})");
  EXPECT_NE(error_of(path).find("device_memory_bytes"), std::string::npos);
}

TEST(CalibrationProfile, DefaultPathAndFallback) {
  TempDir dir;
  const std::string file = (dir.path / "gp.json").string();
  ::setenv("GPUALIGN_PROFILE", file.c_str(), 1);
  EXPECT_EQ(default_profile_path(), file);
  std::string source;
  // Absent: built-in defaults.
  CalibrationProfile p = load_profile_or_default({}, &source);
  EXPECT_EQ(source, "built-in defaults");
  EXPECT_DOUBLE_EQ(p.cpu_cells_per_second, builtin_profile().cpu_cells_per_second);
  // Damaged cache file: defaults, saying why.
  write(file, "garbage");
  p = load_profile_or_default({}, &source);
  EXPECT_NE(source.find("unreadable"), std::string::npos);
  // Good file: used.
  CalibrationProfile m;
  m.cpu_cells_per_second = 7e9;
  save_profile(m, file);
  p = load_profile_or_default({}, &source);
  EXPECT_EQ(source, file);
  EXPECT_DOUBLE_EQ(p.cpu_cells_per_second, 7e9);
  // A path the user names must exist.
  EXPECT_THROW(load_profile_or_default((dir.path / "nope.json").string()), Error);
  ::unsetenv("GPUALIGN_PROFILE");
  ::setenv("XDG_CACHE_HOME", "/x/cache", 1);
  EXPECT_EQ(default_profile_path(), "/x/cache/gpualign/profile.json");
  ::unsetenv("XDG_CACHE_HOME");
}

TEST(CalibrationProfile, ValidateRejectsNonsense) {
  CalibrationProfile p;
  p.cpu_cells_per_second = 0;
  EXPECT_THROW(p.validate(), Error);
  EXPECT_THROW(save_profile(p, "/tmp/never_written.json"), Error);
}

}  // namespace
}  // namespace gpualign
