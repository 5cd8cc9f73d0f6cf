// The guide's chunk-size heuristics and cost-balanced chunks.

#include <algorithm>
#include <numeric>
#include <random>

#include <gtest/gtest.h>

#include "gpualign/chunking.hpp"

namespace gpualign {
namespace {

TEST(Chunking, GeneralHeuristic) {
  EXPECT_EQ(chunk_size_general(1000, 4), 100u);   // capped at 100
  EXPECT_EQ(chunk_size_general(200, 4), 50u);
  EXPECT_EQ(chunk_size_general(3, 4), 1u);        // never below 1
  EXPECT_EQ(chunk_size_general(0, 4), 1u);
  EXPECT_EQ(chunk_size_general(10, 0), 10u);      // 0 workers counts as 1
}

TEST(Chunking, ManySmallHeuristic) {
  EXPECT_EQ(chunk_size_many_small(10000, 4), 250u);
  EXPECT_EQ(chunk_size_many_small(30, 4), 1u);
  EXPECT_EQ(chunk_size(ChunkHeuristic::many_small, 10000, 4), 250u);
}

TEST(Chunking, FewLargeHeuristic) {
  EXPECT_EQ(chunk_size_few_large(40, 4), 5u);
  EXPECT_EQ(chunk_size_few_large(3, 4), 1u);
  EXPECT_EQ(chunk_size(ChunkHeuristic::few_large, 40, 4), 5u);
  EXPECT_EQ(chunk_size(ChunkHeuristic::general, 1000, 4), 100u);
}

void expect_partition(const ChunkPlan& p, std::size_t n) {
  ASSERT_EQ(p.order.size(), n);
  std::vector<std::size_t> sorted = p.order;
  std::sort(sorted.begin(), sorted.end());
  for (std::size_t i = 0; i < n; ++i) ASSERT_EQ(sorted[i], i);
  ASSERT_FALSE(p.bounds.empty());
  EXPECT_EQ(p.bounds.front(), 0u);
  EXPECT_EQ(p.bounds.back(), n);
  for (std::size_t c = 0; c < p.num_chunks(); ++c) EXPECT_FALSE(p.chunk(c).empty());
}

TEST(Chunking, EvenChunks) {
  auto p = plan_even_chunks(10, 4);
  expect_partition(p, 10);
  ASSERT_EQ(p.num_chunks(), 3u);
  EXPECT_EQ(p.chunk(2).size(), 2u);
  EXPECT_EQ(p.chunk(1)[0], 4u);
  EXPECT_EQ(plan_even_chunks(0, 4).num_chunks(), 0u);
}

TEST(Chunking, CostChunksLargestFirst) {
  // One huge item among many small ones: it must come first, alone.
  std::vector<std::uint64_t> costs(100, 10);
  costs[73] = 100000;
  auto p = plan_cost_chunks(costs, 4);
  expect_partition(p, 100);
  ASSERT_GE(p.num_chunks(), 2u);
  ASSERT_EQ(p.chunk(0).size(), 1u);
  EXPECT_EQ(p.chunk(0)[0], 73u);
}

TEST(Chunking, CostChunksBalanceAndRespectMaxItems) {
  std::mt19937_64 rng(7);
  for (int round = 0; round < 50; ++round) {
    const std::size_t n = 1 + rng() % 500;
    std::vector<std::uint64_t> costs(n);
    for (auto& c : costs) c = 1 + rng() % 1000000;
    const std::size_t max_items = 1 + rng() % 40;
    auto p = plan_cost_chunks(costs, 4, max_items);
    expect_partition(p, n);
    const long double total = std::accumulate(costs.begin(), costs.end(), 0.0L);
    const long double target = std::max<long double>(1, total / 16);
    long double prev = 1e300;
    for (std::size_t c = 0; c < p.num_chunks(); ++c) {
      auto items = p.chunk(c);
      EXPECT_LE(items.size(), max_items);
      long double sum = 0;
      for (auto i : items) sum += costs[i];
      // A chunk only passes the target when it is a single item.
      if (items.size() > 1) EXPECT_LE(sum, target);
      // Items are handed out largest first.
      for (auto i : items) {
        EXPECT_LE(static_cast<long double>(costs[i]), prev);
        prev = costs[i];
      }
    }
  }
}

}  // namespace
}  // namespace gpualign
