// ParallelAligner speedup over one worker, for 1..N workers (N = usable
// CPUs, at least 2), on threads and on processes, on DESIGN.md's W1 and W2
// scaled down to run in well under a minute on 2 cores.  Counters:
// speedup_vs_1 (against the same pool with one worker, measured first in the
// same run) and gcups.  Engine: the best registered one (ParallelAligner's
// default), local mode, score and end positions only (GPUALIGN_BENCH_OUTPUT=
// cigar adds the traceback, far slower on W2).  GPUALIGN_BENCH_SCALE
// multiplies the sizes.

#include <benchmark/benchmark.h>

#include <chrono>
#include <cstdlib>
#include <map>
#include <memory>
#include <string>

#include "gpualign/parallel_aligner.hpp"
#include "gpualign/worker_defaults.hpp"
#include "gpualign/workloads.hpp"

namespace {

using namespace gpualign;

double env_scale() {
  const char* s = std::getenv("GPUALIGN_BENCH_SCALE");
  return s ? std::atof(s) : 1.0;
}

const Workload& workload(int which) {
  // W1: 20,000 pairs -> 1,000; W2: 2,000 pairs -> 40 (scale 0.05 and 0.02).
  static std::map<int, std::unique_ptr<Workload>> cache;
  auto& w = cache[which];
  if (!w) w = std::make_unique<Workload>(make_workload(which == 1 ? "W1" : "W2", 1, (which == 1 ? 0.05 : 0.02) * env_scale()));
  return *w;
}

std::map<std::string, double>& one_worker_seconds() {
  static std::map<std::string, double> m;
  return m;
}

// args: workload (1 or 2), pool (0 thread, 1 process), workers
void BM_ParallelAligner(benchmark::State& state) {
  const Workload& w = workload(static_cast<int>(state.range(0)));
  const auto pool = state.range(1) == 0 ? PoolType::thread : PoolType::process;
  const auto workers = static_cast<std::size_t>(state.range(2));
  const auto pairs = w.pairs();
  const char* out_env = std::getenv("GPUALIGN_BENCH_OUTPUT");
  const AlignOutput output = out_env && std::string(out_env) == "cigar" ? AlignOutput::cigar : AlignOutput::score_end;
  ParallelAligner aligner({.num_workers = workers, .pool_type = pool, .scoring = w.scoring,
                           .options = {.mode = AlignMode::local, .output = output}});
  const auto t0 = std::chrono::steady_clock::now();
  for (auto _ : state) {
    auto out = aligner.align_pairs(pairs);
    benchmark::DoNotOptimize(out.data());
  }
  const double per_iter = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count() /
                          static_cast<double>(state.iterations());
  const std::string key = w.name + "/" + std::string(to_string(pool));
  if (workers == 1) one_worker_seconds()[key] = per_iter;  // registered first for each key
  if (auto it = one_worker_seconds().find(key); it != one_worker_seconds().end())
    state.counters["speedup_vs_1"] = it->second / per_iter;
  state.counters["gcups"] = static_cast<double>(w.cells()) * 1e-9 / per_iter;
  state.counters["pairs"] = static_cast<double>(pairs.size());
  state.SetLabel(key + " engine=" + aligner.engine_name());
}

void register_all() {
  const std::int64_t max_workers = static_cast<std::int64_t>(std::max<std::size_t>(2, usable_cpus()));
  for (std::int64_t wl : {1, 2})
    for (std::int64_t pool : {0, 1})
      for (std::int64_t k = 1; k <= max_workers; ++k)
        benchmark::RegisterBenchmark("BM_ParallelAligner", BM_ParallelAligner)
            ->Args({wl, pool, k})
            ->ArgNames({"W", "process", "workers"})
            ->Unit(benchmark::kMillisecond)
            ->UseRealTime()
            ->MinTime(0.5);
}

}  // namespace

int main(int argc, char** argv) {
  register_all();
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
