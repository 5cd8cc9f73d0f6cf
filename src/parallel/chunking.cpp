// The tuning guide's chunk-size heuristics and cost-balanced (LPT) chunking.

#include "gpualign/chunking.hpp"

#include <algorithm>
#include <numeric>

namespace gpualign {

std::size_t chunk_size_general(std::size_t n, std::size_t workers) noexcept {
  workers = std::max<std::size_t>(1, workers);
  return std::max<std::size_t>(1, std::min<std::size_t>(100, n / workers));
}

std::size_t chunk_size_many_small(std::size_t n, std::size_t workers) noexcept {
  workers = std::max<std::size_t>(1, workers);
  return std::max<std::size_t>(1, n / (workers * 10));
}

std::size_t chunk_size_few_large(std::size_t n, std::size_t workers) noexcept {
  workers = std::max<std::size_t>(1, workers);
  return std::max<std::size_t>(1, n / (workers * 2));
}

std::size_t chunk_size(ChunkHeuristic h, std::size_t n, std::size_t workers) noexcept {
  switch (h) {
    case ChunkHeuristic::general: return chunk_size_general(n, workers);
    case ChunkHeuristic::many_small: return chunk_size_many_small(n, workers);
    case ChunkHeuristic::few_large: return chunk_size_few_large(n, workers);
  }
  return chunk_size_general(n, workers);
}

ChunkPlan plan_even_chunks(std::size_t n, std::size_t chunk_size) {
  chunk_size = std::max<std::size_t>(1, chunk_size);
  ChunkPlan plan;
  plan.order.resize(n);
  std::iota(plan.order.begin(), plan.order.end(), std::size_t{0});
  for (std::size_t b = 0; b < n; b += chunk_size) plan.bounds.push_back(b);
  plan.bounds.push_back(n);
  if (n == 0) plan.bounds = {0};
  return plan;
}

ChunkPlan plan_cost_chunks(std::span<const std::uint64_t> costs, std::size_t workers,
                           std::size_t max_items, std::size_t chunks_per_worker) {
  const std::size_t n = costs.size();
  ChunkPlan plan;
  plan.order.resize(n);
  std::iota(plan.order.begin(), plan.order.end(), std::size_t{0});
  std::stable_sort(plan.order.begin(), plan.order.end(),
                   [&](std::size_t a, std::size_t b) { return costs[a] > costs[b]; });
  plan.bounds.push_back(0);
  if (n == 0) return plan;

  // Sum in long double: costs are cells and their total may pass 2^64 in
  // theory; the target only needs to be approximate.
  long double total = 0;
  // Zero-cost items count as 1 so a run of them still splits into chunks.
  auto cost_of = [&](std::size_t i) { return std::max<long double>(1, static_cast<long double>(costs[i])); };
  for (std::size_t i = 0; i < n; ++i) total += cost_of(i);
  const long double parts = static_cast<long double>(std::max<std::size_t>(1, workers)) *
                            static_cast<long double>(std::max<std::size_t>(1, chunks_per_worker));
  const long double target = std::max<long double>(1, total / parts);

  long double in_chunk = 0;
  std::size_t items = 0;
  for (std::size_t k = 0; k < n; ++k) {
    const long double c = cost_of(plan.order[k]);
    const bool full = items > 0 && ((max_items && items >= max_items) || in_chunk + c > target);
    if (full) {
      plan.bounds.push_back(k);
      in_chunk = 0;
      items = 0;
    }
    in_chunk += c;
    ++items;
  }
  plan.bounds.push_back(n);
  return plan;
}

}  // namespace gpualign
