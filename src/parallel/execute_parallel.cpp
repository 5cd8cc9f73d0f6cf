// execute_parallel's non-template parts: options, chunk preparation and the
// thread runner.

#include "gpualign/execute_parallel.hpp"

#include <algorithm>
#include <atomic>
#include <memory>
#include <mutex>

#include "gpualign/worker_defaults.hpp"
#include "parallel/prepared_chunks.hpp"

namespace gpualign {

std::string_view to_string(PoolType t) noexcept {
  return t == PoolType::process ? "process" : "thread";
}

PoolType parse_pool_type(std::string_view name) {
  if (name == "thread" || name == "threads") return PoolType::thread;
  if (name == "process" || name == "processes") return PoolType::process;
  throw Error("unknown pool type '" + std::string(name) + "' (use thread or process)");
}

std::string_view to_string(ItemFailure f) noexcept {
  switch (f) {
    case ItemFailure::exception: return "exception";
    case ItemFailure::over_budget: return "over budget";
    case ItemFailure::worker_signal: return "worker signal";
    case ItemFailure::worker_exit: return "worker exit";
    case ItemFailure::timeout: return "timeout";
    case ItemFailure::bad_result: return "bad result";
  }
  return "unknown";
}

namespace {
std::string parallel_error_message(const std::vector<ItemError>& f) {
  if (f.empty()) return "execute_parallel: failed";
  std::string m = "execute_parallel: item " + std::to_string(f.front().index) + " failed: " + f.front().message;
  if (f.size() > 1) m += " (and " + std::to_string(f.size() - 1) + " more failed items)";
  return m;
}
}  // namespace

ParallelError::ParallelError(std::vector<ItemError> failures)
    : Error(parallel_error_message(failures)), failures_(std::move(failures)) {}

namespace detail {

std::string describe_current_exception() {
  try {
    throw;
  } catch (const std::exception& e) {
    return e.what();
  } catch (...) {
    return "unknown exception";
  }
}

std::size_t resolve_workers(const ParallelOptions& opt) {
  return opt.num_workers ? opt.num_workers : default_workers(WorkloadKind::cpu_bound);
}

ChunkPlan make_chunk_plan(const ParallelOptions& opt, std::size_t n, std::size_t workers) {
  if (opt.item_cost) {
    std::vector<std::uint64_t> costs(n);
    for (std::size_t i = 0; i < n; ++i) costs[i] = opt.item_cost(i);
    const std::size_t max_items = opt.chunk_size ? opt.chunk_size : chunk_size_general(n, workers);
    return plan_cost_chunks(costs, workers, max_items);
  }
  return plan_even_chunks(n, opt.chunk_size ? opt.chunk_size : chunk_size_general(n, workers));
}

std::vector<PreparedChunk> prepare_chunks(const ParallelOptions& opt, std::size_t n, std::size_t workers,
                                          std::vector<ItemError>& failures) {
  const ChunkPlan plan = make_chunk_plan(opt, n, workers);
  std::vector<PreparedChunk> out;
  out.reserve(plan.num_chunks());
  const bool budgeted = opt.memory_budget && opt.item_bytes;
  for (std::size_t c = 0; c < plan.num_chunks(); ++c) {
    const auto items = plan.chunk(c);
    if (!budgeted) {
      out.push_back({std::vector<std::size_t>(items.begin(), items.end()), 0});
      continue;
    }
    // Split greedily into pieces that fit the whole budget.
    PreparedChunk piece;
    for (std::size_t i : items) {
      const std::uint64_t b = opt.item_bytes(i);
      if (!opt.memory_budget->fits(b)) {
        failures.push_back({i, ItemFailure::over_budget,
                            MemoryBudgetError("item " + std::to_string(i), b, opt.memory_budget->capacity()).what(),
                            nullptr});
        continue;
      }
      if (!piece.items.empty() && !opt.memory_budget->fits(piece.bytes + b)) {
        out.push_back(std::move(piece));
        piece = {};
      }
      piece.items.push_back(i);
      piece.bytes += b;
    }
    if (!piece.items.empty()) out.push_back(std::move(piece));
  }
  return out;
}

std::vector<ItemError> run_in_threads(const ParallelOptions& opt, std::size_t n,
                                      const std::function<void(std::size_t)>& run_item) {
  std::vector<ItemError> failures;
  const std::size_t workers = resolve_workers(opt);
  const std::vector<PreparedChunk> chunks = prepare_chunks(opt, n, workers, failures);
  const std::size_t lanes = std::min(workers, chunks.size());

  std::mutex fail_mu;
  std::atomic<std::size_t> next{0};
  // A lane takes the next chunk until none is left: dynamic scheduling, so
  // uneven chunks balance themselves.
  auto lane = [&] {
    for (;;) {
      const std::size_t c = next.fetch_add(1, std::memory_order_relaxed);
      if (c >= chunks.size()) return;
      MemoryBudget::Reservation held;
      if (opt.memory_budget && chunks[c].bytes) held = opt.memory_budget->reserve(chunks[c].bytes, "chunk");
      for (std::size_t i : chunks[c].items) {
        try {
          run_item(i);
        } catch (...) {
          ItemError e{i, ItemFailure::exception, describe_current_exception(), std::current_exception()};
          std::lock_guard lock(fail_mu);
          failures.push_back(std::move(e));
        }
      }
    }
  };

  if (lanes <= 1) {
    lane();
  } else {
    ThreadPool* pool = opt.thread_pool ? opt.thread_pool : ThreadPool::current();
    std::unique_ptr<ThreadPool> own;
    if (!pool) {
      ThreadPool& shared = ThreadPool::shared();
      if (shared.size() + 1 >= lanes) {
        pool = &shared;
      } else {  // more workers than the shared pool has threads: a pool for this call
        own = std::make_unique<ThreadPool>(lanes - 1);
        pool = own.get();
      }
    }
    // The caller runs one lane itself and then helps: nested calls from a
    // pool task cannot deadlock, and exactly `lanes` run at once.
    TaskGroup group(*pool);
    for (std::size_t k = 1; k < lanes; ++k) group.run(lane);
    lane();
    group.wait();
  }
  std::sort(failures.begin(), failures.end(),
            [](const ItemError& a, const ItemError& b) { return a.index < b.index; });
  return failures;
}

}  // namespace detail
}  // namespace gpualign
