// Microbenchmarks of the dispatcher and the pipeline's scheduling pieces.
#include <thread>

#include <benchmark/benchmark.h>

#include "dispatch/bounded_queue.hpp"
#include "gpualign/cost_model.hpp"
#include "gpualign/dispatcher.hpp"
#include "gpualign/workloads.hpp"

namespace {

using namespace gpualign;

// Routing one batch: measuring it and predicting every backend.
void BM_RouteBatch(benchmark::State& state) {
  const Workload w = make_workload("W1", 1, static_cast<double>(state.range(0)) / 20000.0);
  const auto pairs = w.pairs();
  CostModel model(builtin_profile(), {.cpu_workers = 2});
  for (auto _ : state) {
    const BatchCost c = measure_batch(pairs, {});
    benchmark::DoNotOptimize(model.route(c));
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(pairs.size()));
}
BENCHMARK(BM_RouteBatch)->Arg(1)->Arg(100)->Arg(10000);

// A tiny batch (4 W1 pairs) through each backend: auto must cost about what
// serial costs, not what starting a pool costs (the tuning guide's first pitfall).
void BM_TinyBatch(benchmark::State& state) {
  const Workload w = make_workload("W1", 2, 4.0 / 20000.0);
  const auto pairs = w.pairs();
  DispatcherConfig c;
  c.backend = static_cast<Backend>(state.range(0));
  c.num_workers = 2;
  c.profile = builtin_profile();
  c.options = {AlignMode::local, AlignOutput::score_end};
  Dispatcher d(c);
  for (auto _ : state) benchmark::DoNotOptimize(d.align(pairs));
  state.SetLabel(std::string(to_string(c.backend)));
}
BENCHMARK(BM_TinyBatch)
    ->Arg(static_cast<int>(Backend::serial))
    ->Arg(static_cast<int>(Backend::threads))
    ->Arg(static_cast<int>(Backend::processes))
    ->Arg(static_cast<int>(Backend::automatic))
    ->Unit(benchmark::kMicrosecond);

// A W1 slice (1,000 pairs) through each CPU backend and auto.
void BM_W1Slice(benchmark::State& state) {
  const Workload w = make_workload("W1", 3, 0.05);
  const auto pairs = w.pairs();
  DispatcherConfig c;
  c.backend = static_cast<Backend>(state.range(0));
  c.profile = builtin_profile();
  c.options = {AlignMode::local, AlignOutput::score_end};
  Dispatcher d(c);
  for (auto _ : state) benchmark::DoNotOptimize(d.align(pairs));
  state.counters["GCUPS"] = benchmark::Counter(static_cast<double>(w.cells()) * static_cast<double>(state.iterations()) / 1e9,
                                               benchmark::Counter::kIsRate);
  state.SetLabel(std::string(to_string(c.backend)) + " -> " + d.stats().backends());
}
BENCHMARK(BM_W1Slice)
    ->Arg(static_cast<int>(Backend::serial))
    ->Arg(static_cast<int>(Backend::threads))
    ->Arg(static_cast<int>(Backend::automatic))
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

// Hand-off cost of the pipeline's bounded queue between two threads.
void BM_BoundedQueueHandoff(benchmark::State& state) {
  const std::size_t depth = static_cast<std::size_t>(state.range(0));
  for (auto _ : state) {
    detail::BoundedQueue<int> q(depth);
    std::thread consumer([&] {
      while (q.pop()) {
      }
    });
    for (int i = 0; i < 10000; ++i) q.push(i);
    q.close();
    consumer.join();
  }
  state.SetItemsProcessed(state.iterations() * 10000);
}
BENCHMARK(BM_BoundedQueueHandoff)->Arg(1)->Arg(2)->Arg(64)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
