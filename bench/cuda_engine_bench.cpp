// GPU throughput of the CUDA engine on DESIGN.md's workloads.  Iteration time
// is the device time of one align() call (copies in, kernels, copies out:
// CUDA events), so the headline rate includes host<->device copies; counters
// add kernel-only and whole-call (host work and CPU CIGAR included) rates.

#include <benchmark/benchmark.h>

#include <cstdint>
#include <cstdlib>
#include <map>
#include <memory>
#include <string>

#include "cuda/cuda_engine.hpp"
#include "gpualign/workloads.hpp"

namespace {

using gpualign::AlignMode;
using gpualign::AlignOptions;
using gpualign::AlignOutput;

double bench_scale() {
  const char* s = std::getenv("GPUALIGN_BENCH_SCALE");
  return s ? std::atof(s) : 1.0;
}

// A workload by name; "W1x16" is W1 with 16 times its pairs.
const gpualign::Workload& workload(const std::string& name) {
  static std::map<std::string, std::unique_ptr<gpualign::Workload>> cache;
  auto& w = cache[name];
  if (!w) {
    const std::size_t x = name.find('x');
    const double times = x == std::string::npos ? 1.0 : std::atof(name.c_str() + x + 1);
    w = std::make_unique<gpualign::Workload>(gpualign::make_workload(name.substr(0, x), 1, times * bench_scale()));
  }
  return *w;
}

void BM_CudaEngine(benchmark::State& state, std::string name, AlignOutput output, gpualign::cuda::CudaTuning tuning) {
  auto engine = std::make_unique<gpualign::cuda::CudaEngine>(tuning);
  if (!engine->available()) {
    state.SkipWithError(("no usable GPU: " + engine->unavailable_reason()).c_str());
    return;
  }
  const gpualign::Workload& w = workload(name);
  const auto pairs = w.pairs();
  std::vector<gpualign::Alignment> out(pairs.size());
  const AlignOptions opt{AlignMode::local, output};
  engine->align(pairs, w.scoring, opt, out);  // warm-up: buffers, module load
  double kernel = 0, device = 0, span = 0, wall = 0, cells = 0, forward = 0, begin = 0, cigar = 0, wait = 0, results = 0,
         submit = 0, prepare = 0;
  std::uint64_t batches = 0, reruns = 0, peak = 0, up = 0, trace_cpu = 0, trace_fallbacks = 0, transposed = 0, begin_cells = 0,
                ends_cells = 0, ends_lane_cells = 0;
  for (auto _ : state) {
    engine->align(pairs, w.scoring, opt, out);
    const auto& s = engine->last_stats();
    state.SetIterationTime(s.device_ms / 1e3);
    kernel += s.kernel_ms;
    device += s.device_ms;
    span += s.device_span_ms;
    wall += s.wall_ms;
    forward += s.forward_wall_ms;
    begin += s.begin_wall_ms;
    cigar += s.cigar_wall_ms;
    wait += s.wait_ms;
    results += s.results_ms;
    submit += s.submit_ms;
    prepare += s.prepare_ms;
    batches = s.batches;
    reruns = s.reruns_32bit;
    peak = s.peak_device_bytes;
    up = s.upload_bytes;
    trace_cpu = s.trace_cpu_pairs;
    trace_fallbacks = s.trace_fallbacks;
    transposed = s.transposed;
    begin_cells = s.begin_cells;
    ends_cells = s.ends_cells;
    ends_lane_cells = s.ends_lane_cells;
    cells += static_cast<double>(w.cells());
  }
  // Cells of the workload (the reverse pass for begins is extra work, not extra cells).
  state.counters["GCUPS_kernel"] = kernel > 0 ? cells / (kernel * 1e6) : 0;
  state.counters["GCUPS_copies"] = device > 0 ? cells / (device * 1e6) : 0;
  // Over the device's span, the first batch's start to the last's end:
  // batches that overlap count once, idle gaps between them count.
  state.counters["GCUPS_span"] = span > 0 ? cells / (span * 1e6) : 0;
  state.counters["GCUPS_wall"] = wall > 0 ? cells / (wall * 1e6) : 0;
  state.counters["pairs"] = static_cast<double>(pairs.size());
  state.counters["reruns32"] = static_cast<double>(reruns);
  state.counters["peak_dev_MB"] = static_cast<double>(peak) / 1e6;
  state.counters["up_MB"] = static_cast<double>(up) / 1e6;  // host-to-device bytes a call
  // Where a call's wall time goes, a mean per call (CudaRunStats): the
  // forward pass, the reverse pass, the CIGARs.
  const double calls = static_cast<double>(state.iterations());
  state.counters["ms_forward"] = forward / calls;
  state.counters["ms_begin"] = begin / calls;
  state.counters["ms_cigar"] = cigar / calls;
  // Of the wall time: the host waiting for the device, turning results into
  // ends and CIGARs, planning, staging and launching batches, and preparing
  // a pass's batches (packing, sorting, splitting).
  state.counters["ms_wait"] = wait / calls;
  state.counters["ms_results"] = results / calls;
  state.counters["ms_submit"] = submit / calls;
  state.counters["ms_prepare"] = prepare / calls;
  state.counters["batches"] = static_cast<double>(batches);
  // CIGAR windows the CPU traced in the last call: planned there (empty,
  // over the cell cap or the budget), and GPU paths rejected and redone.
  // Either costs host time that ms_cigar shows and the device times do not.
  state.counters["trace_cpu"] = static_cast<double>(trace_cpu);
  state.counters["trace_fallbacks"] = static_cast<double>(trace_fallbacks);
  // Problems the intra kernel took with the target on its rows (both passes).
  state.counters["transposed"] = static_cast<double>(transposed);
  // Cells of the reverse pass for begins, a call (its prefixes clipped to
  // what an alignment of the forward score can span).
  state.counters["begin_Gcells"] = static_cast<double>(begin_cells) / 1e9;
  // Lane-cells the end passes' kernels stepped through over their cells:
  // the work the layout adds (tile rounding, skew, slot pairing), so that
  // GCUPS_kernel x lane_padding is the rate of the lanes themselves.
  state.counters["lane_padding"] =
      ends_cells > 0 ? static_cast<double>(ends_lane_cells) / static_cast<double>(ends_cells) : 0;
}

const bool registered = [] {
  auto add = [](const std::string& row, const char* name, AlignOutput o, gpualign::cuda::CudaTuning t) {
    benchmark::RegisterBenchmark(row.c_str(), BM_CudaEngine, std::string(name), o, t)
        ->UseManualTime()
        ->Unit(benchmark::kMillisecond)
        ->Iterations(3);
  };
  // Short pairs (W1, P1) run on whole-warp intra workers by default; the
  // same rows on the intra kernel's narrow workers, kGroupLanes threads per
  // slot ("groups"), and on the inter kernel, a thread per slot
  // ("threads"), registered next to each workload's own row so that a
  // time-limited run (scripts/gpu-check.sh) gets the comparisons early.
  using Short = gpualign::cuda::CudaTuning::ShortKernel;
  gpualign::cuda::CudaTuning groups, threads, per_launch;
  groups.short_kernel = Short::narrow_workers;
  threads.short_kernel = Short::threads;
  // Short pairs in launches of one full GPU each instead of a warp per slot
  // in one launch however many (CudaTuning::short_one_launch, the default).
  per_launch.short_one_launch = false;
  for (const char* name : {"W1", "W2", "W3", "P1"}) {
    const bool is_short = std::string(name) == "W1" || std::string(name) == "P1";
    add(std::string("cuda/") + name + "/score", name, AlignOutput::score_end, {});
    if (is_short) {
      add(std::string("cuda/") + name + "/score/groups", name, AlignOutput::score_end, groups);
      add(std::string("cuda/") + name + "/score/threads", name, AlignOutput::score_end, threads);
      add(std::string("cuda/") + name + "/score/per-launch", name, AlignOutput::score_end, per_launch);
    }
    if (!is_short) {
      // Long pairs: tiles pipelined by whole-warp workers, each loading the
      // row above CudaTuning::chunk_lead steps ahead (default 8): shorter
      // pipeline fill against exposed load latency.
      for (int lead : {16, 32}) {
        gpualign::cuda::CudaTuning t;
        t.chunk_lead = lead;
        add(std::string("cuda/") + name + "/score/lead:" + std::to_string(lead), name, AlignOutput::score_end, t);
      }
      // Launches the longest slot cannot fill (W3's) as planned, not cut to
      // whole blocks on every multiprocessor (CudaTuning::even_blocks).
      gpualign::cuda::CudaTuning uneven;
      uneven.even_blocks = false;
      add(std::string("cuda/") + name + "/score/uneven-blocks", name, AlignOutput::score_end, uneven);
      if (std::string(name) == "W3") add("cuda/W3/cigar/uneven-blocks", name, AlignOutput::cigar, uneven);
      // 128-row tiles (CudaTuning::intra_rows 4): twice the warps a slot.
      gpualign::cuda::CudaTuning short_tiles;
      short_tiles.intra_rows = 4;
      add(std::string("cuda/") + name + "/score/rows:4", name, AlignOutput::score_end, short_tiles);
    }
    // Every pair as given, none transposed (CudaTuning::transpose): the
    // default takes long targets on the kernel's rows where the wavefront
    // gets shorter (W3, W2, and W1's and P1's two-tile queries).
    gpualign::cuda::CudaTuning as_given;
    as_given.transpose = gpualign::cuda::CudaTuning::Transpose::never;
    add(std::string("cuda/") + name + "/score/as-given", name, AlignOutput::score_end, as_given);
    if (std::string(name) == "W3") add("cuda/W3/cigar/as-given", name, AlignOutput::cigar, as_given);
    // Warps shared out among long slots in proportion to their cells
    // (CudaTuning::slot_workers): the default gives them where they shorten
    // the longest slot, which by the wavefront model shortens W2 and P1.
    if (std::string(name) == "W2" || std::string(name) == "P1") {
      gpualign::cuda::CudaTuning by_cells;
      by_cells.slot_workers = gpualign::cuda::CudaTuning::SlotWorkers::by_cells;
      add(std::string("cuda/") + name + "/score/by-cells", name, AlignOutput::score_end, by_cells);
    }
    // F down each strip as a prefix maximum (CudaTuning::prefix_f): a
    // shorter chain for lone warps, more instructions for a full GPU.
    gpualign::cuda::CudaTuning prefix;
    prefix.prefix_f = true;
    add(std::string("cuda/") + name + "/score/prefix-f", name, AlignOutput::score_end, prefix);
    add(std::string("cuda/") + name + "/cigar", name, AlignOutput::cigar, {});
    if (is_short) add(std::string("cuda/") + name + "/cigar/groups", name, AlignOutput::cigar, groups);
    // CIGAR windows a thread each instead of a warp each (W1's ~2e4-1e5
    // cells, W2's ~1e6-1e8, P1's ~1e4-1e5).
    gpualign::cuda::CudaTuning thread_trace;
    thread_trace.warp_trace_min_cells = ~std::uint64_t{0};
    if (std::string(name) != "W3") add(std::string("cuda/") + name + "/cigar/thread-trace", name, AlignOutput::cigar, thread_trace);
  }
  // A thread per slot needs a full GPU to hide its boundary rows' device
  // memory latency: W1's 10,000 slots are ~4% of an H100's threads, 16
  // times W1 most of them.  Whether whole warps stay ahead there.
  add("cuda/W1x16/score", "W1x16", AlignOutput::score_end, {});
  add("cuda/W1x16/score/threads", "W1x16", AlignOutput::score_end, threads);
  add("cuda/W1x16/score/per-launch", "W1x16", AlignOutput::score_end, per_launch);
  return true;
}();

}  // namespace

BENCHMARK_MAIN();
