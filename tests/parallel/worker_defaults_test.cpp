// Worker defaults follow the guide and the limits this process is under.

#include <sched.h>

#include <gtest/gtest.h>

#include "gpualign/worker_defaults.hpp"
#include "parallel/cgroup_limits.hpp"

namespace gpualign {
namespace {

TEST(WorkerDefaults, GuideRatios) {
  EXPECT_EQ(default_workers(WorkloadKind::cpu_bound, 8), 8u);
  EXPECT_EQ(default_workers(WorkloadKind::io_bound, 8), 16u);
  EXPECT_EQ(default_workers(WorkloadKind::memory_heavy, 8), 4u);
  // Never below one.
  EXPECT_EQ(default_workers(WorkloadKind::memory_heavy, 1), 1u);
  EXPECT_EQ(default_workers(WorkloadKind::cpu_bound, 0), 1u);
  EXPECT_EQ(default_workers(WorkloadKind::io_bound, 0), 2u);
}

TEST(WorkerDefaults, UsableCpusRespectsAffinity) {
  const std::size_t n = usable_cpus();
  EXPECT_GE(n, 1u);
  EXPECT_LE(n, detail::affinity_cpu_count());

  // Pin to one CPU: the usable count must follow.
  cpu_set_t old;
  ASSERT_EQ(sched_getaffinity(0, sizeof old, &old), 0);
  int first = -1;
  for (int c = 0; c < CPU_SETSIZE; ++c)
    if (CPU_ISSET(c, &old)) { first = c; break; }
  ASSERT_GE(first, 0);
  cpu_set_t one;
  CPU_ZERO(&one);
  CPU_SET(first, &one);
  ASSERT_EQ(sched_setaffinity(0, sizeof one, &one), 0);
  EXPECT_EQ(usable_cpus(), 1u);
  EXPECT_EQ(default_workers(WorkloadKind::io_bound), 2u);
  ASSERT_EQ(sched_setaffinity(0, sizeof old, &old), 0);
}

TEST(CgroupParsing, CpuQuota) {
  EXPECT_DOUBLE_EQ(*detail::parse_cgroup2_cpu_max("150000 100000\n"), 1.5);
  EXPECT_FALSE(detail::parse_cgroup2_cpu_max("max 100000"));
  EXPECT_FALSE(detail::parse_cgroup2_cpu_max("garbage"));
  EXPECT_DOUBLE_EQ(*detail::parse_cgroup1_cpu_quota("200000\n", "100000\n"), 2.0);
  EXPECT_FALSE(detail::parse_cgroup1_cpu_quota("-1", "100000"));
}

TEST(CgroupParsing, MemoryLimitAndMeminfo) {
  EXPECT_EQ(*detail::parse_cgroup_memory_limit("1073741824\n"), 1073741824u);
  EXPECT_FALSE(detail::parse_cgroup_memory_limit("max\n"));
  EXPECT_FALSE(detail::parse_cgroup_memory_limit("9223372036854771712"));  // v1 "unlimited"
  const char* meminfo = "MemTotal:       24684092 kB\nMemFree:  1 kB\nMemAvailable:   2048 kB\n";
  EXPECT_EQ(*detail::parse_meminfo_available(meminfo), 2048u * 1024u);
  EXPECT_FALSE(detail::parse_meminfo_available("MemTotal: 5 kB\n"));
}

}  // namespace
}  // namespace gpualign
