// execute_parallel on threads and processes: order and completeness under
// random item costs, per-item exceptions, budgets, nesting, result types.

#include <unistd.h>

#include <atomic>
#include <chrono>
#include <random>
#include <stdexcept>
#include <string>
#include <thread>

#include <gtest/gtest.h>

#include "gpualign/execute_parallel.hpp"

namespace gpualign {
namespace {

// Spins for about `us` microseconds of CPU: items of random cost.
void burn(unsigned us) {
  const auto end = std::chrono::steady_clock::now() + std::chrono::microseconds(us);
  while (std::chrono::steady_clock::now() < end) {}
}

class BothPools : public ::testing::TestWithParam<PoolType> {};

TEST_P(BothPools, OrderAndCompletenessUnderRandomCosts) {
  std::mt19937 rng(11);
  for (int round = 0; round < 6; ++round) {
    const std::size_t n = 1 + rng() % 400;
    std::vector<std::pair<int, unsigned>> items(n);
    for (std::size_t i = 0; i < n; ++i) items[i] = {static_cast<int>(i), rng() % 300};
    ParallelOptions opt;
    opt.pool_type = GetParam();
    opt.num_workers = 1 + rng() % 4;
    opt.chunk_size = round % 3 == 0 ? 0 : 1 + rng() % 17;
    if (round % 2) opt.item_cost = [&](std::size_t i) { return std::uint64_t{items[i].second}; };
    auto out = execute_parallel(
        [](const std::pair<int, unsigned>& it) {
          burn(it.second);
          return std::to_string(it.first * 3);
        },
        items, opt);
    ASSERT_EQ(out.size(), n);
    for (std::size_t i = 0; i < n; ++i) ASSERT_EQ(out[i], std::to_string(i * 3)) << "round " << round;
  }
}

TEST_P(BothPools, ExceptionsAreReportedPerItem) {
  std::vector<int> items(100);
  for (int i = 0; i < 100; ++i) items[i] = i;
  auto fn = [](int i) -> std::vector<int> {
    if (i % 7 == 3) throw std::runtime_error("bad item " + std::to_string(i));
    return std::vector<int>(static_cast<std::size_t>(i % 5), i);
  };
  ParallelOptions opt{.num_workers = 3, .pool_type = GetParam(), .chunk_size = 8};
  auto got = execute_parallel_collect(fn, items, opt);
  std::size_t expected_failures = 0;
  for (int i = 0; i < 100; ++i) {
    if (i % 7 == 3) {
      ++expected_failures;
      EXPECT_FALSE(got.values[i].has_value());
    } else {
      ASSERT_TRUE(got.values[i].has_value()) << i;
      EXPECT_EQ(*got.values[i], std::vector<int>(static_cast<std::size_t>(i % 5), i));
    }
  }
  ASSERT_EQ(got.failures.size(), expected_failures);
  for (const auto& f : got.failures) {
    EXPECT_EQ(f.index % 7, 3u);
    EXPECT_EQ(f.kind, ItemFailure::exception);
    EXPECT_EQ(f.message, "bad item " + std::to_string(f.index));
    if (GetParam() == PoolType::thread) EXPECT_TRUE(f.exception);
  }

  // The throwing form reports the first failed item and counts the rest.
  try {
    execute_parallel(fn, items, opt);
    FAIL() << "expected ParallelError";
  } catch (const ParallelError& e) {
    EXPECT_EQ(e.failures().size(), expected_failures);
    const std::string what = e.what();
    EXPECT_NE(what.find("item 3"), std::string::npos) << what;
    EXPECT_NE(what.find("bad item 3"), std::string::npos) << what;
    EXPECT_NE(what.find(std::to_string(expected_failures - 1) + " more"), std::string::npos) << what;
  }
}

TEST_P(BothPools, MemoryBudgetBoundsConcurrentReservations) {
  // Each item "needs" 300 bytes of a 1000-byte budget: at most three run at
  // once even with eight workers; an item needing 5000 fails on its own.
  MemoryBudget budget(1000);
  std::vector<int> items(40);
  for (int i = 0; i < 40; ++i) items[i] = i;
  ParallelOptions opt{.num_workers = 8, .pool_type = GetParam(), .chunk_size = 1};
  opt.memory_budget = &budget;
  opt.item_bytes = [](std::size_t i) -> std::uint64_t { return i == 17 ? 5000 : 300; };
  auto got = execute_parallel_collect([](int i) { burn(200); return i; }, items, opt);
  ASSERT_EQ(got.failures.size(), 1u);
  EXPECT_EQ(got.failures[0].index, 17u);
  EXPECT_EQ(got.failures[0].kind, ItemFailure::over_budget);
  EXPECT_NE(got.failures[0].message.find("item 17"), std::string::npos);
  for (int i = 0; i < 40; ++i)
    if (i != 17) EXPECT_EQ(got.values[i].value(), i);
  EXPECT_LE(budget.peak(), 1000u);
  EXPECT_GE(budget.peak(), 300u);
  EXPECT_EQ(budget.in_use(), 0u);
}

INSTANTIATE_TEST_SUITE_P(Pools, BothPools, ::testing::Values(PoolType::thread, PoolType::process),
                         [](const auto& info) { return std::string(to_string(info.param)); });

TEST(ExecuteParallel, EmptyInput) {
  std::vector<int> none;
  EXPECT_TRUE(execute_parallel([](int i) { return i; }, none).empty());
  EXPECT_TRUE(execute_parallel([](int i) { return i; }, none, {.pool_type = PoolType::process}).empty());
}

TEST(ExecuteParallel, BudgetSplitsLargeChunks) {
  // A chunk of 10 items x 300 bytes cannot fit a 1000-byte budget whole: it
  // is split, not failed.
  MemoryBudget budget(1000);
  std::vector<int> items(10, 1);
  ParallelOptions opt{.num_workers = 1, .chunk_size = 10};
  opt.memory_budget = &budget;
  opt.item_bytes = [](std::size_t) -> std::uint64_t { return 300; };
  auto out = execute_parallel([](int i) { return i; }, items, opt);
  EXPECT_EQ(out.size(), 10u);
  EXPECT_LE(budget.peak(), 900u);
}

TEST(ExecuteParallel, ThreadsUseNoMoreThanNumWorkers) {
  std::atomic<int> now{0}, worst{0};
  std::vector<int> items(64, 0);
  execute_parallel(
      [&](int) {
        const int c = now.fetch_add(1) + 1;
        int w = worst.load();
        while (c > w && !worst.compare_exchange_weak(w, c)) {}
        burn(300);
        now.fetch_sub(1);
        return 0;
      },
      items, {.num_workers = 3, .chunk_size = 1});
  EXPECT_LE(worst.load(), 3);
}

TEST(ExecuteParallel, NestedCallsOnOnePoolDoNotDeadlock) {
  ThreadPool pool(1);
  std::vector<int> outer(6);
  for (int i = 0; i < 6; ++i) outer[i] = i;
  ParallelOptions opt{.num_workers = 4, .chunk_size = 1};
  opt.thread_pool = &pool;
  auto sums = execute_parallel(
      [&](int i) {
        std::vector<int> inner(50, i);
        // Nested call: picks up the pool running it (ThreadPool::current()).
        auto parts = execute_parallel([](int v) { return v + 1; }, inner, {.num_workers = 4, .chunk_size = 3});
        long s = 0;
        for (int p : parts) s += p;
        return s;
      },
      outer, opt);
  for (int i = 0; i < 6; ++i) EXPECT_EQ(sums[i], 50L * (i + 1));
}

TEST(ExecuteParallel, ThreadOnlyResultsNeedNoCodec) {
  std::vector<int> items{1, 2, 3};
  auto out = execute_threads([](int i) { return std::make_unique<int>(i); }, items);
  ASSERT_EQ(out.size(), 3u);
  EXPECT_EQ(*out[2], 3);
}

TEST(ExecuteParallel, PoolTypeNames) {
  EXPECT_EQ(parse_pool_type("threads"), PoolType::thread);
  EXPECT_EQ(parse_pool_type("process"), PoolType::process);
  EXPECT_THROW(parse_pool_type("gpu"), Error);
  EXPECT_EQ(to_string(PoolType::process), "process");
}

}  // namespace
}  // namespace gpualign
