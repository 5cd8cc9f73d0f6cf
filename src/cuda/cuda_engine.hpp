#pragma once
// The CUDA engine (internal header: the public API only sees it through
// make_engine("cuda")).  Registered as "cuda"; without a usable device it
// reports itself unavailable and aligns on the CPU.

#include <cstdint>
#include <memory>
#include <string>

#include "gpualign/engine.hpp"

namespace gpualign::cuda {

/// Timings of the last align() call, for benchmarks.
struct CudaRunStats {
  double kernel_ms = 0;      ///< sum of kernel time (CUDA events around the launches)
  double device_ms = 0;      ///< sum of per-batch copies in + kernels + copies out
  /// From the first batch's start to the last one's end on the device:
  /// device_ms counts the time two batches overlap (a copy beside a
  /// kernel, a kernel in the tail of another) twice; this counts it once,
  /// and counts the device idle between batches and passes.
  double device_span_ms = 0;
  double wall_ms = 0;        ///< whole align() call, host work (CIGAR on the CPU) included
  /// The call's wall time by phase, host work and waits for the device
  /// included: the forward pass (score, end), the reverse pass (begin), the
  /// CIGARs (staging, traceback kernels, paths to CIGARs, windows on the
  /// CPU).  What is left of wall_ms is setup and the pairs the CPU takes.
  double forward_wall_ms = 0, begin_wall_ms = 0, cigar_wall_ms = 0;
  /// Of wall_ms: the host blocked on a batch's stream (the device behind);
  /// the host turning downloaded batches into ends and CIGARs (merging
  /// partials, paths to CIGARs); the host planning, staging and launching
  /// one batch (submit); the host preparing a pass's batches (packing its
  /// codes into the host store, sorting and splitting its pairs; the
  /// CIGAR windows' batches).  The rest is align()'s own loops (specs,
  /// begins, windows, clearing the previous output) and the CPU's pairs and
  /// windows.
  double wait_ms = 0, results_ms = 0, submit_ms = 0, prepare_ms = 0;
  std::uint64_t batches = 0;  ///< batches the call submitted (forward, reverse, reruns, tracebacks)
  std::uint64_t device_cells = 0;  ///< cells the kernels computed (forward + reverse + 32-bit reruns + traceback windows)
  /// Of device_cells, those of the passes for ends (forward, reverse,
  /// 32-bit reruns), and the lane-cells their kernels stepped through for
  /// them: padding included (rows rounded up to whole tiles, the lanes'
  /// skew, a slot's two problems at the larger one's size).  Their ratio
  /// is the work the kernels' layout adds (W1: ~1.38).
  std::uint64_t ends_cells = 0, ends_lane_cells = 0;
  /// Cells of the reverse pass for begins (its problems' sizes): the
  /// reversed prefixes reach back only as far as an alignment of the
  /// forward score can (kernels/plan.hpp begin_reach).
  std::uint64_t begin_cells = 0;
  std::uint64_t peak_device_bytes = 0;
  /// Bytes the call's batches copied to the device (codes, slots, workers,
  /// offsets; the substitution table is not counted).  Codes take 2 bits
  /// each in batches of A, C, G, T only, 4 in other DNA batches
  /// (kernels/code_stream.hpp), a byte in protein ones.
  std::uint64_t upload_bytes = 0;
  std::uint64_t reruns_32bit = 0;  ///< pairs rerun at 32-bit after 16-bit overflow
  std::uint64_t transposed = 0;    ///< problems the intra kernel aligned transposed (CudaTuning::transpose), both passes
  std::uint64_t cpu_pairs = 0;     ///< pairs aligned entirely on the CPU (empty, too large for 32-bit)
  std::uint64_t trace_gpu_pairs = 0;   ///< CIGARs traced on the GPU
  std::uint64_t trace_cpu_pairs = 0;   ///< CIGAR windows traced on the CPU (empty, over the cell cap or the budget)
  std::uint64_t trace_fallbacks = 0;   ///< GPU tracebacks rejected (score or path mismatch), redone on the CPU
};

/// How the engine splits its work between kernels: data, so that benchmarks
/// and tests can compare choices on one device in one run.  The defaults are
/// what make_engine("cuda") uses.
struct CudaTuning {
  /// Which kernel the short pairs (short_max_len, below) run on.
  enum class ShortKernel {
    /// The intra-sequence kernel's whole-warp workers, a warp per slot of
    /// one tile (256 query rows) or two.  Measured fastest on an H100
    /// (kernels/PERFORMANCE.md, "First GPU run"): W1 2.9 ms, P1 1.6 ms of
    /// kernel time, against 3.3 / 4.3 ms on narrow workers and 16 / 19 ms
    /// on a thread per slot.
    whole_warps,
    /// The intra-sequence kernel's narrow workers (kernels/layout.hpp
    /// kGroupLanes = 8 threads per slot, tiles of 64 query rows, four slots
    /// a warp).
    narrow_workers,
    /// The inter-sequence kernel, a thread per slot: each slot's strips
    /// pass their bottom rows through device memory, whose latency only a
    /// full GPU hides.  W1's 10,000 slots (~4% of an H100's threads) ran
    /// 5.3-5.6x slower than on whole warps, and 16 times W1 ("W1x16"
    /// bench rows) 3.7x.
    threads,
  };
  /// Pairs with max(|query|, |target|) up to this are short: they run on
  /// short_kernel; longer ones on the intra-sequence kernel's whole-warp
  /// workers (long slots shared by several warps, tiles pipelined).
  int short_max_len = 2048;
  ShortKernel short_kernel = ShortKernel::whole_warps;
  /// Short pairs on whole warps: when a batch has at least as many slots as
  /// the GPU holds warps, one launch with a warp per slot (none waits for
  /// another, so it may be larger than what is resident) instead of
  /// launches of one full GPU each, whose tails leave SMs idle while their
  /// last warps finish (kernels/plan.hpp make_intra_plan).  A model of W1's
  /// two batches (a third of its slots take two tiles) predicted ~15% off
  /// the forward kernel; on an H100 W1's took 1.86 ms against 2.16 (0.86x),
  /// P1's the same either way (kernels/PERFORMANCE.md, "Second GPU run").
  /// Off: launches of one full GPU each (bench rows ".../per-launch").
  bool short_one_launch = true;
  /// 16-bit batches of pairs made of A, C, G, T only, under a DNA scheme
  /// that scores them by match / mismatch (or transitions / transversions),
  /// take their substitution scores from registers instead of the shared
  /// table (kernels/recurrence.hpp): ~3 instructions fewer per packed
  /// cell-row.  Off: every batch reads the table.
  bool acgt_registers = true;
  /// CIGAR windows of at least this many cells are traced by whole-warp
  /// workers (kernels/trace_warp_agent.hpp: the window's rows in 256-row
  /// tiles, up to a warp per tile, pipelined; direction codes stored a
  /// coalesced line per step); smaller ones a thread per window
  /// (trace_agent.hpp), many at once.  0 sends every window to the warp
  /// kernel.  On an H100, W1's windows (~2e4-1e5 cells) a warp each took
  /// W1 with CIGAR from 15.5 to 12.0 ms of device time (kernels/
  /// PERFORMANCE.md, "First GPU run"), so only windows smaller than W1's
  /// stay on a thread each (P1 was not compared).
  std::uint64_t warp_trace_min_cells = std::uint64_t{1} << 14;
  /// Largest CIGAR window (cells) traced on the GPU; larger ones, and any
  /// whose direction codes (half a byte a cell) do not fit the per-batch
  /// device budget, are traced on the CPU (the reference, all cores) while
  /// the GPU batches run.  The default (4 Gi cells, 2 GiB of direction
  /// codes) takes W3's windows (~2e8 cells) to the GPU, where their tiles
  /// run on up to 80 warps each.
  std::uint64_t trace_max_cells = std::uint64_t{4} << 30;
  /// Wavefront steps (1 to 32) before a whole-warp worker needs the next 32
  /// columns of the row above its tile that it waits for and loads them
  /// (intra-sequence kernel and warp traceback).  Shorter leads shorten each
  /// slot's pipeline fill ((tiles - 1) * (62 + lead) steps) but must still
  /// cover the load's latency (kernels/tile_progress.hpp).  On an H100,
  /// leads 8, 16 and 32 were within 0.3% on W2; on W3 (transposed, ~390
  /// tiles a slot) 16 took 2-6% longer than 8 and 32 6-10% (bench rows
  /// ".../lead:16", ".../lead:32").
  int chunk_lead = 8;
  /// Query rows each lane of a whole-warp intra worker keeps at 16-bit: 8
  /// (256-row tiles) or 4 (128-row tiles: a long slot has twice the tiles
  /// for twice the warps to share, at ~45% more instructions per cell).
  /// W3's 20 pairs give ~600 warps at 8, ~1.1 per warp scheduler of an
  /// H100, too few to hide a step's dependency chain; 4 doubles that.  32-bit
  /// reruns keep 8.  On an H100, 4 was slower: W3 0.95x, W2 0.66x (bench
  /// rows ".../rows:4"; why W3 gains nothing from twice the warps is not
  /// known yet).
  int intra_rows = 8;
  /// 16-bit inter kernel and whole-warp intra workers of 8 rows a lane:
  /// take F down each lane's strip as a prefix maximum (kernels/
  /// recurrence.hpp) instead of a row-by-row chain.  The chain from the row
  /// above to a strip's bottom row drops from ~24 dependent operations to
  /// ~7, for ~5-10% more instructions: by a model of the sm_90 code a lone
  /// intra warp's step takes ~20% fewer cycles (W3 as launched, ~1 warp a
  /// scheduler), the inter kernel's are split (P1 faster, W1 slower), and
  /// a full GPU (W2) loses the extra instructions (kernels/PERFORMANCE.md).
  /// On an H100 it changed nothing that counts (W3 1.0x, W2 0.98x, W1
  /// 0.97x, P1 0.98x: bench rows ".../prefix-f"), so it stays off.  Exact
  /// either way.
  bool prefix_f = false;
  /// Which pairs the intra-sequence kernel aligns transposed, the target
  /// on its rows and the query on its columns (local and global mode, a
  /// symmetric substitution matrix; exact either way, end ties included).
  /// A slot's tiles each sweep all its columns, so a long target on the
  /// columns makes a long slot: W3's longest takes ~97,000 wavefront steps
  /// as given and ~46,000 transposed, with 5x the tiles for warps to share
  /// (kernels/plan.hpp transpose_pays; bench/cuda_wavefront_model; kernels/
  /// PERFORMANCE.md "Long targets on the rows").  On an H100 W3's forward
  /// kernel took 19.5 ms against 26.1 as given (0.75x; the model's 0.45x of
  /// the steps came with steps 1.6x as long), W2 and P1 ~the same or a
  /// little faster (bench rows ".../as-given"; "Second GPU run").
  enum class Transpose {
    never,      ///< every pair as given
    when_pays,  ///< where the wavefront gets shorter at no more than 2% more work
    always,     ///< every pair whose target is longer than its query (tests)
  };
  Transpose transpose = Transpose::when_pays;
  /// How a launch's resident warps are shared out among its long slots
  /// (whole-warp workers; kernels/plan.hpp make_intra_plan).  A launch
  /// takes as long as its longest slot; by a model of the wavefront (bench/
  /// cuda_wavefront_model) giving warps where they shorten the longest slot
  /// cuts W2's longest from ~200,000 steps to ~153,000 and P1's from
  /// ~2,200 to ~1,800, against a share in proportion to cells (the rule
  /// before; bench rows ".../by-cells").  On an H100: W2's kernel 82.9 ms
  /// against 92.4 (0.90x), P1's the same ("Second GPU run").
  enum class SlotWorkers {
    by_longest,  ///< each next warp to the slot that would take longest, where it shortens it
    by_cells,    ///< in proportion to each slot's cells
  };
  SlotWorkers slot_workers = SlotWorkers::by_longest;
  /// A launch of long slots whose longest cannot use all the resident warps
  /// (W3) is shared out again over the largest multiple of one block on
  /// every multiprocessor that it can use (kernels/plan.hpp make_intra_plan
  /// `even`; the warp traceback too), where its longest slot gets at most a
  /// sixteenth longer, so that every warp scheduler starts with as many
  /// warps.  A slot's pipelined tiles wait for one another, so they run at
  /// the pace of their slowest warp: on an H100, W3's transposed slots
  /// (1,684 warps, 3 or 4 a scheduler) spent ~27% of their warps' time
  /// waiting for a predecessor.  With it W3 gets 1,584 warps (3 a
  /// scheduler; the model's longest slot 2.6% longer) and its forward
  /// kernel took 18.9 ms against 19.6 (0.96x; with CIGAR 0.98x); W1, W2 and
  /// P1 fill their launches and do not change (kernels/PERFORMANCE.md,
  /// "Second GPU run"; bench rows ".../uneven-blocks").
  bool even_blocks = true;
};

/// Empty when a CUDA device is usable here, else why not ("no CUDA device", ...).
std::string probe_cuda_device();

class CudaEngine final : public Engine {
 public:
  explicit CudaEngine(CudaTuning tuning = {});
  ~CudaEngine() override;
  std::string_view name() const noexcept override { return "cuda"; }
  bool available() const noexcept override;
  std::string unavailable_reason() const override;
  void align(std::span<const SequencePair> pairs, const ScoringScheme& scoring, const AlignOptions& options,
             std::span<Alignment> out) override;
  using Engine::align;
  /// Figures of the last align() call.
  const CudaRunStats& last_stats() const noexcept;

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace gpualign::cuda
