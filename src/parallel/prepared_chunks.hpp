#pragma once
// The chunks one execute_parallel run hands out, already split to fit its
// memory budget.  Shared by the thread and the process runner.

#include <cstdint>
#include <string>
#include <vector>

#include "gpualign/execute_parallel.hpp"

namespace gpualign::detail {

/// Item indices a worker takes at once, and their estimated bytes.
struct PreparedChunk {
  std::vector<std::size_t> items;
  std::uint64_t bytes = 0;
};

/// The plan of make_chunk_plan() with each chunk cut, in order, into pieces
/// whose summed item_bytes fit opt.memory_budget; items that alone exceed
/// the budget are left out and reported in `failures` (over_budget).
std::vector<PreparedChunk> prepare_chunks(const ParallelOptions& opt, std::size_t n, std::size_t workers,
                                          std::vector<ItemError>& failures);

/// what() of the exception being handled, or "unknown exception".
std::string describe_current_exception();

}  // namespace gpualign::detail
