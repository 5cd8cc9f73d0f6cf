// The memory budget bounds the process's real peak memory.  Eight items each
// touch 96 MiB and hold it a moment.  With eight threads and no budget the
// peak grows by several items' worth; with a 256 MiB budget (item estimate
// 96 MiB, so at most two at once) it stays within the budget.  The peak is
// the kernel's: VmHWM from /proc/self/status, reset through
// /proc/self/clear_refs; the test skips where that reset is not allowed.

#include <sys/resource.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>
#include <thread>

#include <gtest/gtest.h>

#include "gpualign/execute_parallel.hpp"

namespace gpualign {
namespace {

constexpr std::uint64_t kMiB = 1 << 20;
constexpr std::uint64_t kItemBytes = 96 * kMiB;
constexpr std::uint64_t kBudget = 256 * kMiB;

std::uint64_t status_kib(const char* field) {
  std::ifstream f("/proc/self/status");
  std::string line;
  const std::size_t n = std::strlen(field);
  while (std::getline(f, line))
    if (line.compare(0, n, field) == 0) return std::stoull(line.substr(n + 1)) * 1024;
  return 0;
}

bool reset_peak() {
  std::ofstream f("/proc/self/clear_refs");
  f << "5";
  f.flush();
  return static_cast<bool>(f);
}

// Growth of the peak resident size during one run, in bytes.
std::uint64_t peak_growth(MemoryBudget* budget) {
  std::vector<int> items(8, 0);
  ParallelOptions opt{.num_workers = 8, .chunk_size = 1};
  if (budget) {
    opt.memory_budget = budget;
    opt.item_bytes = [](std::size_t) { return kItemBytes; };
  }
  const std::uint64_t before = status_kib("VmRSS:");
  execute_parallel(
      [](int) {
        // malloc serves this from a fresh mapping and returns it on free, so
        // the resident size follows exactly what items hold.
        char* p = static_cast<char*>(std::malloc(kItemBytes));
        std::memset(p, 1, kItemBytes);
        std::this_thread::sleep_for(std::chrono::milliseconds(150));
        const int sum = p[kItemBytes / 2];
        std::free(p);
        return sum;
      },
      items, opt);
  const std::uint64_t peak = status_kib("VmHWM:");
  return peak > before ? peak - before : 0;
}

TEST(MemoryPeak, BudgetBoundsRealPeakMemory) {
  // Start the shared pool's threads first so their stacks are in the baseline.
  std::vector<int> warm(16, 0);
  execute_parallel([](int i) { return i; }, warm, {.num_workers = 8, .chunk_size = 1});
  if (!reset_peak() || status_kib("VmHWM:") == 0) GTEST_SKIP() << "cannot reset VmHWM here";

  const std::uint64_t naive = peak_growth(nullptr);
  ASSERT_TRUE(reset_peak());
  MemoryBudget budget(kBudget);
  const std::uint64_t bounded = peak_growth(&budget);

  // A small allowance for allocator and thread bookkeeping.
  EXPECT_LE(bounded, kBudget + 16 * kMiB) << "bounded peak growth " << bounded / kMiB << " MiB";
  EXPECT_GT(naive, kBudget) << "naive peak growth " << naive / kMiB << " MiB: the test would prove nothing";
  EXPECT_LE(budget.peak(), kBudget);
  RecordProperty("naive_peak_mib", static_cast<int>(naive / kMiB));
  RecordProperty("bounded_peak_mib", static_cast<int>(bounded / kMiB));
}

}  // namespace
}  // namespace gpualign
