#pragma once
/// @file chunking.hpp
/// How items are divided into the chunks workers take one at a time: the
/// tuning guide's count heuristics, and cost-balanced chunks (largest first)
/// for work whose items differ widely in cost.

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace gpualign {

/// A division of n items into chunks handed out in order: chunk `c` holds the
/// items `order[bounds[c]] ... order[bounds[c+1] - 1]`.
struct ChunkPlan {
  std::vector<std::size_t> order;   ///< item indices, each exactly once
  std::vector<std::size_t> bounds;  ///< chunk boundaries into `order`; num_chunks() + 1 entries

  /// Number of chunks.
  std::size_t num_chunks() const noexcept { return bounds.empty() ? 0 : bounds.size() - 1; }
  /// The item indices of chunk `c`.
  std::span<const std::size_t> chunk(std::size_t c) const noexcept {
    return std::span<const std::size_t>(order).subspan(bounds[c], bounds[c + 1] - bounds[c]);
  }
};

/// The guide's heuristics for the number of items per chunk.
enum class ChunkHeuristic : std::uint8_t {
  general,     ///< max(1, min(100, n / workers))
  many_small,  ///< max(1, n / (workers * 10)): many cheap items, more chunks for balance
  few_large,   ///< max(1, n / (workers * 2)): few costly items, two chunks per worker
};

/// General heuristic: max(1, min(100, n / workers)).
std::size_t chunk_size_general(std::size_t n, std::size_t workers) noexcept;
/// Many small tasks: max(1, n / (workers * 10)).
std::size_t chunk_size_many_small(std::size_t n, std::size_t workers) noexcept;
/// Few large tasks: max(1, n / (workers * 2)).
std::size_t chunk_size_few_large(std::size_t n, std::size_t workers) noexcept;
/// The heuristic `h` applied to n items and `workers` workers (0 counts as 1).
std::size_t chunk_size(ChunkHeuristic h, std::size_t n, std::size_t workers) noexcept;

/// Contiguous chunks of `chunk_size` items (the last may be shorter) in input
/// order; `chunk_size` 0 counts as 1.
ChunkPlan plan_even_chunks(std::size_t n, std::size_t chunk_size);

/// Cost-balanced chunks: items sorted by cost, largest first (ties keep input
/// order), cut into chunks of about total / (workers * chunks_per_worker)
/// cost each and at most `max_items` items (0 = no limit).  An item costlier
/// than that target gets a chunk of its own.  Chunks come out largest first,
/// so with workers taking the next chunk when free one huge item never lands
/// last (longest-processing-time-first scheduling).
ChunkPlan plan_cost_chunks(std::span<const std::uint64_t> costs, std::size_t workers,
                           std::size_t max_items = 0, std::size_t chunks_per_worker = 4);

}  // namespace gpualign
