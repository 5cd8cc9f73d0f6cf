// Per-item overhead of execute_parallel on threads and on processes, of raw
// TaskGroup tasks, and per-task overhead of the DAG executor, all on empty
// work.  items_per_second is the figure; its inverse is the overhead.

#include <benchmark/benchmark.h>

#include <atomic>
#include <numeric>
#include <string>
#include <vector>

#include "gpualign/execute_parallel.hpp"
#include "gpualign/hierarchical_executor.hpp"
#include "gpualign/worker_defaults.hpp"

namespace {

using namespace gpualign;

std::vector<int> items_of(std::int64_t n) {
  std::vector<int> v(static_cast<std::size_t>(n));
  std::iota(v.begin(), v.end(), 0);
  return v;
}

// execute_parallel of an empty function; arg 0: items, arg 1: chunk size (0 = auto).
void BM_ExecuteParallelThreads(benchmark::State& state) {
  const auto items = items_of(state.range(0));
  const ParallelOptions opt{.num_workers = 2, .pool_type = PoolType::thread,
                            .chunk_size = static_cast<std::size_t>(state.range(1))};
  for (auto _ : state) benchmark::DoNotOptimize(execute_parallel([](int i) { return i; }, items, opt));
  state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_ExecuteParallelThreads)->Args({10000, 0})->Args({10000, 1})->Args({100000, 0})->UseRealTime();

void BM_ExecuteParallelProcesses(benchmark::State& state) {
  const auto items = items_of(state.range(0));
  const ParallelOptions opt{.num_workers = 2, .pool_type = PoolType::process,
                            .chunk_size = static_cast<std::size_t>(state.range(1))};
  for (auto _ : state) benchmark::DoNotOptimize(execute_parallel([](int i) { return i; }, items, opt));
  state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_ExecuteParallelProcesses)->Args({10000, 0})->Args({10000, 1})->Args({100000, 0})->UseRealTime();

// Fixed cost of one execute_parallel call on processes (fork, reap): 2 items.
void BM_ProcessPoolStartup(benchmark::State& state) {
  const auto items = items_of(2);
  const ParallelOptions opt{.num_workers = 2, .pool_type = PoolType::process, .chunk_size = 1};
  for (auto _ : state) benchmark::DoNotOptimize(execute_parallel([](int i) { return i; }, items, opt));
}
BENCHMARK(BM_ProcessPoolStartup)->UseRealTime();

void BM_TaskGroupEmptyTasks(benchmark::State& state) {
  ThreadPool pool(2);
  std::atomic<long> sink{0};
  for (auto _ : state) {
    TaskGroup g(pool);
    for (std::int64_t i = 0; i < state.range(0); ++i) g.run([&] { sink.fetch_add(1, std::memory_order_relaxed); });
    g.wait();
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_TaskGroupEmptyTasks)->Arg(10000)->UseRealTime();

// DAG executor on empty tasks: arg 0 = tasks, arg 1 = shape (0: independent, 1: a chain, 2: layers of 16).
void BM_DagEmptyTasks(benchmark::State& state) {
  const std::int64_t n = state.range(0);
  HierarchicalExecutor ex(2);
  for (std::int64_t i = 0; i < n; ++i) {
    std::vector<std::string> deps;
    if (state.range(1) == 1 && i > 0) deps.push_back("t" + std::to_string(i - 1));
    if (state.range(1) == 2 && i >= 16) deps.push_back("t" + std::to_string(i - 16 - i % 16));
    ex.add_task("t" + std::to_string(i), [] {}, deps);
  }
  double wall = 0, eff = 0;
  for (auto _ : state) {
    auto rep = ex.execute();
    wall += rep.wall_seconds();
    eff = rep.parallel_efficiency();
  }
  state.SetItemsProcessed(state.iterations() * n);
  state.counters["us_per_task_in_run"] = 1e6 * wall / static_cast<double>(state.iterations() * n);
  benchmark::DoNotOptimize(eff);
}
BENCHMARK(BM_DagEmptyTasks)->Args({1000, 0})->Args({1000, 1})->Args({1024, 2})->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
