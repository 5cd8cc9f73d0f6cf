#pragma once
// Device rates of the operations the score kernels are built from.  NVIDIA
// publishes no throughput for the DPX instructions (VIADDMNMX.S16x2,
// VIMNMX3.S16x2), and the ceilings in kernels/PERFORMANCE.md turn on it, so
// the first run on a GPU measures them (bench/cuda_ops_bench.cpp).  A float
// FMA row calibrates the method: Hopper issues 128 FFMA lanes per SM per
// clock.  Benchmark code, not part of the library.

#include <cuda_runtime_api.h>

namespace gpualign::kern {

enum class ProbeOp : int {
  ffma_f32 = 0,      ///< a = a * b + c (float): the calibration row
  addmax_s16x2 = 1,  ///< a = max(a + b, c) per halfword (__viaddmax_s16x2)
  max3_s16x2 = 2,    ///< a = max(a, b, c) per halfword (__vimax3_s16x2), c varying
};

struct ProbeResult {
  /// Throughput: operations per SM per clock, every SM busy (the median
  /// SM); 128 means one per lane of each of the 4 sub-partitions per clock.
  double ops_per_sm_clock = 0;
  /// Latency: clocks per operation of a single dependent chain.
  double clocks_per_dependent_op = 0;
};

/// Runs `op` in 8 independent chains per thread on `blocks` blocks of 1024
/// threads (give at least the SM count), then in one chain on one thread,
/// `iters` times each; clocks from the SMs' own counters.  Returns the
/// first CUDA error, or cudaSuccess with `out` filled.
cudaError_t probe_op(ProbeOp op, int blocks, int iters, ProbeResult& out);

}  // namespace gpualign::kern
