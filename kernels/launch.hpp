#pragma once
// Host entry points of the device code (the "dispatch" layer): pick the
// template instance for (width, mode) and launch it.  Internal header, used
// by src/cuda only; no CUDA type leaks into the public API.

#include <cuda_runtime_api.h>

#include <cstdint>

#include "layout.hpp"

namespace gpualign::kern {

/// Threads per block of every kernel.
inline constexpr int kBlockThreads = 128;

/// Launches the inter-sequence kernel over a.num_slots threads.  `acgt`
/// (16-bit only): the instance that takes substitution scores from
/// registers (a.sc.v_sub_*; slots of A, C, G, T only); `prefix_f` (16-bit
/// only): the one that takes F down a strip as a prefix maximum.
void launch_inter(const InterArgs& a, bool sixteen, bool acgt, bool prefix_f, int mode,
                  const std::int32_t* d_table, cudaStream_t stream);

/// Launches the intra-sequence kernel for a.num_workers workers of `lanes`
/// lanes each (kWarp, or kGroupLanes with the count padded to whole warps),
/// `rows` query rows a lane (kIntraRows; kIntraShortRows for 16-bit whole
/// warps: the plan's IntraPlan::rows); `acgt` as for launch_inter;
/// `prefix_f` as for launch_inter, for 16-bit whole warps of kIntraRows
/// rows a lane.
void launch_intra(const IntraArgs& a, int lanes, int rows, bool sixteen, bool acgt, bool prefix_f, int mode,
                  const std::int32_t* d_table, cudaStream_t stream);

/// Resident blocks per multiprocessor of the whole-warp intra kernel with
/// `rows` rows a lane (for the worker capacity that keeps every launch
/// co-resident).
int intra_blocks_per_sm(bool sixteen, bool acgt, int mode, int rows = kIntraRows, bool prefix_f = false);

/// Launches the traceback kernel over a.num_slots threads (one window each);
/// `d_table` is the launch table (its plain s + open part is read).  Blocks
/// shrink from kBlockThreads towards one warp until there are two per
/// multiprocessor (`sm_count`), so few windows still spread over the GPU.
void launch_trace(const TraceArgs& a, const std::int32_t* d_table, int sm_count, cudaStream_t stream);

/// Launches the warp traceback kernel over a.num_workers
/// whole-warp workers (all resident at once: the caller sizes the launch by
/// trace_warp_blocks_per_sm); `d_table` as for launch_trace.
void launch_trace_warp(const TraceWarpArgs& a, const std::int32_t* d_table, cudaStream_t stream);

/// Resident blocks per multiprocessor of the warp traceback
/// kernel (its workers, like the intra kernel's, wait on each other).
int trace_warp_blocks_per_sm();

/// Packs the interleaved code words of an inter launch on the device
/// (Thrust) from the batch's code stream, `code_bits` a code in the words.
void pack_inter_device(const Slot* d_slots, const InterGroup* d_groups, int num_slots, int num_groups,
                       CodeStream d_codes, std::uint32_t* d_q_words, std::uint32_t* d_t_words, int lanes,
                       int code_bits, int pad, cudaStream_t stream);

}  // namespace gpualign::kern
