// Device rates of the operations the score kernels are built from, one row
// per operation: throughput (operations per SM per clock, every SM busy) and
// latency (clocks per operation of one dependent chain).  FFMA is the
// calibration row (Hopper: 128 per SM per clock).  Reports an error (skips)
// where no GPU exists.  kernels/op_probe.hpp says how it measures.

#include <benchmark/benchmark.h>
#include <cuda_runtime_api.h>

#include <string>

#include "op_probe.hpp"

namespace {

using gpualign::kern::ProbeOp;

void BM_Op(benchmark::State& state, ProbeOp op) {
  int devices = 0, sms = 0;
  if (cudaGetDeviceCount(&devices) != cudaSuccess || devices == 0 ||
      cudaDeviceGetAttribute(&sms, cudaDevAttrMultiProcessorCount, 0) != cudaSuccess) {
    state.SkipWithError("no usable GPU");
    return;
  }
  gpualign::kern::ProbeResult r;
  for (auto _ : state) {
    // Four 1024-thread blocks per SM: every SM busy, two waves of two.
    const cudaError_t e = gpualign::kern::probe_op(op, 4 * sms, 1 << 16, r);
    if (e != cudaSuccess) {
      state.SkipWithError((std::string("CUDA: ") + cudaGetErrorString(e)).c_str());
      return;
    }
  }
  state.counters["ops_per_sm_clk"] = r.ops_per_sm_clock;
  state.counters["clk_per_dep_op"] = r.clocks_per_dependent_op;
}

BENCHMARK_CAPTURE(BM_Op, ffma_f32, ProbeOp::ffma_f32)->Iterations(1)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_Op, addmax_s16x2, ProbeOp::addmax_s16x2)->Iterations(1)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_Op, max3_s16x2, ProbeOp::max3_s16x2)->Iterations(1)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
