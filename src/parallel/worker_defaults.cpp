// Default worker counts from the CPUs this process may really use.

#include "gpualign/worker_defaults.hpp"

#include <algorithm>
#include <cmath>

#include "parallel/cgroup_limits.hpp"

namespace gpualign {

std::size_t usable_cpus() {
  std::size_t n = detail::affinity_cpu_count();
  if (auto quota = detail::cgroup_cpu_limit()) {
    auto q = static_cast<std::size_t>(std::ceil(*quota - 1e-9));
    n = std::min(n, std::max<std::size_t>(1, q));
  }
  return std::max<std::size_t>(1, n);
}

std::size_t default_workers(WorkloadKind kind, std::size_t usable) noexcept {
  usable = std::max<std::size_t>(1, usable);
  switch (kind) {
    case WorkloadKind::cpu_bound: return usable;
    case WorkloadKind::io_bound: return 2 * usable;
    case WorkloadKind::memory_heavy: return std::max<std::size_t>(1, usable / 2);
  }
  return usable;
}

std::size_t default_workers(WorkloadKind kind) { return default_workers(kind, usable_cpus()); }

}  // namespace gpualign
