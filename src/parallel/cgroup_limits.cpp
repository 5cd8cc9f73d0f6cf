// Why this file exists: a container or a batch scheduler limits a process far
// more often by cgroup quota and CPU affinity than by the machine's core count
// or RAM; the worker and memory defaults must follow those limits.

#include "parallel/cgroup_limits.hpp"

#include <sched.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <vector>

namespace gpualign::detail {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\n')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\n')) s.remove_suffix(1);
  return s;
}

template <class T>
std::optional<T> parse_number(std::string_view s) {
  s = trim(s);
  T v{};
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc{} || p != s.data() + s.size()) return std::nullopt;
  return v;
}

// One line of /proc/self/cgroup: hierarchy id, controllers, path.
struct CgroupLine {
  std::string controllers;
  std::string path;
};

std::vector<CgroupLine> self_cgroups() {
  std::vector<CgroupLine> out;
  auto text = read_small_file("/proc/self/cgroup");
  if (!text) return out;
  std::istringstream in(*text);
  std::string line;
  while (std::getline(in, line)) {
    auto a = line.find(':');
    auto b = a == std::string::npos ? a : line.find(':', a + 1);
    if (b == std::string::npos) continue;
    out.push_back({line.substr(a + 1, b - a - 1), line.substr(b + 1)});
  }
  return out;
}

bool has_controller(const std::string& list, std::string_view name) {
  std::string_view rest = list;
  while (!rest.empty()) {
    auto comma = rest.find(',');
    if (rest.substr(0, comma) == name) return true;
    if (comma == std::string_view::npos) break;
    rest.remove_prefix(comma + 1);
  }
  return false;
}

// The directories to look in for a controller's files, innermost first:
// mount + own path and its parents up to the mount, or only the mount when
// the path is not visible (a cgroup namespace hides it).
std::vector<std::filesystem::path> candidate_dirs(const std::filesystem::path& mount,
                                                  const std::string& own) {
  namespace fs = std::filesystem;
  std::vector<fs::path> dirs;
  std::error_code ec;
  if (!fs::is_directory(mount, ec)) return dirs;
  fs::path rel = fs::path(own).relative_path();
  fs::path dir = mount / rel;
  if (!fs::is_directory(dir, ec)) dir = mount;
  for (;;) {
    dirs.push_back(dir);
    if (dir == mount || !dir.has_parent_path() || dir.parent_path() == dir) break;
    dir = dir.parent_path();
    if (dir.string().size() < mount.string().size()) break;
  }
  return dirs;
}

// The v2 hierarchy's mount point, if any.
std::optional<std::filesystem::path> cgroup2_mount() {
  std::error_code ec;
  for (const char* m : {"/sys/fs/cgroup", "/sys/fs/cgroup/unified"})
    if (std::filesystem::exists(std::string(m) + "/cgroup.controllers", ec)) return std::filesystem::path(m);
  return std::nullopt;
}

std::vector<std::filesystem::path> cgroup1_mounts(std::string_view controller) {
  std::vector<std::filesystem::path> out;
  std::error_code ec;
  for (auto name : {std::string(controller), std::string("cpu,cpuacct"), std::string("cpuacct,cpu")}) {
    if (controller != "cpu" && name != controller) continue;
    std::filesystem::path p = std::filesystem::path("/sys/fs/cgroup") / name;
    if (std::filesystem::is_directory(p, ec)) out.push_back(p);
  }
  return out;
}

}  // namespace

std::optional<std::string> read_small_file(const std::string& path) {
  std::ifstream f(path);
  if (!f) return std::nullopt;
  std::ostringstream s;
  s << f.rdbuf();
  return s.str();
}

std::optional<double> parse_cgroup2_cpu_max(std::string_view text) {
  text = trim(text);
  auto sp = text.find(' ');
  if (sp == std::string_view::npos) return std::nullopt;
  auto quota = text.substr(0, sp);
  if (quota == "max") return std::nullopt;
  auto q = parse_number<std::int64_t>(quota);
  auto p = parse_number<std::int64_t>(text.substr(sp + 1));
  if (!q || !p || *q <= 0 || *p <= 0) return std::nullopt;
  return static_cast<double>(*q) / static_cast<double>(*p);
}

std::optional<double> parse_cgroup1_cpu_quota(std::string_view quota, std::string_view period) {
  auto q = parse_number<std::int64_t>(quota);
  auto p = parse_number<std::int64_t>(period);
  if (!q || !p || *q <= 0 || *p <= 0) return std::nullopt;
  return static_cast<double>(*q) / static_cast<double>(*p);
}

std::optional<std::uint64_t> parse_cgroup_memory_limit(std::string_view text) {
  text = trim(text);
  if (text == "max") return std::nullopt;
  auto v = parse_number<std::uint64_t>(text);
  // cgroup v1 reports "no limit" as a page-rounded LONG_MAX.
  if (!v || *v >= (std::uint64_t{1} << 62)) return std::nullopt;
  return v;
}

std::optional<std::uint64_t> parse_meminfo_available(std::string_view meminfo) {
  auto pos = meminfo.find("MemAvailable:");
  if (pos == std::string_view::npos) return std::nullopt;
  auto rest = meminfo.substr(pos + 13);
  auto eol = rest.find('\n');
  rest = trim(rest.substr(0, eol));
  auto sp = rest.find(' ');
  auto kb = parse_number<std::uint64_t>(rest.substr(0, sp));
  if (!kb) return std::nullopt;
  return *kb * 1024;
}

std::optional<double> cgroup_cpu_limit() {
  std::optional<double> best;
  auto take = [&](std::optional<double> v) {
    if (v && (!best || *v < *best)) best = v;
  };
  for (const auto& cg : self_cgroups()) {
    if (cg.controllers.empty()) {  // v2
      if (auto mount = cgroup2_mount())
        for (const auto& dir : candidate_dirs(*mount, cg.path))
          if (auto t = read_small_file((dir / "cpu.max").string())) take(parse_cgroup2_cpu_max(*t));
    } else if (has_controller(cg.controllers, "cpu")) {  // v1
      for (const auto& mount : cgroup1_mounts("cpu"))
        for (const auto& dir : candidate_dirs(mount, cg.path)) {
          auto q = read_small_file((dir / "cpu.cfs_quota_us").string());
          auto p = read_small_file((dir / "cpu.cfs_period_us").string());
          if (q && p) take(parse_cgroup1_cpu_quota(*q, *p));
        }
    }
  }
  return best;
}

std::optional<std::uint64_t> cgroup_memory_headroom() {
  std::optional<std::uint64_t> best;
  auto take = [&](const std::optional<std::string>& limit, const std::optional<std::string>& usage) {
    if (!limit) return;
    auto l = parse_cgroup_memory_limit(*limit);
    if (!l) return;
    std::uint64_t u = 0;
    if (usage)
      if (auto uv = parse_number<std::uint64_t>(*usage)) u = *uv;
    std::uint64_t room = *l > u ? *l - u : 0;
    if (!best || room < *best) best = room;
  };
  for (const auto& cg : self_cgroups()) {
    if (cg.controllers.empty()) {
      if (auto mount = cgroup2_mount())
        for (const auto& dir : candidate_dirs(*mount, cg.path))
          take(read_small_file((dir / "memory.max").string()),
               read_small_file((dir / "memory.current").string()));
    } else if (has_controller(cg.controllers, "memory")) {
      for (const auto& mount : cgroup1_mounts("memory"))
        for (const auto& dir : candidate_dirs(mount, cg.path))
          take(read_small_file((dir / "memory.limit_in_bytes").string()),
               read_small_file((dir / "memory.usage_in_bytes").string()));
    }
  }
  return best;
}

std::optional<std::uint64_t> meminfo_available() {
  auto t = read_small_file("/proc/meminfo");
  if (!t) return std::nullopt;
  return parse_meminfo_available(*t);
}

std::size_t affinity_cpu_count() {
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof(set), &set) == 0) {
    int n = CPU_COUNT(&set);
    if (n > 0) return static_cast<std::size_t>(n);
  }
  return 1;
}

}  // namespace gpualign::detail
