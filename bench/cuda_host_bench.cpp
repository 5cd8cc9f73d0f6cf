// Host cost of the CUDA engine: one score-only align() per iteration on the
// fake CUDA runtime (tests/cuda/fake_cuda_runtime.hpp) with its device work
// switched off -- copies to the device move nothing, kernels only report "no
// candidate" -- so the time left is the engine's own host work: sorting and
// planning, staging codes into pinned buffers, merging partials.  On a GPU
// that work runs beside the device's and bounds the whole call's rate
// (cuda_engine_bench's GCUPS_wall); this bench measures it without one.
// The fake device looks like an H100 (132 multiprocessors).  Results are
// meaningless by design; only the time counts.  The ".../oracle" rows
// (BM_CudaHostOracle) measure the same host work on true results, with
// begins and CIGARs too.

#include <benchmark/benchmark.h>

#include <map>
#include <memory>
#include <string>

#include "cuda/cuda_engine.hpp"
#include "cuda/fake_cuda_runtime.hpp"
#include "cuda/oracle_device.hpp"
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
  // The kernels' lane-cells over the cells (CudaRunStats::ends_lane_cells):
  // planned on the host, so known here without a GPU.
  const gpualign::cuda::CudaRunStats& s = engine.last_stats();
  state.counters["lane_padding"] =
      s.ends_cells > 0 ? static_cast<double>(s.ends_lane_cells) / static_cast<double>(s.ends_cells) : 0;
  state.counters["up_MB"] = static_cast<double>(s.upload_bytes) / 1e6;  // host-to-device bytes a call
  // The GPU rate the host work alone would allow (cells / host time).
  state.counters["GCUPS_host_bound"] =
      benchmark::Counter(static_cast<double>(w.cells()) / 1e9, benchmark::Counter::kIsIterationInvariantRate);
}

// The same host work with begins and CIGARs (or any output): the fake's
// oracle device (tests/cuda/oracle_device.hpp) answers every launch from
// the CPU engine's results, kept from the warm-up call, so the engine's
// three passes run at full size on true ends, begins and paths.  The time
// of an iteration is the call's wall less its waits for the device
// (CudaRunStats::wait_ms: the oracle's lookups, the fake's copies): what
// the host spends, split in the counters as CudaRunStats splits it.
void BM_CudaHostOracle(benchmark::State& state, std::string name, gpualign::AlignOutput output,
                       gpualign::cuda::CudaTuning tuning) {
  fake::reset();
  fake::config().sms = 132;
  fake::config().intra_blocks_per_sm = 6;
  // An H100's memory, so the device budget splits batches as there (the
  // fake allocates only what the engine uses).
  fake::config().total_bytes = std::size_t{80} << 30;
  const gpualign::Workload& w = workload(name);
  fake::config().oracle = gpualign::test::cpu_oracle(w.scoring);
  gpualign::cuda::CudaEngine engine(tuning);
  if (!engine.available()) {
    state.SkipWithError(("the fake device is not in use: " + engine.unavailable_reason()).c_str());
    return;
  }
  const auto pairs = w.pairs();
  std::vector<gpualign::Alignment> out(pairs.size());
  const gpualign::AlignOptions opt{gpualign::AlignMode::local, output};
  // Warm-up: the oracle's answers, and buffers (a batch may land on the
  // other lane in the next call: two calls grow both).
  for (int k = 0; k < 3; ++k) engine.align(pairs, w.scoring, opt, out);
  if (fake::calls().launches == 0) {
    state.SkipWithError("the fake runtime did not take the real one's place");
    return;
  }
  for (const gpualign::Alignment& a : out)
    if (a.status != gpualign::AlignStatus::ok) {
      state.SkipWithError(("a pair failed on the oracle device: " + a.message).c_str());
      return;
    }
  double prepare = 0, submit = 0, results = 0, own = 0;
  const long long mallocs_before = fake::calls().mallocs;
  for (auto _ : state) {
    engine.align(pairs, w.scoring, opt, out);
    const gpualign::cuda::CudaRunStats& s = engine.last_stats();
    state.SetIterationTime((s.wall_ms - s.wait_ms) / 1e3);
    prepare += s.prepare_ms;
    submit += s.submit_ms;
    results += s.results_ms;
    own += s.wall_ms - s.wait_ms - s.prepare_ms - s.submit_ms - s.results_ms;
  }
  const double n = static_cast<double>(state.iterations());
  state.counters["ms_prepare"] = prepare / n;
  state.counters["ms_submit"] = submit / n;
  state.counters["ms_results"] = results / n;
  state.counters["ms_align_loops"] = own / n;  // align()'s own loops between the passes
  state.counters["pairs"] = static_cast<double>(pairs.size());
  // Device buffers grown in the timed calls (0 once the warm-up grew them:
  // a cudaMalloc there would be timed as host work) and the device bytes
  // the engine held at most.
  state.counters["device_mallocs"] = static_cast<double>(fake::calls().mallocs - mallocs_before);
  state.counters["device_peak_MB"] = static_cast<double>(fake::calls().peak_device_bytes) / 1e6;
  fake::config().oracle = nullptr;
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
  // 128-row tiles (CudaTuning::intra_rows 4): their lane_padding against
  // the default's, on the pairs whose tiles they round least.
  gpualign::cuda::CudaTuning rows4;
  rows4.intra_rows = 4;
  for (const char* name : {"W1", "P1", "W2", "W3"}) {
    add(std::string("cuda-host/") + name + "/score", name, {});
    if (std::string(name) == "W1" || std::string(name) == "P1")
      add(std::string("cuda-host/") + name + "/score/rows:4", name, rows4);
    if (std::string(name) == "W1") add(std::string("cuda-host/") + name + "/score/threads", name, threads);
    if (std::string(name) == "W1" || std::string(name) == "P1")
      add(std::string("cuda-host/") + name + "/score/as-given", name, as_given);
  }
  auto add_oracle = [](const std::string& row, const char* name, gpualign::AlignOutput output) {
    benchmark::RegisterBenchmark(row.c_str(), BM_CudaHostOracle, std::string(name), output,
                                 gpualign::cuda::CudaTuning{})
        ->Unit(benchmark::kMillisecond)
        ->UseManualTime()
        ->Iterations(30);
  };
  for (const char* name : {"W1", "P1"}) {
    add_oracle(std::string("cuda-host/") + name + "/score/oracle", name, gpualign::AlignOutput::score_end);
    add_oracle(std::string("cuda-host/") + name + "/cigar/oracle", name, gpualign::AlignOutput::cigar);
  }
  return true;
}();

}  // namespace

BENCHMARK_MAIN();
