// The kernels ("agent" code lives in inter_agent.hpp / intra_agent.hpp /
// trace_agent.hpp and is shared with the CPU tests) and their launch
// wrappers.  One instance per (width, mode): 2 x 3 per score kernel, kept
// small for compile time; one traceback kernel (32-bit, global windows).

#include <thrust/execution_policy.h>
#include <thrust/for_each.h>
#include <thrust/iterator/counting_iterator.h>

#include "device_warp.cuh"
#include "inter_agent.hpp"
#include "intra_agent.hpp"
#include "launch.hpp"
#include "trace_agent.hpp"
#include "trace_warp_agent.hpp"

namespace gpualign::kern {
namespace {

// The substitution table goes to shared memory: every cell reads it.
__device__ __forceinline__ void load_table(std::int32_t* tab, const std::int32_t* __restrict__ g) {
  for (int i = static_cast<int>(threadIdx.x); i < kTableWords; i += static_cast<int>(blockDim.x)) tab[i] = g[i];
  __syncthreads();
}

// kAcgt instances take their scores from registers (recurrence.hpp) and
// need no table.
// kPrefixF: F down a strip's column as a prefix maximum (recurrence.hpp).
// Resident blocks asked of ptxas: left alone, it spilled 4 bytes in the
// plain 16-bit semi-global instance (80 registers); asked for 5 blocks a SM
// the plain instances spill nothing (83 registers there).  The prefix-F
// instances are left alone (asked for 5, the local one grew 79 -> 88).
template <class Ops, int kMode, bool kAcgt, bool kPrefixF = false>
__global__ void __launch_bounds__(kBlockThreads, kPrefixF ? 0 : 5) inter_kernel(InterArgs a, const std::int32_t* __restrict__ table) {
  const int thread = static_cast<int>(blockIdx.x * blockDim.x + threadIdx.x);
  if constexpr (kAcgt) {
    inter_thread<Ops, kMode, true, kPrefixF>(a, thread, nullptr);
  } else {
    __shared__ std::int32_t tab[kTableWords];
    load_table(tab, table);
    inter_thread<Ops, kMode, false, kPrefixF>(a, thread, tab);
  }
}

// Resident blocks asked of ptxas (0: its own choice).  Left alone it put
// the 4-row instances in 72 registers with a 4-12 byte spill, the narrow
// workers at 107 (16 warps/SM) and spilled 8 bytes in the 32-bit
// whole-warp ones (sm_80); asked for 5 blocks a SM they take at most 102
// and spill nothing (20-24 warps/SM).  The 16-bit whole-warp instances
// of 8 rows are left alone: asked for 5, the ones with the prefix-maximum
// F grew by 14-17 instructions a column.
// On sm_80, where the CUDA headers emulate the 16-bit DPX operations in
// several instructions, the narrow 16-bit workers with table scores need
// more than 102 registers (they spilled 72-84 bytes asked for 5): 4 blocks.
#if defined(__CUDA_ARCH__) && __CUDA_ARCH__ < 900
inline constexpr bool kEmulatedDpx = true;
#else
inline constexpr bool kEmulatedDpx = false;
#endif
template <class Ops, int W, int R>
inline constexpr int kIntraMinBlocks = kEmulatedDpx && W != kWarp && Ops::kLanes == 2             ? 4
                                       : R == kIntraShortRows || W != kWarp || Ops::kLanes == 1 ? 5
                                                                                                 : 0;

template <class Ops, int kMode, int W, bool kAcgt, int R = kIntraRows, bool kPrefixF = false>
__global__ void __launch_bounds__(kBlockThreads, kIntraMinBlocks<Ops, W, R>)
    intra_kernel(IntraArgs a, const std::int32_t* __restrict__ table) {
  const int thread = static_cast<int>(blockIdx.x * blockDim.x + threadIdx.x);
  if constexpr (kAcgt) {
    if (thread / kWarp * (kWarp / W) >= a.num_workers) return;
    intra_worker<Ops, kMode, DeviceWarp, W, true, R, kPrefixF>(a, thread / W, nullptr);
  } else {
    __shared__ std::int32_t tab[kTableWords];
    load_table(tab, table);
    // Whole warps only (blockDim is a multiple of 32; the host pads the
    // workers to whole warps): the workers of a warp share its shuffles.
    if (thread / kWarp * (kWarp / W) >= a.num_workers) return;
    intra_worker<Ops, kMode, DeviceWarp, W, false, R, kPrefixF>(a, thread / W, tab);
  }
}

// The traceback reads only the plain part of the table (s + open).
__global__ void __launch_bounds__(kBlockThreads) trace_kernel(TraceArgs a, const std::int32_t* __restrict__ table) {
  __shared__ std::int32_t tab[kTableCells];
  for (int i = static_cast<int>(threadIdx.x); i < kTableCells; i += static_cast<int>(blockDim.x)) tab[i] = table[i];
  __syncthreads();
  trace_thread<kTraceRows>(a, static_cast<int>(blockIdx.x * blockDim.x + threadIdx.x), tab);
}

// Large windows: whole-warp workers (blockDim is a multiple of 32), each
// with its own walk-back cache in shared memory.  At least 6 blocks an SM
// (24 warps, as its ~78 registers give): left free, ptxas aims at 7 with 72
// registers and spills.
__global__ void __launch_bounds__(kBlockThreads, 6)
    trace_warp_kernel(TraceWarpArgs a, const std::int32_t* __restrict__ table) {
  __shared__ std::int32_t tab[kTableCells];
  __shared__ alignas(16) std::uint32_t walk[kBlockThreads / kWarp][kWalkCacheWords];  // 16-byte copies
  for (int i = static_cast<int>(threadIdx.x); i < kTableCells; i += static_cast<int>(blockDim.x)) tab[i] = table[i];
  __syncthreads();
  const int wid = static_cast<int>((blockIdx.x * blockDim.x + threadIdx.x) / kWarp);
  if (wid >= a.num_workers) return;
  trace_warp<DeviceWarp>(a, wid, tab, walk[threadIdx.x / kWarp]);
}

using KernelInter = void (*)(InterArgs, const std::int32_t*);
using KernelIntra = void (*)(IntraArgs, const std::int32_t*);

// Register scores (acgt) exist at 16-bit only; the engine never asks for
// them at 32-bit.
// The prefix-maximum F (CudaTuning::prefix_f): 16-bit only.
KernelInter pick_inter_prefix(bool acgt, int mode) {
  if (acgt) {
    if (mode == kLocal) return inter_kernel<OpsS16x2, kLocal, true, true>;
    if (mode == kGlobal) return inter_kernel<OpsS16x2, kGlobal, true, true>;
    return inter_kernel<OpsS16x2, kSemiGlobal, true, true>;
  }
  if (mode == kLocal) return inter_kernel<OpsS16x2, kLocal, false, true>;
  if (mode == kGlobal) return inter_kernel<OpsS16x2, kGlobal, false, true>;
  return inter_kernel<OpsS16x2, kSemiGlobal, false, true>;
}

KernelInter pick_inter(bool sixteen, bool acgt, int mode, bool prefix_f) {
  if (sixteen && prefix_f) return pick_inter_prefix(acgt, mode);
  if (sixteen && acgt) {
    if (mode == kLocal) return inter_kernel<OpsS16x2, kLocal, true>;
    if (mode == kGlobal) return inter_kernel<OpsS16x2, kGlobal, true>;
    return inter_kernel<OpsS16x2, kSemiGlobal, true>;
  }
  if (sixteen) {
    if (mode == kLocal) return inter_kernel<OpsS16x2, kLocal, false>;
    if (mode == kGlobal) return inter_kernel<OpsS16x2, kGlobal, false>;
    return inter_kernel<OpsS16x2, kSemiGlobal, false>;
  }
  if (mode == kLocal) return inter_kernel<OpsI32, kLocal, false>;
  if (mode == kGlobal) return inter_kernel<OpsI32, kGlobal, false>;
  return inter_kernel<OpsI32, kSemiGlobal, false>;
}

template <int W>
KernelIntra pick_intra_lanes(bool sixteen, bool acgt, int mode) {
  if (sixteen && acgt) {
    if (mode == kLocal) return intra_kernel<OpsS16x2, kLocal, W, true>;
    if (mode == kGlobal) return intra_kernel<OpsS16x2, kGlobal, W, true>;
    return intra_kernel<OpsS16x2, kSemiGlobal, W, true>;
  }
  if (sixteen) {
    if (mode == kLocal) return intra_kernel<OpsS16x2, kLocal, W, false>;
    if (mode == kGlobal) return intra_kernel<OpsS16x2, kGlobal, W, false>;
    return intra_kernel<OpsS16x2, kSemiGlobal, W, false>;
  }
  if (mode == kLocal) return intra_kernel<OpsI32, kLocal, W, false>;
  if (mode == kGlobal) return intra_kernel<OpsI32, kGlobal, W, false>;
  return intra_kernel<OpsI32, kSemiGlobal, W, false>;
}

// Short tiles (kIntraShortRows rows a lane): whole warps, 16-bit only.
KernelIntra pick_intra_short(bool acgt, int mode) {
  if (acgt) {
    if (mode == kLocal) return intra_kernel<OpsS16x2, kLocal, kWarp, true, kIntraShortRows>;
    if (mode == kGlobal) return intra_kernel<OpsS16x2, kGlobal, kWarp, true, kIntraShortRows>;
    return intra_kernel<OpsS16x2, kSemiGlobal, kWarp, true, kIntraShortRows>;
  }
  if (mode == kLocal) return intra_kernel<OpsS16x2, kLocal, kWarp, false, kIntraShortRows>;
  if (mode == kGlobal) return intra_kernel<OpsS16x2, kGlobal, kWarp, false, kIntraShortRows>;
  return intra_kernel<OpsS16x2, kSemiGlobal, kWarp, false, kIntraShortRows>;
}

// The prefix-maximum F (CudaTuning::prefix_f): 16-bit whole warps of
// kIntraRows rows a lane.
KernelIntra pick_intra_prefix(bool acgt, int mode) {
  if (acgt) {
    if (mode == kLocal) return intra_kernel<OpsS16x2, kLocal, kWarp, true, kIntraRows, true>;
    if (mode == kGlobal) return intra_kernel<OpsS16x2, kGlobal, kWarp, true, kIntraRows, true>;
    return intra_kernel<OpsS16x2, kSemiGlobal, kWarp, true, kIntraRows, true>;
  }
  if (mode == kLocal) return intra_kernel<OpsS16x2, kLocal, kWarp, false, kIntraRows, true>;
  if (mode == kGlobal) return intra_kernel<OpsS16x2, kGlobal, kWarp, false, kIntraRows, true>;
  return intra_kernel<OpsS16x2, kSemiGlobal, kWarp, false, kIntraRows, true>;
}

KernelIntra pick_intra(bool sixteen, bool acgt, int mode, int lanes, int rows, bool prefix_f) {
  if (rows == kIntraShortRows && lanes == kWarp && sixteen) return pick_intra_short(acgt, mode);
  if (prefix_f && lanes == kWarp && sixteen) return pick_intra_prefix(acgt, mode);
  return lanes == kWarp ? pick_intra_lanes<kWarp>(sixteen, acgt, mode)
                        : pick_intra_lanes<kGroupLanes>(sixteen, acgt, mode);
}

struct PackFunctor {
  const Slot* slots;
  const InterGroup* groups;
  CodeStream codes;
  std::uint32_t* q_words;
  std::uint32_t* t_words;
  int num_slots, lanes, bits, pad;
  __device__ void operator()(int idx) const {
    pack_inter_index(idx, slots, groups, num_slots, codes, q_words, t_words, lanes, bits, pad);
  }
};

}  // namespace

void launch_inter(const InterArgs& a, bool sixteen, bool acgt, bool prefix_f, int mode,
                  const std::int32_t* d_table, cudaStream_t stream) {
  if (a.num_slots <= 0) return;
  const int blocks = (a.num_slots + kBlockThreads - 1) / kBlockThreads;
  pick_inter(sixteen, acgt, mode, prefix_f)<<<blocks, kBlockThreads, 0, stream>>>(a, d_table);
}

void launch_intra(const IntraArgs& a, int lanes, int rows, bool sixteen, bool acgt, bool prefix_f, int mode,
                  const std::int32_t* d_table, cudaStream_t stream) {
  if (a.num_workers <= 0) return;
  const long long threads = static_cast<long long>(a.num_workers) * lanes;
  const int blocks = static_cast<int>((threads + kBlockThreads - 1) / kBlockThreads);
  pick_intra(sixteen, acgt, mode, lanes, rows, prefix_f)<<<blocks, kBlockThreads, 0, stream>>>(a, d_table);
}

void launch_trace(const TraceArgs& a, const std::int32_t* d_table, int sm_count, cudaStream_t stream) {
  if (a.num_slots <= 0) return;
  int threads = kBlockThreads;
  while (threads > kWarp && (a.num_slots + threads - 1) / threads < 2 * sm_count) threads /= 2;
  const int blocks = (a.num_slots + threads - 1) / threads;
  trace_kernel<<<blocks, threads, 0, stream>>>(a, d_table);
}

void launch_trace_warp(const TraceWarpArgs& a, const std::int32_t* d_table, cudaStream_t stream) {
  if (a.num_workers <= 0) return;
  const int per_block = kBlockThreads / kWarp;
  const int blocks = (a.num_workers + per_block - 1) / per_block;
  trace_warp_kernel<<<blocks, kBlockThreads, 0, stream>>>(a, d_table);
}

int trace_warp_blocks_per_sm() {
  int blocks = 0;
  if (cudaOccupancyMaxActiveBlocksPerMultiprocessor(&blocks, trace_warp_kernel, kBlockThreads, 0) != cudaSuccess)
    return 0;
  return blocks;
}

int intra_blocks_per_sm(bool sixteen, bool acgt, int mode, int rows, bool prefix_f) {
  int blocks = 0;
  if (cudaOccupancyMaxActiveBlocksPerMultiprocessor(&blocks, pick_intra(sixteen, acgt, mode, kWarp, rows, prefix_f),
                                                    kBlockThreads, 0) != cudaSuccess)
    return 0;
  return blocks;
}

void pack_inter_device(const Slot* d_slots, const InterGroup* d_groups, int num_slots, int num_groups,
                       CodeStream d_codes, std::uint32_t* d_q_words, std::uint32_t* d_t_words, int lanes,
                       int code_bits, int pad, cudaStream_t stream) {
  if (num_groups <= 0) return;
  const PackFunctor f{d_slots, d_groups, d_codes, d_q_words, d_t_words, num_slots, lanes, code_bits, pad};
  thrust::for_each_n(thrust::cuda::par_nosync.on(stream), thrust::counting_iterator<int>(0),
                     num_groups * kWarp * lanes, f);
}

}  // namespace gpualign::kern
