// CalibrationProfile: defaults, validation, JSON file round trip.
#include "gpualign/calibration_profile.hpp"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <system_error>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "gpualign/error.hpp"

namespace gpualign {
namespace {

using nlohmann::json;

constexpr const char* kFormat = "gpualign-profile";
constexpr int kVersion = 1;

void check_positive(double v, const char* field) {
  if (!std::isfinite(v) || v <= 0)
    throw Error(std::string("calibration profile: '") + field + "' must be a positive number");
}

// Reads `key` into `out` when present; a wrong type is an error naming the key.
template <class T>
void read_field(const json& j, const char* key, T& out, const std::string& source) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return;
  try {
    if constexpr (std::is_same_v<T, double>) {
      if (!it->is_number()) throw Error("not a number");
    } else if constexpr (std::is_same_v<T, bool>) {
      if (!it->is_boolean()) throw Error("not true/false");
    } else if constexpr (std::is_same_v<T, std::uint64_t>) {
      if (!it->is_number_unsigned() && !(it->is_number_integer() && it->template get<std::int64_t>() >= 0))
        throw Error("not a non-negative integer");
    } else {
      if (!it->is_string()) throw Error("not a string");
    }
    out = it->template get<T>();
  } catch (const Error& e) {
    throw Error(source + ": field '" + key + "' is " + e.what());
  }
}

}  // namespace

void CalibrationProfile::validate() const {
  check_positive(cpu_cells_per_second, "cpu_cells_per_second");
  check_positive(cpu_pair_seconds, "cpu_pair_seconds");
  check_positive(thread_efficiency, "thread_efficiency");
  if (thread_efficiency > 1) throw Error("calibration profile: 'thread_efficiency' must be at most 1");
  check_positive(thread_start_seconds, "thread_start_seconds");
  check_positive(process_start_seconds, "process_start_seconds");
  check_positive(gpu_cells_per_second, "gpu_cells_per_second");
  check_positive(gpu_pair_seconds, "gpu_pair_seconds");
  check_positive(gpu_launch_seconds, "gpu_launch_seconds");
  check_positive(gpu_transfer_bytes_per_second, "gpu_transfer_bytes_per_second");
}

CalibrationProfile builtin_profile() { return CalibrationProfile{}; }

std::string default_profile_path() {
  if (const char* p = std::getenv("GPUALIGN_PROFILE"); p && *p) return p;
  if (const char* x = std::getenv("XDG_CACHE_HOME"); x && *x) return std::string(x) + "/gpualign/profile.json";
  if (const char* h = std::getenv("HOME"); h && *h) return std::string(h) + "/.cache/gpualign/profile.json";
  return {};
}

std::string profile_to_json(const CalibrationProfile& p) {
  json j;
  j["format"] = kFormat;
  j["version"] = kVersion;
  j["machine"] = p.machine;
  j["created"] = p.created;
  j["cpu_engine"] = p.cpu_engine;
  j["cpu_cells_per_second"] = p.cpu_cells_per_second;
  j["cpu_pair_seconds"] = p.cpu_pair_seconds;
  j["thread_efficiency"] = p.thread_efficiency;
  j["thread_start_seconds"] = p.thread_start_seconds;
  j["process_start_seconds"] = p.process_start_seconds;
  j["gpu_measured"] = p.gpu_measured;
  j["gpu_cells_per_second"] = p.gpu_cells_per_second;
  j["gpu_pair_seconds"] = p.gpu_pair_seconds;
  j["gpu_launch_seconds"] = p.gpu_launch_seconds;
  j["gpu_transfer_bytes_per_second"] = p.gpu_transfer_bytes_per_second;
  j["device_memory_bytes"] = p.device_memory_bytes;
  return j.dump(2) + "\n";
}

CalibrationProfile profile_from_json(const std::string& text, const std::string& source) {
  json j;
  try {
    j = json::parse(text);
  } catch (const json::exception& e) {
    throw Error(source + ": not a calibration profile (invalid JSON: " + std::string(e.what()) + ")");
  }
  if (!j.is_object()) throw Error(source + ": not a calibration profile (expected a JSON object)");
  auto fmt = j.find("format");
  if (fmt == j.end() || !fmt->is_string() || fmt->get<std::string>() != kFormat)
    throw Error(source + ": not a calibration profile (\"format\" is not \"" + kFormat + "\")");
  auto ver = j.find("version");
  if (ver == j.end() || !ver->is_number_integer())
    throw Error(source + ": calibration profile without an integer \"version\"");
  if (ver->get<std::int64_t>() != kVersion)
    throw Error(source + ": calibration profile version " + std::to_string(ver->get<std::int64_t>()) +
                " is not supported (this build reads version " + std::to_string(kVersion) +
                "); rerun gpualign calibrate");
  CalibrationProfile p;
  read_field(j, "machine", p.machine, source);
  read_field(j, "created", p.created, source);
  read_field(j, "cpu_engine", p.cpu_engine, source);
  read_field(j, "cpu_cells_per_second", p.cpu_cells_per_second, source);
  read_field(j, "cpu_pair_seconds", p.cpu_pair_seconds, source);
  read_field(j, "thread_efficiency", p.thread_efficiency, source);
  read_field(j, "thread_start_seconds", p.thread_start_seconds, source);
  read_field(j, "process_start_seconds", p.process_start_seconds, source);
  read_field(j, "gpu_measured", p.gpu_measured, source);
  read_field(j, "gpu_cells_per_second", p.gpu_cells_per_second, source);
  read_field(j, "gpu_pair_seconds", p.gpu_pair_seconds, source);
  read_field(j, "gpu_launch_seconds", p.gpu_launch_seconds, source);
  read_field(j, "gpu_transfer_bytes_per_second", p.gpu_transfer_bytes_per_second, source);
  read_field(j, "device_memory_bytes", p.device_memory_bytes, source);
  try {
    p.validate();
  } catch (const Error& e) {
    throw Error(source + ": " + e.what());
  }
  return p;
}

void save_profile(const CalibrationProfile& profile, const std::string& path) {
  if (path.empty()) throw Error("no path to save the calibration profile to (set HOME or use --profile FILE)");
  profile.validate();
  namespace fs = std::filesystem;
  std::error_code ec;
  const fs::path target(path);
  if (target.has_parent_path()) {
    fs::create_directories(target.parent_path(), ec);
    if (ec) throw Error("cannot create folder '" + target.parent_path().string() + "': " + ec.message());
  }
  const std::string tmp = path + ".tmp." + std::to_string(::getpid());
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) throw Error("cannot write calibration profile", tmp, "");
    out << profile_to_json(profile);
    out.flush();
    if (!out) {
      std::remove(tmp.c_str());
      throw Error("cannot write calibration profile", tmp, "");
    }
  }
  fs::rename(tmp, target, ec);
  if (ec) {
    std::remove(tmp.c_str());
    throw Error("cannot rename '" + tmp + "' to '" + path + "': " + ec.message());
  }
}

CalibrationProfile load_profile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error("cannot open calibration profile '" + path + "'");
  std::ostringstream ss;
  ss << in.rdbuf();
  return profile_from_json(ss.str(), path);
}

CalibrationProfile load_profile_or_default(const std::string& path, std::string* source) {
  if (!path.empty()) {
    CalibrationProfile p = load_profile(path);
    if (source) *source = path;
    return p;
  }
  const std::string def = default_profile_path();
  std::error_code ec;
  if (!def.empty() && std::filesystem::exists(def, ec)) {
    try {
      CalibrationProfile p = load_profile(def);
      if (source) *source = def;
      return p;
    } catch (const Error& e) {
      // A stale or damaged cache file must not stop a run: defaults apply.
      if (source) *source = "built-in defaults (" + def + " unreadable: " + e.what() + ")";
      return builtin_profile();
    }
  }
  if (source) *source = "built-in defaults";
  return builtin_profile();
}

}  // namespace gpualign
