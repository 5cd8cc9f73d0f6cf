#pragma once
// Reading the CPU and memory limits a process is under: CPU affinity, cgroup
// v1/v2 CPU quota, MemAvailable and the cgroup memory limit.  Internal to the
// parallel module; the parsers are separate so tests can feed them text.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace gpualign::detail {

/// CPUs a cgroup v2 `cpu.max` line ("QUOTA PERIOD" or "max PERIOD") allows,
/// e.g. "150000 100000" -> 1.5; nullopt for "max" or malformed text.
std::optional<double> parse_cgroup2_cpu_max(std::string_view text);

/// CPUs cgroup v1 `cpu.cfs_quota_us` / `cpu.cfs_period_us` allow; nullopt
/// when the quota is -1 (unlimited) or the text is malformed.
std::optional<double> parse_cgroup1_cpu_quota(std::string_view quota, std::string_view period);

/// A cgroup memory limit: v2 "max" or v1's huge "no limit" value -> nullopt.
std::optional<std::uint64_t> parse_cgroup_memory_limit(std::string_view text);

/// The "MemAvailable:" figure of a /proc/meminfo text, in bytes.
std::optional<std::uint64_t> parse_meminfo_available(std::string_view meminfo);

/// The strictest CPU quota of this process's cgroups (v2, then v1), walking up
/// from its own cgroup to the root; nullopt when none is set.
std::optional<double> cgroup_cpu_limit();

/// Bytes this process's cgroups still allow (limit - usage, the smallest
/// over the hierarchy); nullopt when no limit is set.
std::optional<std::uint64_t> cgroup_memory_headroom();

/// MemAvailable from /proc/meminfo; nullopt when unreadable.
std::optional<std::uint64_t> meminfo_available();

/// Number of CPUs in this process's affinity mask (>= 1).
std::size_t affinity_cpu_count();

/// Whole contents of a small file; nullopt if it cannot be read.
std::optional<std::string> read_small_file(const std::string& path);

}  // namespace gpualign::detail
