// Host cost of the CUDA engine: one score-only align() per iteration on the
// fake CUDA runtime (tests/cuda/fake_cuda_runtime.hpp) with its device work
// switched off -- copies to the device move nothing, kernels only report "no
// candidate" -- so the time left is the engine's own host work: sorting and
// planning, staging codes into pinned buffers, merging partials.  On a GPU
// that work runs beside the device's and bounds the whole call's rate
// (cuda_engine_bench's GCUPS_wall); this bench measures it without one.
// The fake device looks like an H100 (132 multiprocessors).  Results are
// meaningless by design; only the time counts.

#include <benchmark/benchmark.h>

#include <map>
#include <memory>
#include <string>

#include "cuda/cuda_engine.hpp"
#include "cuda/fake_cuda_runtime.hpp"
#include "gpualign/workloads.hpp"

namespace {

namespace fake = gpualign::test::fake_cuda;

const gpualign::Workload& workload(const std::string& name) {
  static std::map<std::string, std::unique_ptr<gpualign::Workload>> cache;
  auto& w = cache[name];
  if (!w) w = std::make_unique<gpualign::Workload>(gpualign::make_workload(name, 1, 1.0));
  return *w;
}

void BM_CudaHost(benchmark::State& state, std::string name, gpualign::cuda::CudaTuning tuning) {
  fake::reset();
  fake::config().sms = 132;
  fake::config().intra_blocks_per_sm = 6;
  fake::config().total_bytes = std::size_t{4} << 30;
  fake::config().device_work = false;
  gpualign::cuda::CudaEngine engine(tuning);
  if (!engine.available()) {
    state.SkipWithError(("the fake device is not in use: " + engine.unavailable_reason()).c_str());
    return;
  }
  const gpualign::Workload& w = workload(name);
  const auto pairs = w.pairs();
  std::vector<gpualign::Alignment> out(pairs.size());
  const gpualign::AlignOptions opt{gpualign::AlignMode::local, gpualign::AlignOutput::score_end};
  engine.align(pairs, w.scoring, opt, out);  // warm-up: buffers
  if (fake::calls().launches == 0) {
    state.SkipWithError("the fake runtime did not take the real one's place");
    return;
  }
  for (auto _ : state) engine.align(pairs, w.scoring, opt, out);
  state.counters["pairs"] = static_cast<double>(pairs.size());
  state.counters["up_MB"] = static_cast<double>(engine.last_stats().upload_bytes) / 1e6;  // host-to-device bytes a call
  // The GPU rate the host work alone would allow (cells / host time).
  state.counters["GCUPS_host_bound"] =
      benchmark::Counter(static_cast<double>(w.cells()) / 1e9, benchmark::Counter::kIsIterationInvariantRate);
}

const bool registered = [] {
  auto add = [](const std::string& row, const char* name, gpualign::cuda::CudaTuning t) {
    benchmark::RegisterBenchmark(row.c_str(), BM_CudaHost, std::string(name), t)
        ->Unit(benchmark::kMillisecond)
        ->MinTime(1.0);
  };
  // Short pairs cost the host more on whole warps (the default) than on a
  // thread per slot: a worker's partials are a warp's lanes.
  gpualign::cuda::CudaTuning threads;
  threads.short_kernel = gpualign::cuda::CudaTuning::ShortKernel::threads;
  // Every pair as given (CudaTuning::transpose): transposed jobs are sorted
  // again for their slots, by the kernel's rows.
  gpualign::cuda::CudaTuning as_given;
  as_given.transpose = gpualign::cuda::CudaTuning::Transpose::never;
  for (const char* name : {"W1", "P1", "W2", "W3"}) {
    add(std::string("cuda-host/") + name + "/score", name, {});
    if (std::string(name) == "W1") add(std::string("cuda-host/") + name + "/score/threads", name, threads);
    if (std::string(name) == "W1" || std::string(name) == "P1")
      add(std::string("cuda-host/") + name + "/score/as-given", name, as_given);
  }
  return true;
}();

}  // namespace

BENCHMARK_MAIN();
