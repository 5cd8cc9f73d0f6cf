#pragma once
/// @file worker_defaults.hpp
/// How many workers to run by default, following the tuning guide: CPU-bound
/// work uses the usable cores, I/O-bound work twice that, memory-heavy work
/// half, never fewer than one.

#include <cstddef>
#include <cstdint>

namespace gpualign {

/// What limits a kind of work, which decides its default worker count.
enum class WorkloadKind : std::uint8_t {
  cpu_bound,     ///< one worker per usable core
  io_bound,      ///< twice the usable cores (workers wait on I/O)
  memory_heavy,  ///< half the usable cores (each worker holds much memory)
};

/// CPUs this process may use: the size of its CPU affinity mask, capped by a
/// cgroup CPU quota where one is set (rounded up: a 1.5-CPU quota gives 2).
/// Never below 1.  Read afresh on each call.
std::size_t usable_cpus();

/// The guide's default worker count for `kind` given `usable` CPUs:
/// cpu_bound = usable, io_bound = 2 * usable, memory_heavy = usable / 2;
/// never below 1.
std::size_t default_workers(WorkloadKind kind, std::size_t usable) noexcept;

/// default_workers(kind, usable_cpus()).
std::size_t default_workers(WorkloadKind kind = WorkloadKind::cpu_bound);

}  // namespace gpualign
