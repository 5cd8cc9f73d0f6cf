// Host side of the CUDA engine.  Per align() call:
//   1. forward pass on the GPU: score and end of every pair (16-bit where
//      eligible; pairs that overflow are rerun at 32-bit);
//   2. begin: the same pass on the reversed prefixes [0, qend) x [0, tend);
//   3. CIGAR: a global alignment of the [begin, end) window, traced back.
//      Windows up to CudaTuning::trace_max_cells cells whose direction codes
//      fit the per-batch device budget (the same budget as the other
//      batches) go to a traceback kernel, 4 bits per cell: a thread per
//      window for small ones (sorted by size so a warp's are alike), warps
//      per window (its 256-row tiles pipelined) from
//      CudaTuning::warp_trace_min_cells cells.  The path found must score
//      the forward score, else that window is redone on the CPU (counted).
//      The other windows (empty, over trace_max_cells, over the budget) run
//      on the CPU through the reference aligner, while the GPU batches run.
// Pairs go to the intra-sequence kernel: long ones to whole-warp workers
// that share a slot's tiles, short ones (CudaTuning::short_max_len) to a
// warp per slot by default, or (CudaTuning::short_kernel) to its narrow
// workers (kGroupLanes threads per slot) or to the inter-sequence kernel (a
// thread per slot).  Batches are cut to
// a device memory budget from cudaMemGetInfo and alternate between streams,
// so one batch's copies overlap another's kernels; buffers are reused.  A
// batch's codes go up as kernels/code_stream.hpp lays them out: DNA at 4
// bits a code (2 in batches of A, C, G, T only), protein a byte.

#include "cuda/cuda_engine.hpp"

#include <cuda_runtime_api.h>
#include <omp.h>

#include <algorithm>
#include <bit>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <mutex>
#include <vector>

#include "cuda/cuda_check.hpp"
#include "cuda/device_memory.hpp"
#include "gpualign/cigar.hpp"
#include "gpualign/error.hpp"
#include "gpualign/reference_aligner.hpp"
#include "launch.hpp"
#include "plan.hpp"

namespace gpualign::cuda {
namespace {

constexpr int kStreams = 2;
constexpr std::size_t kMaxBatchPairs = 16384;  // keeps several batches in flight on big inputs
constexpr std::size_t kMaxBatchCodes = std::size_t{64} << 20;

std::size_t align_up(std::size_t v) { return (v + 255) & ~std::size_t{255}; }

// Where the run of `op` that ends at path[p] begins: the index before its
// first byte (-1 when it reaches path[0]).  Paths come back one byte a
// column; runs of '=' are long, so 8 bytes are compared a step.
std::int64_t path_run_start(const char* path, std::int64_t p, char op) {
  std::int64_t q = p - 1;
  if constexpr (std::endian::native == std::endian::little) {
    const std::uint64_t pattern = 0x0101010101010101ull * static_cast<unsigned char>(op);
    for (; q >= 7; q -= 8) {
      std::uint64_t word;  // path[q - 7 .. q], path[q] in the top byte
      std::memcpy(&word, path + q - 7, sizeof word);
      if (const std::uint64_t diff = word ^ pattern) return q - std::countl_zero(diff) / 8;
    }
  }
  while (q >= 0 && path[q] == op) --q;
  return q;
}

// Adds the host time from its construction to its end to `into` (ms).
struct HostTime {
  double& into;
  std::chrono::steady_clock::time_point from = std::chrono::steady_clock::now();
  explicit HostTime(double& ms) : into(ms) {}
  HostTime(const HostTime&) = delete;
  HostTime& operator=(const HostTime&) = delete;
  ~HostTime() { into += std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - from).count(); }
};

// A batch's buffers, one after another in one device allocation (and the
// same offsets in pinned memory for the uploaded part), 256-byte aligned.
struct Layout {
  std::size_t off = 0;  // bytes so far
  std::size_t place(std::size_t bytes) {
    const std::size_t at = off;
    off = align_up(off + bytes);
    return at;
  }
};

// One problem for the device: codes read forward or reversed.
struct Spec {
  const std::uint8_t* q = nullptr;
  const std::uint8_t* t = nullptr;
  std::int32_t m = 0, n = 0;
  bool reversed = false;
  /// DNA: where run_ends packed the spec's codes in the host store
  /// (Impl::host_codes; code offset, query then target, as in a batch).
  std::uint64_t packed_at = 0;
};

// Which kernel a batch runs: inter (a thread per slot), intra (warps per
// slot), group (the intra kernel with narrow workers), trace (CIGAR windows,
// a thread each), trace_warp (large CIGAR windows, whole-warp workers
// sharing each window's tiles).
enum class Kind { inter, intra, group, trace, trace_warp };

}  // namespace

std::string probe_cuda_device() {
  int driver = 0;
  if (cudaDriverGetVersion(&driver) != cudaSuccess || driver == 0) return "no CUDA driver (no GPU here)";
  int n = 0;
  const cudaError_t e = cudaGetDeviceCount(&n);
  if (e == cudaErrorNoDevice || (e == cudaSuccess && n == 0)) return "no CUDA device";
  if (e == cudaErrorInsufficientDriver) return "CUDA driver too old for this build";
  if (e != cudaSuccess) return std::string("CUDA not usable: ") + cudaGetErrorString(e);
  cudaDeviceProp p{};
  if (cudaGetDeviceProperties(&p, 0) != cudaSuccess) return "cannot read CUDA device properties";
  if (p.major < 8)
    return "GPU " + std::string(p.name) + " has compute capability " + std::to_string(p.major) + "." +
           std::to_string(p.minor) + " (8.0 or newer needed)";
  return {};
}

struct CudaEngine::Impl {
  // One stream with its own buffers; a batch in flight on it.
  struct Lane {
    cudaStream_t stream = nullptr;
    cudaEvent_t ev_begin = nullptr, ev_k0 = nullptr, ev_k1 = nullptr, ev_end = nullptr;
    PinnedBuffer up, down;
    DeviceBuffer dev;
    bool busy = false;
    // The batch in flight.
    std::vector<int> jobs;            // spec index of each job
    std::vector<kern::Slot> slots;    // host copy, to merge partials
    std::vector<kern::Worker> workers;
    std::vector<char> ignore;         // job -> result ignored (moved to 32-bit)
    Kind kind = Kind::inter;
    bool sixteen = false;
    bool used = false;  // a batch of this align() call ran here (ev_end is its last)
    std::size_t out_count = 0, error_at = 0;
    std::uint64_t cells = 0;
    // A traceback batch: window (index into the engine's list) of each job,
    // and where each slot's ops lie in the downloaded block.
    std::vector<std::size_t> trace_k;  // window of each batch job
    std::vector<std::uint64_t> ops_at;
    std::size_t ops_down_at = 0;
  };

  CudaTuning tuning;
  std::string reason;
  cudaDeviceProp props{};
  Lane lanes[kStreams];
  // Launches whose workers spin on each other (whole-warp intra, warp
  // traceback) never overlap one another: each must be resident at once.
  // Narrow workers wait for no one and, like inter and thread-traceback
  // launches, may overlap anything.
  cudaEvent_t spin_done = nullptr;
  // The device start of a call's first batch (device_span_ms).
  cudaEvent_t call_begin = nullptr;
  bool call_begun = false;
  DeviceBuffer table;
  CudaRunStats stats;
  int next_lane = 0;

  // Per align() call.
  kern::PlanScoring ps;
  int pad = 0, code_bits = 4;
  int capacity_bound = 0;  // largest intra_capacity of this call's scoring (either width)
  std::vector<Spec>* specs = nullptr;
  // DNA: every spec's codes at 4 bits (kernels/code_stream.hpp), packed
  // once per run_ends pass; batches copy from here (A, C, G, T batches
  // repack to 2 bits).  Half a byte a code of the call's input, kept
  // between calls like the pinned buffers.
  std::vector<std::uint8_t> host_codes;
  std::vector<kern::MergedEnd>* ends = nullptr;
  std::vector<int>* rerun = nullptr;
  // Per spec of the run_ends pass: 1 where its kernel takes it transposed
  // (transposes(), decided once in the pass's parallel loop: its sorts and
  // submit ask again for every pair).
  const std::vector<std::uint8_t>* turned = nullptr;
  // Per traceback run: each window (forward codes), the score it must
  // reproduce, where its CIGAR goes, and what is left for the CPU.
  const std::vector<Spec>* t_windows = nullptr;
  const std::vector<std::int64_t>* t_scores = nullptr;
  const std::vector<Cigar*>* t_cigars = nullptr;  // the output's own, reused
  std::vector<char>* t_cpu = nullptr;  // 1: trace on the CPU

  explicit Impl(CudaTuning t) : tuning(t) {
    reason = probe_cuda_device();
    if (!reason.empty()) return;
    try {
      GPUALIGN_CUDA_CHECK(cudaGetDeviceProperties(&props, 0));
      for (Lane& l : lanes) {
        GPUALIGN_CUDA_CHECK(cudaStreamCreateWithFlags(&l.stream, cudaStreamNonBlocking));
        for (cudaEvent_t* e : {&l.ev_begin, &l.ev_k0, &l.ev_k1, &l.ev_end}) GPUALIGN_CUDA_CHECK(cudaEventCreate(e));
      }
      GPUALIGN_CUDA_CHECK(cudaEventCreateWithFlags(&spin_done, cudaEventDisableTiming));
      GPUALIGN_CUDA_CHECK(cudaEventCreate(&call_begin));
    } catch (const Error& e) {
      reason = e.what();
    }
  }
  ~Impl() {
    for (Lane& l : lanes) {
      if (l.stream) cudaStreamSynchronize(l.stream);
      for (cudaEvent_t e : {l.ev_begin, l.ev_k0, l.ev_k1, l.ev_end})
        if (e) cudaEventDestroy(e);
      if (l.stream) cudaStreamDestroy(l.stream);
    }
    if (spin_done) cudaEventDestroy(spin_done);
    if (call_begin) cudaEventDestroy(call_begin);
  }

  // A batch's first device work on lane `l`: its begin event, and the
  // call's if it is the call's first batch.
  void record_begin(Lane& l) {
    GPUALIGN_CUDA_CHECK(cudaEventRecord(l.ev_begin, l.stream));
    if (!call_begun) {
      GPUALIGN_CUDA_CHECK(cudaEventRecord(call_begin, l.stream));
      call_begun = true;
    }
    l.used = true;
  }

  // From the call's first batch's start to its last batch's end on the
  // device (every lane finished).
  double device_span_ms() const {
    double span = 0;
    for (const Lane& l : lanes) {
      if (!l.used) continue;
      float ms = 0;
      GPUALIGN_CUDA_CHECK(cudaEventElapsedTime(&ms, call_begin, l.ev_end));
      span = std::max(span, static_cast<double>(ms));
    }
    return span;
  }

  std::size_t budget() const {
    std::size_t free = 0, total = 0;
    GPUALIGN_CUDA_CHECK(cudaMemGetInfo(&free, &total));
    // Leave room for the other streams' buffers and the runtime.
    return std::max<std::size_t>(free / (2 * kStreams), std::size_t{16} << 20);
  }

  // Whether submit() gives an m x n pair to `kind`'s workers transposed,
  // its target on the rows (plan.hpp orient; the inter kernel never).
  bool transposes(Kind kind, bool sixteen, int m, int n) const {
    if (kind != Kind::intra && kind != Kind::group) return false;
    const kern::TransposeRule rule = tuning.transpose == CudaTuning::Transpose::never    ? kern::TransposeRule::never
                                     : tuning.transpose == CudaTuning::Transpose::always ? kern::TransposeRule::always
                                                                                          : kern::TransposeRule::when_pays;
    const int lanes = kind == Kind::group ? kern::kGroupLanes : kern::kWarp;
    const int rows = kind == Kind::group ? kern::kIntraRows : intra_rows(sixteen);
    return kern::orient(ps, rule, m, n, lanes, lanes * rows, tuning.chunk_lead);
  }

  // Rows a lane of a whole-warp intra worker keeps (tuning: 16-bit only).
  int intra_rows(bool sixteen) const { return sixteen ? tuning.intra_rows : kern::kIntraRows; }

  // The tile height of `kind`'s workers (make_intra_plan), by which a
  // batch's pairs are sorted and paired into slots (make_slots); 1 for
  // the inter kernel (exact rows).
  int row_quantum(Kind kind, bool sixteen) const {
    if (kind == Kind::group) return kern::kGroupLanes * kern::kIntraRows;
    if (kind == Kind::intra) return kern::kWarp * intra_rows(sixteen);
    return 1;
  }

  // Whole-warp launches (CudaTuning::even_blocks): the warps of one block
  // on every multiprocessor, or 0 (off).
  int even_warps() const {
    return tuning.even_blocks ? props.multiProcessorCount * (kern::kBlockThreads / kern::kWarp) : 0;
  }

  int intra_capacity(bool sixteen, bool acgt) const {
    const int per_sm =
        std::max(1, kern::intra_blocks_per_sm(sixteen, acgt, ps.mode, intra_rows(sixteen), tuning.prefix_f));
    return per_sm * props.multiProcessorCount * (kern::kBlockThreads / kern::kWarp);
  }

  // Device bytes of a batch (upper estimate from the jobs alone).
  std::size_t batch_bytes(Kind kind, std::uint64_t codes, std::uint64_t rows_sum, std::uint64_t cols_sum,
                          std::size_t njobs) const {
    // Codes: each sequence's room up to 3 codes longer (code_room).
    std::size_t b = align_up(kern::code_bytes(codes + 6 * njobs, code_bits)) + align_up(njobs * sizeof(kern::Slot)) +
                    (njobs + 64) * 64;
    if (kind == Kind::inter) {
      b += 2 * (rows_sum + cols_sum + 64 * njobs) + (cols_sum + njobs) * sizeof(kern::Cell2) * 2;
      b += njobs * 2 * sizeof(kern::Partial);
    } else {
      // Boundary rows, and a 4-byte progress counter a tile: tiles of at
      // least 64 rows (narrow workers; 128 or 256 for whole warps).
      b += (cols_sum + njobs) * sizeof(kern::Cell2) + rows_sum / 16 + njobs * 8;
      // Workers and their two partials: at most one worker per slot beyond
      // one launch's capacity (whole warps), or one per slot plus a warp's
      // padding.
      const std::size_t workers = kind == Kind::group ? njobs + kern::kWarp
                                                      : njobs + static_cast<std::size_t>(capacity_bound);
      b += workers * (sizeof(kern::Worker) + 2 * sizeof(kern::Partial));
    }
    return b;
  }

  // Phase two of a batch: the lane's pinned and device buffers grown to the
  // bytes phase one laid out (reused across batches, never shrunk).
  void reserve(Lane& l, std::size_t up_bytes, std::size_t down_bytes, std::size_t dev_bytes) {
    l.up.reserve(up_bytes);
    l.down.reserve(down_bytes);
    l.dev.reserve(dev_bytes);
    stats.peak_device_bytes = std::max<std::uint64_t>(stats.peak_device_bytes, l.dev.capacity());
  }

  // Drops what a call that threw left on the lane's stream (its host vectors
  // are gone): a batch in flight, or the first steps of a submit that threw
  // half-way (not marked busy yet).  Waits for the stream, keeps nothing.
  void abandon(Lane& l) noexcept {
    l.busy = false;
    if (l.stream) cudaStreamSynchronize(l.stream);
  }

  // The error flag of a launch whose workers wait on each other (downloaded
  // at l.error_at): set, a worker gave up waiting -- a bug, never a result.
  void check_wait_error(const Lane& l, const char* who) const {
    std::int32_t err = 0;
    std::memcpy(&err, l.down.data() + l.error_at, sizeof err);
    if (err) throw Error(std::string("CUDA engine: ") + who + " timed out waiting for its predecessor");
  }

  void finish(Lane& l) {
    if (!l.busy) return;
    l.busy = false;
    {
      const HostTime waiting{stats.wait_ms};
      GPUALIGN_CUDA_CHECK(cudaStreamSynchronize(l.stream));
    }
    ++stats.batches;
    const HostTime results{stats.results_ms};
    float k = 0, d = 0;
    GPUALIGN_CUDA_CHECK(cudaEventElapsedTime(&k, l.ev_k0, l.ev_k1));
    GPUALIGN_CUDA_CHECK(cudaEventElapsedTime(&d, l.ev_begin, l.ev_end));
    stats.kernel_ms += k;
    stats.device_ms += d;
    stats.device_cells += l.cells;
    if (l.kind == Kind::trace || l.kind == Kind::trace_warp) {
      if (l.kind == Kind::trace_warp) check_wait_error(l, "a traceback worker");
      finish_trace(l);
      return;
    }
    const auto* parts = reinterpret_cast<const kern::Partial*>(l.down.data());
    if (l.kind == Kind::intra || l.kind == Kind::group) check_wait_error(l, "an intra-sequence worker");
    auto merge = [&](int job, const kern::Partial& p) {
      if (job < 0 || l.ignore[static_cast<std::size_t>(job)]) return;
      const Spec& s = (*specs)[static_cast<std::size_t>(l.jobs[static_cast<std::size_t>(job)])];
      kern::merge_partial((*ends)[static_cast<std::size_t>(l.jobs[static_cast<std::size_t>(job)])], p, s.m, s.n);
    };
    const int L = l.sixteen ? 2 : 1;
    // Spread over the host's cores: each thread merges the partials of its
    // own range of slots (a slot's jobs are its own), scanning every worker
    // for them -- a slot's workers need not lie side by side.
    const auto n_slots = static_cast<std::int64_t>(l.slots.size());
#pragma omp parallel if (n_slots >= 1024)
    {
      const std::int64_t parts_n = omp_get_num_threads(), part = omp_get_thread_num();
      const std::int64_t lo = n_slots * part / parts_n, hi = n_slots * (part + 1) / parts_n;
      if (l.kind == Kind::inter) {
        for (std::int64_t i = lo; i < hi; ++i)
          for (int h = 0; h < L; ++h) merge(l.slots[static_cast<std::size_t>(i)].job[h], parts[i * 2 + h]);
      } else {
        for (std::size_t w = 0; w < l.workers.size(); ++w) {
          const std::int64_t slot = l.workers[w].slot;
          if (slot < lo || slot >= hi) continue;  // another thread's, or a padding worker (-1)
          const kern::Slot& s = l.slots[static_cast<std::size_t>(slot)];
          for (int h = 0; h < L; ++h) merge(s.job[h], parts[w * 2 + h]);
        }
      }
    }
    if (l.sixteen)
      for (std::size_t j = 0; j < l.jobs.size(); ++j) {
        const int spec = l.jobs[j];
        if (l.ignore[j] || (*ends)[static_cast<std::size_t>(spec)].overflow) rerun->push_back(spec);
      }
  }

  // Stages, uploads, launches and starts the download of one batch.
  // `acgt`: the batch's pairs are A, C, G, T only and the scheme has
  // register scores (16-bit only).  `short_pairs`: a batch of short pairs
  // on whole warps (CudaTuning::short_one_launch applies).
  void submit(Lane& l, const std::vector<int>& batch, Kind kind, bool sixteen, bool acgt, bool short_pairs = false) {
    finish(l);
    const HostTime submitting{stats.submit_ms};
    const int L = sixteen ? 2 : 1;
    l.kind = kind;
    l.sixteen = sixteen;
    l.jobs = batch;
    l.ignore.assign(batch.size(), 0);
    l.cells = 0;

    // Codes, in job order (kernels/code_stream.hpp: DNA 4 bits a code, A,
    // C, G, T batches 2, every sequence in a room of a multiple of 4 codes);
    // reversed specs were reversed when packed (run_ends) or are here.
    const int stream_bits = acgt ? 2 : code_bits;
    std::vector<kern::Job> jobs(batch.size());
    std::vector<int> bias(batch.size(), 0), order(batch.size());
    std::uint64_t codes = 0;
    for (std::size_t j = 0; j < batch.size(); ++j) {
      const Spec& s = (*specs)[static_cast<std::size_t>(batch[j])];
      jobs[j] = kern::Job{codes, codes + kern::code_room(s.m), s.m, s.n};
      codes += kern::code_room(s.m) + kern::code_room(s.n);
      order[j] = static_cast<int>(j);
      l.cells += static_cast<std::uint64_t>(s.m) * static_cast<std::uint64_t>(s.n);
    }
    for (std::size_t j = 0; j < batch.size(); ++j) {
      jobs[j].transposed = (*turned)[static_cast<std::size_t>(batch[j])] != 0;
      stats.transposed += jobs[j].transposed ? 1 : 0;
    }
    stats.ends_cells += l.cells;
    std::vector<kern::Slot> slots = kern::make_slots(jobs, order, bias, L, row_quantum(kind, sixteen));
    kern::InterPlan ip;
    kern::IntraPlan xp;
    std::vector<int> fallback;
    bool spins = false;  // whether the launch's workers wait on each other (below)
    if (kind == Kind::inter) {
      ip = kern::make_inter_plan(std::move(slots), L, code_bits);
      if (sixteen) fallback = kern::finalize_bias16(ip.slots, &ip.groups, ps);
      stats.ends_lane_cells += kern::lane_cells(ip, L);
      l.slots = std::move(ip.slots);
      l.workers.clear();
    } else {
      xp = kern::make_intra_plan(std::move(slots), intra_capacity(sixteen, acgt),
                                 kind == Kind::group ? kern::kGroupLanes : kern::kWarp, intra_rows(sixteen),
                                 short_pairs && tuning.short_one_launch, tuning.chunk_lead,
                                 tuning.slot_workers == CudaTuning::SlotWorkers::by_cells ? kern::WorkerShare::by_cells
                                                                                        : kern::WorkerShare::by_longest,
                                 kind == Kind::intra ? even_warps() : 0);
      if (sixteen) fallback = kern::finalize_bias16(xp.slots, nullptr, ps);
      stats.ends_lane_cells += kern::lane_cells(xp, L);
      spins = kind == Kind::intra && kern::workers_wait(xp);
      l.slots = std::move(xp.slots);
      l.workers = std::move(xp.workers);
    }
    for (int j : fallback) l.ignore[static_cast<std::size_t>(j)] = 1;

    // Layout, identical in pinned and device memory for the uploaded part.
    Layout lay;
    const std::size_t at_codes = lay.place(kern::code_bytes(codes, stream_bits));
    const std::size_t at_slots = lay.place(l.slots.size() * sizeof(kern::Slot));
    const std::size_t at_meta =
        lay.place(kind == Kind::inter ? ip.groups.size() * sizeof(kern::InterGroup) : l.workers.size() * sizeof(kern::Worker));
    const std::size_t upload = lay.off;
    std::size_t at_qw = 0, at_tw = 0, at_scratch = 0, at_bufs = 0, at_prog = 0, at_err = 0;
    if (kind == Kind::inter) {
      at_qw = lay.place(ip.q_words * 4);
      at_tw = lay.place(ip.t_words * 4);
      at_scratch = lay.place(ip.scratch_cells * sizeof(kern::Cell2));
      l.out_count = l.slots.size() * 2;
    } else {
      at_bufs = lay.place(xp.buf_cells * sizeof(kern::Cell2));
      at_prog = lay.place(xp.progress_count * sizeof(std::int32_t));
      l.out_count = l.workers.size() * 2;  // a worker's lanes reduce their partials on the device
    }
    const std::size_t at_out = lay.place(l.out_count * sizeof(kern::Partial));
    const std::size_t out_bytes = l.out_count * sizeof(kern::Partial);
    at_err = lay.place(sizeof(std::int32_t));
    const std::size_t down_bytes = at_err - at_out + sizeof(std::int32_t);
    l.error_at = at_err - at_out;

    reserve(l, upload, down_bytes, lay.off);

    std::uint8_t* h = l.up.data();
    // The staging copies, the engine's largest host cost: spread over the
    // host's cores (jobs are disjoint ranges of the pinned buffer).  DNA
    // comes packed from the host store (run_ends), a job's query and
    // target in one copy, repacked at 2 bits in A, C, G, T batches; protein
    // from the input.  Jobs are in size order, their codes scattered: the
    // next job's are fetched ahead.
    const auto njobs = static_cast<std::int64_t>(batch.size());
#pragma omp parallel for schedule(dynamic, 64) if (njobs >= 256)
    for (std::int64_t jj = 0; jj < njobs; ++jj) {
      const auto j = static_cast<std::size_t>(jj);
      const Spec& s = (*specs)[static_cast<std::size_t>(batch[j])];
      if (code_bits == 4) {
        const std::uint64_t room = kern::code_room(s.m) + kern::code_room(s.n);
        if (jj + 1 < njobs) {
          const Spec& next = (*specs)[static_cast<std::size_t>(batch[j + 1])];
          kern::prefetch_codes(host_codes.data() + next.packed_at / 2,
                               static_cast<std::int64_t>(kern::code_bytes(kern::code_room(next.m) + kern::code_room(next.n), 4)));
        }
        const std::uint8_t* packed = host_codes.data() + s.packed_at / 2;
        if (stream_bits == 2) kern::repack_acgt(h + at_codes + jobs[j].q_off / 4, packed, room);
        else std::memcpy(h + at_codes + jobs[j].q_off / 2, packed, kern::code_bytes(room, 4));
      } else {
        if (jj + 1 < njobs) {
          const Spec& next = (*specs)[static_cast<std::size_t>(batch[j + 1])];
          kern::prefetch_codes(next.q, next.m);
          kern::prefetch_codes(next.t, next.n);
        }
        kern::stage_codes(h + at_codes, jobs[j].q_off, s.q, s.m, s.reversed, code_bits);
        kern::stage_codes(h + at_codes, jobs[j].t_off, s.t, s.n, s.reversed, code_bits);
      }
    }
    std::memcpy(h + at_slots, l.slots.data(), l.slots.size() * sizeof(kern::Slot));
    if (kind == Kind::inter) std::memcpy(h + at_meta, ip.groups.data(), ip.groups.size() * sizeof(kern::InterGroup));
    else std::memcpy(h + at_meta, l.workers.data(), l.workers.size() * sizeof(kern::Worker));

    std::uint8_t* d = static_cast<std::uint8_t*>(l.dev.data());
    const auto* d_tab = static_cast<const std::int32_t*>(table.data());
    const kern::ScoreConsts sc = kern::make_consts(ps, sixteen);
    record_begin(l);
    GPUALIGN_CUDA_CHECK(cudaMemcpyAsync(d, h, upload, cudaMemcpyHostToDevice, l.stream));
    stats.upload_bytes += upload;
    // Poison the results: a partial the kernel failed to write cannot pass for one.
    GPUALIGN_CUDA_CHECK(cudaMemsetAsync(d + at_out, 0x5A, out_bytes, l.stream));
    if (kind == Kind::inter) {
      auto* qw = reinterpret_cast<std::uint32_t*>(d + at_qw);
      auto* tw = reinterpret_cast<std::uint32_t*>(d + at_tw);
      const auto* d_slots = reinterpret_cast<const kern::Slot*>(d + at_slots);
      const auto* d_groups = reinterpret_cast<const kern::InterGroup*>(d + at_meta);
      kern::pack_inter_device(d_slots, d_groups, static_cast<int>(l.slots.size()), static_cast<int>(ip.groups.size()),
                              kern::CodeStream{d + at_codes, stream_bits}, qw, tw, L, code_bits, pad, l.stream);
      GPUALIGN_CUDA_CHECK(cudaGetLastError());
      kern::InterArgs a;
      a.q_words = qw;
      a.t_words = tw;
      a.groups = d_groups;
      a.slots = d_slots;
      a.scratch = reinterpret_cast<kern::Cell2*>(d + at_scratch);
      a.out = reinterpret_cast<kern::Partial*>(d + at_out);
      a.num_slots = static_cast<int>(l.slots.size());
      a.code_bits = code_bits;
      a.sc = sc;
      GPUALIGN_CUDA_CHECK(cudaEventRecord(l.ev_k0, l.stream));
      kern::launch_inter(a, sixteen, acgt, tuning.prefix_f, ps.mode, d_tab, l.stream);
      GPUALIGN_CUDA_CHECK(cudaGetLastError());
      GPUALIGN_CUDA_CHECK(cudaEventRecord(l.ev_k1, l.stream));
    } else {
      GPUALIGN_CUDA_CHECK(cudaMemsetAsync(d + at_prog, 0, xp.progress_count * sizeof(std::int32_t), l.stream));
      GPUALIGN_CUDA_CHECK(cudaMemsetAsync(d + at_err, 0, sizeof(std::int32_t), l.stream));
      // Whole-warp workers that share a slot's tiles wait on each other, so
      // their launches never overlap one another (each must be resident at
      // once).  A plan whose every slot has one worker (short pairs in one
      // launch: W1, P1) waits for no one and, like narrow workers, may
      // overlap anything: a batch's kernel starts in the tail of the one
      // before instead of after it.
      if (spins) GPUALIGN_CUDA_CHECK(cudaStreamWaitEvent(l.stream, spin_done, 0));
      GPUALIGN_CUDA_CHECK(cudaEventRecord(l.ev_k0, l.stream));
      for (const kern::IntraLaunch& launch : xp.launches) {
        kern::IntraArgs a;
        a.codes = kern::CodeStream{d + at_codes, stream_bits};
        a.slots = reinterpret_cast<const kern::Slot*>(d + at_slots);
        a.workers = reinterpret_cast<const kern::Worker*>(d + at_meta) + launch.first_worker;
        a.bufs = reinterpret_cast<kern::Cell2*>(d + at_bufs);
        a.progress = reinterpret_cast<std::int32_t*>(d + at_prog);
        a.out = reinterpret_cast<kern::Partial*>(d + at_out) + static_cast<std::size_t>(launch.first_worker) * 2;
        a.error = reinterpret_cast<std::int32_t*>(d + at_err);
        a.num_workers = launch.workers;
        a.pad_code = pad;
        a.chunk_lead = tuning.chunk_lead;
        a.sc = sc;
        kern::launch_intra(a, xp.lanes, xp.rows, sixteen, acgt, tuning.prefix_f, ps.mode, d_tab, l.stream);
        GPUALIGN_CUDA_CHECK(cudaGetLastError());
      }
      GPUALIGN_CUDA_CHECK(cudaEventRecord(l.ev_k1, l.stream));
      if (spins) GPUALIGN_CUDA_CHECK(cudaEventRecord(spin_done, l.stream));
    }
    GPUALIGN_CUDA_CHECK(cudaMemcpyAsync(l.down.data(), d + at_out, down_bytes, cudaMemcpyDeviceToHost, l.stream));
    GPUALIGN_CUDA_CHECK(cudaEventRecord(l.ev_end, l.stream));
    l.busy = true;
  }

  // Turns a finished traceback batch into CIGARs; a window whose path does
  // not reproduce its forward score (or is malformed) goes to the CPU.
  // A path comes back as one op per column, last column first: W1's 20,000
  // windows are ~12 million bytes.  Their runs are found 8 bytes at a time
  // (path_run_start) in one pass into a per-thread scratch list, then copied
  // into the output's CIGAR (its buffer from an earlier call reused: no
  // allocation or free per pair when a caller aligns into the same
  // results again); the windows spread over the host's cores (each writes
  // only its own entries).
  void finish_trace(Lane& l) {
    const auto* res = reinterpret_cast<const kern::TraceResult*>(l.down.data());
    const auto* ops = reinterpret_cast<const char*>(l.down.data() + l.ops_down_at);
    const auto n_slots = static_cast<std::int64_t>(l.slots.size());
    std::uint64_t on_gpu = 0, fallbacks = 0;
    constexpr std::int64_t kAhead = 8;
#pragma omp parallel reduction(+ : on_gpu, fallbacks) if (n_slots >= 256)
    {
      std::vector<CigarOp> runs;
#pragma omp for schedule(dynamic, 64)
      for (std::int64_t ii = 0; ii < n_slots; ++ii) {
        const auto i = static_cast<std::size_t>(ii);
        // Slots are in size order, windows and results in input order: a
        // few slots ahead, fetch the window and the CIGAR that slot takes.
        if (ii + kAhead < n_slots) {
          const int ahead = l.slots[i + kAhead].job[0];
          if (ahead >= 0) {
            const std::size_t ka = l.trace_k[static_cast<std::size_t>(ahead)];
            __builtin_prefetch(&(*t_windows)[ka]);
            __builtin_prefetch((*t_cigars)[ka]);
          }
        }
        const int job = l.slots[i].job[0];
        if (job < 0) continue;
        const std::size_t k = l.trace_k[static_cast<std::size_t>(job)];
        const Spec& w = (*t_windows)[k];
        const kern::TraceResult r = res[i];
        const char* path = ops + l.ops_at[i];
        bool ok = r.score == (*t_scores)[k] && r.len >= 0 && r.len <= w.m + w.n;
        runs.clear();
        std::int64_t qn = 0, tn = 0;
        for (std::int64_t p = ok ? r.len - 1 : -1; p >= 0;) {
          const char op = path[p];
          const std::int64_t q = path_run_start(path, p, op);
          const std::int64_t run = p - q;
          if (op == '=' || op == 'X') qn += run, tn += run;
          else if (op == 'I') qn += run;
          else if (op == 'D') tn += run;
          else {
            ok = false;
            break;
          }
          runs.push_back(CigarOp{op, static_cast<std::uint32_t>(run)});  // run <= m + n: the window's path
          p = q;
        }
        Cigar& c = *(*t_cigars)[k];
        c.clear();
        if (ok && qn == w.m && tn == w.n) {
          c.reserve(runs.size());
          for (const CigarOp& o : runs) c.push(o.op, o.length);
          ++on_gpu;
        } else {
          (*t_cpu)[k] = 1;
          ++fallbacks;
        }
      }
    }
    stats.trace_gpu_pairs += on_gpu;
    stats.trace_fallbacks += fallbacks;
  }

  // First steps of a traceback batch of either kernel: the lane (its
  // previous batch finished) takes it, the windows' codes get their
  // places in the batch's code buffer (returned: its size), job[0] of each
  // slot becomes the batch-local index of its window.
  std::uint64_t begin_trace_batch(Lane& l, Kind kind, std::vector<kern::Slot>& slots) {
    l.kind = kind;
    l.sixteen = false;
    l.jobs.clear();
    l.workers.clear();
    l.ignore.clear();
    l.cells = 0;
    std::uint64_t codes = 0;
    const std::vector<int> window_of = kern::stage_trace_batch(slots, codes);
    l.trace_k.assign(window_of.begin(), window_of.end());
    for (const kern::Slot& s : slots)
      l.cells += static_cast<std::uint64_t>(s.prob[0].m) * static_cast<std::uint64_t>(s.prob[0].n);
    return codes;
  }

  // Stages the lane's windows' codes (l.slots, as placed by
  // begin_trace_batch) into the code stream at `h`.
  void copy_window_codes(const Lane& l, std::uint8_t* h) const {
    const auto count = static_cast<std::int64_t>(l.slots.size());
#pragma omp parallel for schedule(dynamic, 64) if (count >= 256)
    for (std::int64_t k = 0; k < count; ++k) {
      const kern::Slot& s = l.slots[static_cast<std::size_t>(k)];
      const Spec& w = (*t_windows)[l.trace_k[static_cast<std::size_t>(s.job[0])]];
      if (k + 1 < count) {
        const Spec& next = (*t_windows)[l.trace_k[static_cast<std::size_t>(l.slots[static_cast<std::size_t>(k + 1)].job[0])]];
        kern::prefetch_codes(next.q, next.m);
        kern::prefetch_codes(next.t, next.n);
      }
      kern::stage_codes(h, s.q_off[0], w.q, w.m, false, code_bits);
      kern::stage_codes(h, s.t_off[0], w.t, w.n, false, code_bits);
    }
  }

  // Stages, uploads, launches and starts the download of one traceback
  // batch: `slots` are whole groups of the sorted window slots, job[0] the
  // window index.
  void submit_trace(Lane& l, std::vector<kern::Slot> slots) {
    finish(l);
    const HostTime submitting{stats.submit_ms};
    const std::uint64_t codes = begin_trace_batch(l, Kind::trace, slots);
    kern::TracePlan tp = kern::make_trace_plan(std::move(slots), code_bits);
    l.slots = tp.inter.slots;
    l.ops_at = tp.ops_at;

    Layout lay;
    const std::size_t n_slots = l.slots.size(), n_groups = tp.inter.groups.size();
    const std::size_t at_codes = lay.place(kern::code_bytes(codes, code_bits));
    const std::size_t at_slots = lay.place(n_slots * sizeof(kern::Slot));
    const std::size_t at_groups = lay.place(n_groups * sizeof(kern::InterGroup));
    const std::size_t at_dir_at = lay.place(n_groups * sizeof(std::uint64_t));
    const std::size_t at_ops_at = lay.place(n_slots * sizeof(std::uint64_t));
    const std::size_t upload = lay.off;
    const std::size_t at_qw = lay.place(tp.inter.q_words * 4);
    const std::size_t at_tw = lay.place(tp.inter.t_words * 4);
    const std::size_t at_scratch = lay.place(tp.inter.scratch_cells * sizeof(kern::Cell2));
    const std::size_t at_dirs = lay.place(tp.dir_words * 4);
    const std::size_t at_res = lay.place(n_slots * sizeof(kern::TraceResult));
    const std::size_t at_ops = lay.place(tp.ops_bytes);
    const std::size_t down_bytes = at_ops - at_res + tp.ops_bytes;
    l.ops_down_at = at_ops - at_res;

    reserve(l, upload, down_bytes, lay.off);

    std::uint8_t* h = l.up.data();
    copy_window_codes(l, h + at_codes);
    std::memcpy(h + at_slots, l.slots.data(), n_slots * sizeof(kern::Slot));
    std::memcpy(h + at_groups, tp.inter.groups.data(), n_groups * sizeof(kern::InterGroup));
    std::memcpy(h + at_dir_at, tp.dir_at.data(), n_groups * sizeof(std::uint64_t));
    std::memcpy(h + at_ops_at, tp.ops_at.data(), n_slots * sizeof(std::uint64_t));

    std::uint8_t* d = static_cast<std::uint8_t*>(l.dev.data());
    record_begin(l);
    GPUALIGN_CUDA_CHECK(cudaMemcpyAsync(d, h, upload, cudaMemcpyHostToDevice, l.stream));
    stats.upload_bytes += upload;
    // Poison results and paths: what the kernel failed to write cannot pass.
    GPUALIGN_CUDA_CHECK(cudaMemsetAsync(d + at_res, 0x5A, down_bytes, l.stream));
    auto* qw = reinterpret_cast<std::uint32_t*>(d + at_qw);
    auto* tw = reinterpret_cast<std::uint32_t*>(d + at_tw);
    const auto* d_slots = reinterpret_cast<const kern::Slot*>(d + at_slots);
    const auto* d_groups = reinterpret_cast<const kern::InterGroup*>(d + at_groups);
    kern::pack_inter_device(d_slots, d_groups, static_cast<int>(n_slots), static_cast<int>(n_groups),
                            kern::CodeStream{d + at_codes, code_bits}, qw, tw, 1, code_bits, pad, l.stream);
    GPUALIGN_CUDA_CHECK(cudaGetLastError());
    kern::TraceArgs a;
    a.q_words = qw;
    a.t_words = tw;
    a.groups = d_groups;
    a.slots = d_slots;
    a.dir_at = reinterpret_cast<const std::uint64_t*>(d + at_dir_at);
    a.ops_at = reinterpret_cast<const std::uint64_t*>(d + at_ops_at);
    a.dirs = reinterpret_cast<std::uint32_t*>(d + at_dirs);
    a.scratch = reinterpret_cast<kern::Cell2*>(d + at_scratch);
    a.ops = reinterpret_cast<char*>(d + at_ops);
    a.out = reinterpret_cast<kern::TraceResult*>(d + at_res);
    a.num_slots = static_cast<int>(n_slots);
    a.code_bits = code_bits;
    a.open = ps.open;
    a.ext = ps.ext;
    GPUALIGN_CUDA_CHECK(cudaEventRecord(l.ev_k0, l.stream));
    kern::launch_trace(a, static_cast<const std::int32_t*>(table.data()), props.multiProcessorCount, l.stream);
    GPUALIGN_CUDA_CHECK(cudaGetLastError());
    GPUALIGN_CUDA_CHECK(cudaEventRecord(l.ev_k1, l.stream));
    GPUALIGN_CUDA_CHECK(cudaMemcpyAsync(l.down.data(), d + at_res, down_bytes, cudaMemcpyDeviceToHost, l.stream));
    GPUALIGN_CUDA_CHECK(cudaEventRecord(l.ev_end, l.stream));
    l.busy = true;
  }

  // Resident warps of the warp traceback kernel: the most
  // workers one of its launches may hold (they wait on each other).
  int trace_warp_capacity() const {
    const int per_sm = std::max(1, kern::trace_warp_blocks_per_sm());
    return per_sm * props.multiProcessorCount * (kern::kBlockThreads / kern::kWarp);
  }

  // Stages, uploads, launches and starts the download of one batch of large
  // windows, whole-warp workers each (job[0] of each slot: the window index).
  void submit_trace_warp(Lane& l, std::vector<kern::Slot> slots) {
    finish(l);
    const HostTime submitting{stats.submit_ms};
    const std::uint64_t codes = begin_trace_batch(l, Kind::trace_warp, slots);
    kern::WarpTracePlan wp =
        kern::make_warp_trace_plan(std::move(slots), trace_warp_capacity(), tuning.chunk_lead, even_warps());
    l.slots = std::move(wp.work.slots);
    l.ops_at = std::move(wp.ops_at);
    const kern::IntraPlan& xp = wp.work;

    Layout lay;
    const std::size_t n_slots = l.slots.size();
    const std::size_t at_codes = lay.place(kern::code_bytes(codes, code_bits));
    const std::size_t at_slots = lay.place(n_slots * sizeof(kern::Slot));
    const std::size_t at_workers = lay.place(xp.workers.size() * sizeof(kern::Worker));
    const std::size_t at_dir_at = lay.place(n_slots * sizeof(std::uint64_t));
    const std::size_t at_ops_at = lay.place(n_slots * sizeof(std::uint64_t));
    const std::size_t upload = lay.off;
    const std::size_t at_bufs = lay.place(xp.buf_cells * sizeof(kern::Cell2));
    const std::size_t at_prog = lay.place(xp.progress_count * sizeof(std::int32_t));
    const std::size_t at_dirs = lay.place(wp.dir_words * 4);
    const std::size_t at_res = lay.place(n_slots * sizeof(kern::TraceResult));
    const std::size_t at_ops = lay.place(wp.ops_bytes);
    const std::size_t at_err = lay.place(sizeof(std::int32_t));
    const std::size_t down_bytes = at_err - at_res + sizeof(std::int32_t);
    l.ops_down_at = at_ops - at_res;
    l.error_at = at_err - at_res;

    reserve(l, upload, down_bytes, lay.off);

    std::uint8_t* h = l.up.data();
    copy_window_codes(l, h + at_codes);
    std::memcpy(h + at_slots, l.slots.data(), n_slots * sizeof(kern::Slot));
    std::memcpy(h + at_workers, xp.workers.data(), xp.workers.size() * sizeof(kern::Worker));
    std::memcpy(h + at_dir_at, wp.dir_at.data(), n_slots * sizeof(std::uint64_t));
    std::memcpy(h + at_ops_at, l.ops_at.data(), n_slots * sizeof(std::uint64_t));

    std::uint8_t* d = static_cast<std::uint8_t*>(l.dev.data());
    record_begin(l);
    GPUALIGN_CUDA_CHECK(cudaMemcpyAsync(d, h, upload, cudaMemcpyHostToDevice, l.stream));
    stats.upload_bytes += upload;
    // Poison results and paths: what the kernel failed to write cannot pass.
    GPUALIGN_CUDA_CHECK(cudaMemsetAsync(d + at_res, 0x5A, at_err - at_res, l.stream));
    GPUALIGN_CUDA_CHECK(cudaMemsetAsync(d + at_err, 0, sizeof(std::int32_t), l.stream));
    GPUALIGN_CUDA_CHECK(cudaMemsetAsync(d + at_prog, 0, xp.progress_count * sizeof(std::int32_t), l.stream));
    // Spinning launches never overlap (each must be resident at once).
    GPUALIGN_CUDA_CHECK(cudaStreamWaitEvent(l.stream, spin_done, 0));
    GPUALIGN_CUDA_CHECK(cudaEventRecord(l.ev_k0, l.stream));
    for (const kern::IntraLaunch& launch : xp.launches) {
      kern::TraceWarpArgs a;
      a.codes = kern::CodeStream{d + at_codes, code_bits};
      a.slots = reinterpret_cast<const kern::Slot*>(d + at_slots);
      a.workers = reinterpret_cast<const kern::Worker*>(d + at_workers) + launch.first_worker;
      a.dir_at = reinterpret_cast<const std::uint64_t*>(d + at_dir_at);
      a.ops_at = reinterpret_cast<const std::uint64_t*>(d + at_ops_at);
      a.dirs = reinterpret_cast<std::uint32_t*>(d + at_dirs);
      a.bufs = reinterpret_cast<kern::Cell2*>(d + at_bufs);
      a.progress = reinterpret_cast<std::int32_t*>(d + at_prog);
      a.ops = reinterpret_cast<char*>(d + at_ops);
      a.out = reinterpret_cast<kern::TraceResult*>(d + at_res);
      a.error = reinterpret_cast<std::int32_t*>(d + at_err);
      a.num_workers = launch.workers;
      a.pad_code = pad;
      a.chunk_lead = tuning.chunk_lead;
      a.open = ps.open;
      a.ext = ps.ext;
      kern::launch_trace_warp(a, static_cast<const std::int32_t*>(table.data()), l.stream);
      GPUALIGN_CUDA_CHECK(cudaGetLastError());
    }
    GPUALIGN_CUDA_CHECK(cudaEventRecord(l.ev_k1, l.stream));
    GPUALIGN_CUDA_CHECK(cudaEventRecord(spin_done, l.stream));
    GPUALIGN_CUDA_CHECK(cudaMemcpyAsync(l.down.data(), d + at_res, down_bytes, cudaMemcpyDeviceToHost, l.stream));
    GPUALIGN_CUDA_CHECK(cudaEventRecord(l.ev_end, l.stream));
    l.busy = true;
  }

  // Picks the windows the GPU traces and submits them in batches of whole
  // groups within the device budget; marks the rest for the CPU.  Returns
  // with the batches in flight (finish the lanes to collect them).
  void submit_traces(const std::vector<Spec>& windows, const std::vector<std::int64_t>& scores,
                     const std::vector<Cigar*>& cigars, std::vector<char>& on_cpu) {
    t_windows = &windows;
    t_scores = &scores;
    t_cigars = &cigars;
    t_cpu = &on_cpu;
    std::vector<kern::Job> jobs(windows.size());
    std::vector<char> skip(windows.size());
    for (std::size_t k = 0; k < windows.size(); ++k) {
      jobs[k].m = windows[k].m;
      jobs[k].n = windows[k].n;
      skip[k] = on_cpu[k] != 0;  // failed earlier: nothing to trace
    }
    kern::TraceBatches tb = kern::plan_trace_batches(jobs, skip, ps, code_bits, budget(), tuning.trace_max_cells,
                                                     kMaxBatchPairs, kMaxBatchCodes, tuning.warp_trace_min_cells);
    for (int k : tb.cpu) on_cpu[static_cast<std::size_t>(k)] = 1;
    stats.trace_cpu_pairs += tb.cpu.size();
    for (std::vector<kern::Slot>& batch : tb.warp_batches) {  // largest first: the longest to run
      Lane& l = lanes[next_lane];
      next_lane = (next_lane + 1) % kStreams;
      submit_trace_warp(l, std::move(batch));
    }
    for (std::vector<kern::Slot>& batch : tb.batches) {
      Lane& l = lanes[next_lane];
      next_lane = (next_lane + 1) % kStreams;
      submit_trace(l, std::move(batch));
    }
  }

  // Runs `step` (planning and submitting batches) and adds to
  // stats.prepare_ms the host time it spent outside the waits, results and
  // submits it made.
  template <class Step>
  auto preparing(Step&& step) {
    const double before = stats.wait_ms + stats.results_ms + stats.submit_ms;
    const auto from = std::chrono::steady_clock::now();
    struct Add {
      CudaRunStats& s;
      double before;
      std::chrono::steady_clock::time_point from;
      ~Add() {
        const double all = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - from).count();
        s.prepare_ms += all - (s.wait_ms + s.results_ms + s.submit_ms - before);
      }
    } add{stats, before, from};
    return step();
  }

  // Ends of every spec; 16-bit where eligible unless `force32`.
  std::vector<kern::MergedEnd> run_ends(std::vector<Spec>& sp, bool force32) {
    std::vector<kern::MergedEnd> e(sp.size());
    std::vector<int> again;
    specs = &sp;
    ends = &e;
    rerun = &again;
    // Short pairs on whole warps (the default) keep a list of their own,
    // planned apart from the long pairs: a plan with more slots than
    // resident warps gives every slot one worker, and a long pair planned
    // among thousands of short ones would walk its tiles with one warp
    // instead of one per tile.
    constexpr Kind kKinds[] = {Kind::inter, Kind::group, Kind::intra, Kind::intra};
    constexpr int kShortWarps = 3;
    // [kind][width]: 0 32-bit, 1 16-bit, 2 16-bit with register scores.
    std::vector<int> lists[4][3];
    // Each spec's list (k * 3 + width).  Reading every code of the input
    // is the engine's largest host cost (W1: 13.5 MB a call, mostly cache
    // misses): DNA is read once, here, packed into the host store, and the
    // register-score check (A, C, G, T only) reads the packed bytes; the
    // batches then copy a half or a quarter as many bytes from the store.
    // Spread over the host's cores.
    if (code_bits == 4) {
      std::uint64_t at = 0;
      for (Spec& s : sp) {
        s.packed_at = at;
        at += kern::code_room(s.m) + kern::code_room(s.n);
      }
      if (host_codes.size() < kern::code_bytes(at, 4)) host_codes.resize(kern::code_bytes(at, 4));
    }
    std::vector<std::uint8_t> list_of(sp.size()), turned_of(sp.size());
    turned = &turned_of;
    const auto count = static_cast<std::int64_t>(sp.size());
#pragma omp parallel for schedule(static) if (count >= 2048)
    for (std::int64_t ii = 0; ii < count; ++ii) {
      const auto i = static_cast<std::size_t>(ii);
      e[i] = kern::merge_init(ps.mode, sp[i].m, sp[i].n, ps.open, ps.ext);
      int b = 0;
      const bool sixteen = !force32 && kern::bias16(ps, sp[i].m, sp[i].n, b);
      bool acgt = false;
      if (code_bits == 4) {
        const Spec& s = sp[i];
        if (ii + 1 < count) {
          kern::prefetch_codes(sp[i + 1].q, sp[i + 1].m);
          kern::prefetch_codes(sp[i + 1].t, sp[i + 1].n);
        }
        kern::stage_codes(host_codes.data(), s.packed_at, s.q, s.m, s.reversed, 4);
        kern::stage_codes(host_codes.data(), s.packed_at + kern::code_room(s.m), s.t, s.n, s.reversed, 4);
        acgt = sixteen && ps.acgt &&
               kern::stream_all_acgt(host_codes.data() + s.packed_at / 2,
                                     kern::code_bytes(kern::code_room(s.m) + kern::code_room(s.n), 4));
      }
      const bool is_short = std::max(sp[i].m, sp[i].n) <= tuning.short_max_len;
      const int k = !is_short                                                   ? 2
                    : tuning.short_kernel == CudaTuning::ShortKernel::threads        ? 0
                    : tuning.short_kernel == CudaTuning::ShortKernel::narrow_workers ? 1
                                                                                     : kShortWarps;
      list_of[i] = static_cast<std::uint8_t>(k * 3 + (acgt ? 2 : sixteen ? 1 : 0));
      turned_of[i] = transposes(kKinds[k], sixteen, sp[i].m, sp[i].n) ? 1 : 0;
    }
    for (std::size_t i = 0; i < sp.size(); ++i) lists[list_of[i] / 3][list_of[i] % 3].push_back(static_cast<int>(i));
    const std::size_t cap = budget();
    for (int k = 0; k < 4; ++k)
      for (int w = 0; w < 3; ++w) {
        const Kind kind = kKinds[k];
        std::vector<int>& list = lists[k][w];
        // Sort by size so batches (and the slots inside them) hold alike
        // pairs: by the kernel's rows, rounded up to its tiles, and
        // columns, which transposed pairs swap (submit orients each job the
        // same way and make_slots sorts by the same key, so it finds its
        // batch sorted).
        const int quantum = row_quantum(kind, w >= 1);
        auto rows_of = [&](int i) {
          const Spec& s = sp[static_cast<std::size_t>(i)];
          return kern::quantized_rows(turned_of[static_cast<std::size_t>(i)] ? s.n : s.m, quantum);
        };
        auto cols_of = [&](int i) {
          const Spec& s = sp[static_cast<std::size_t>(i)];
          return turned_of[static_cast<std::size_t>(i)] ? s.m : s.n;
        };
        kern::sort_largest_first(list, rows_of, cols_of);
        // Batches of about equal size when the pair or code limit splits
        // the list (kern::even_batch_limits).
        std::uint64_t list_codes = 0, largest = 0;
        for (int i : list) {
          const std::uint64_t c = static_cast<std::uint64_t>(sp[static_cast<std::size_t>(i)].m) +
                                  static_cast<std::uint64_t>(sp[static_cast<std::size_t>(i)].n);
          list_codes += c;
          largest = std::max(largest, c);
        }
        const kern::BatchLimits lim = kern::even_batch_limits(list.size(), list_codes, largest, kMaxBatchPairs, kMaxBatchCodes);
        const std::uint64_t max_pairs = lim.pairs, max_codes = lim.codes;
        std::vector<int> batch;
        std::uint64_t codes = 0, rows = 0, cols = 0;
        auto flush = [&] {
          if (batch.empty()) return;
          Lane& l = lanes[next_lane];
          next_lane = (next_lane + 1) % kStreams;
          submit(l, batch, kind, w >= 1, w == 2, k == kShortWarps);
          batch.clear();
          codes = rows = cols = 0;
        };
        for (int i : list) {
          const Spec& s = sp[static_cast<std::size_t>(i)];
          const std::uint64_t c2 = codes + static_cast<std::uint64_t>(s.m) + s.n;
          if (!batch.empty() && (batch.size() >= max_pairs || c2 > max_codes ||
                                 batch_bytes(kind, c2, rows + s.m, cols + s.n, batch.size() + 1) > cap))
            flush();
          batch.push_back(i);
          codes += static_cast<std::uint64_t>(s.m) + s.n;
          rows += static_cast<std::uint64_t>(s.m);
          cols += static_cast<std::uint64_t>(s.n);
        }
        flush();
      }
    for (Lane& l : lanes) finish(l);
    if (!again.empty()) {
      stats.reruns_32bit += again.size();
      std::vector<Spec> sub;
      for (int i : again) sub.push_back(sp[static_cast<std::size_t>(i)]);
      const std::vector<kern::MergedEnd> r = run_ends(sub, true);
      for (std::size_t k = 0; k < again.size(); ++k) e[static_cast<std::size_t>(again[k])] = r[k];
    }
    return e;
  }
};

static_assert(CudaTuning{}.chunk_lead == kern::kDefaultChunkLead, "one default for the engine and the kernels");
static_assert(CudaTuning{}.intra_rows == kern::kIntraRows, "256-row tiles unless asked");

// No log line here: engines are probed (gpualign info, the dispatcher, the
// bench) far more often than they run.  The dispatcher says once per run that
// the GPU is unavailable and why (unavailable_reason()).  A tuning out of
// range is an error.
CudaEngine::CudaEngine(CudaTuning tuning) {
  if (tuning.chunk_lead < 1 || tuning.chunk_lead > kern::kWarp)
    throw Error("CUDA engine: CudaTuning::chunk_lead must be 1 to 32, not " + std::to_string(tuning.chunk_lead));
  if (tuning.intra_rows != kern::kIntraRows && tuning.intra_rows != kern::kIntraShortRows)
    throw Error("CUDA engine: CudaTuning::intra_rows must be 8 or 4, not " + std::to_string(tuning.intra_rows));
  impl_ = std::make_unique<Impl>(tuning);
}
CudaEngine::~CudaEngine() = default;

bool CudaEngine::available() const noexcept { return impl_->reason.empty(); }
std::string CudaEngine::unavailable_reason() const { return impl_->reason; }
const CudaRunStats& CudaEngine::last_stats() const noexcept { return impl_->stats; }

void CudaEngine::align(std::span<const SequencePair> pairs, const ScoringScheme& scoring, const AlignOptions& options,
                       std::span<Alignment> out) {
  if (out.size() != pairs.size()) throw Error("CUDA engine: output span size differs from the batch size");
  scoring.validate();
  Impl& im = *impl_;
  im.stats = CudaRunStats{};
  const auto t0 = std::chrono::steady_clock::now();
  if (!available()) {
    // Everything on the CPU: the SIMD engine when built in, else the oracle.
    std::unique_ptr<Engine> cpu;
    try {
      cpu = make_engine("cpu");
    } catch (const Error&) {
      cpu = make_engine("reference");
    }
    cpu->align(pairs, scoring, options, out);
    return;
  }

  for (auto& l : im.lanes) {
    im.abandon(l);
    l.used = false;
  }
  im.call_begun = false;
  im.ps = kern::PlanScoring{};
  im.ps.mode = options.mode == AlignMode::local ? kern::kLocal
               : options.mode == AlignMode::global ? kern::kGlobal : kern::kSemiGlobal;
  im.ps.open = scoring.gap_open();
  im.ps.ext = scoring.gap_extend();
  im.ps.max_sub = scoring.max_score();
  im.ps.min_sub = std::min(scoring.min_score(), -1);
  im.ps.symmetric = kern::symmetric_matrix(scoring.matrix(), scoring.size());
  if (im.tuning.acgt_registers)
    kern::set_acgt(im.ps, scoring.alphabet() == Alphabet::dna, scoring.matrix(), scoring.size());
  im.capacity_bound =
      std::max({im.intra_capacity(false, false), im.intra_capacity(true, false), im.intra_capacity(true, true)});
  im.pad = alphabet_size(scoring.alphabet());
  im.code_bits = scoring.alphabet() == Alphabet::dna ? 4 : 8;
  const std::vector<std::int32_t> tab = kern::make_table(scoring.matrix(), scoring.size(), im.ps.open, im.ps.min_sub);
  im.table.reserve(tab.size() * sizeof(std::int32_t));
  GPUALIGN_CUDA_CHECK(cudaMemcpy(im.table.data(), tab.data(), tab.size() * sizeof(std::int32_t), cudaMemcpyHostToDevice));

  // 1. forward pass.
  std::vector<std::size_t> gpu, cpu;
  std::vector<Spec> fwd;
  // A fresh result in every place, but its CIGAR's buffer kept (a caller
  // aligning into the same results again): traceback writes into it
  // (finish_trace).  Spread over the host's cores: 20-30 ns a result on
  // one (W1: 0.4-0.6 ms a call, before any device work can start).
  const auto n_pairs = static_cast<std::int64_t>(pairs.size());
#pragma omp parallel for schedule(static) if (n_pairs >= 4096)
  for (std::int64_t ii = 0; ii < n_pairs; ++ii) {
    Alignment& a = out[static_cast<std::size_t>(ii)];
    Cigar keep = std::move(a.cigar);
    keep.clear();
    a = Alignment{};
    a.cigar = std::move(keep);
  }
  gpu.reserve(pairs.size());
  fwd.reserve(pairs.size());
  for (std::size_t i = 0; i < pairs.size(); ++i) {
    const auto m = static_cast<std::int64_t>(pairs[i].query.size());
    const auto n = static_cast<std::int64_t>(pairs[i].target.size());
    if (m == 0 || n == 0 || !kern::fits32(im.ps, m, n)) {
      cpu.push_back(i);
      continue;
    }
    gpu.push_back(i);
    fwd.push_back(Spec{pairs[i].query.data(), pairs[i].target.data(), static_cast<std::int32_t>(m),
                       static_cast<std::int32_t>(n), false});
  }
  using Clock = std::chrono::steady_clock;
  const auto ms_since = [](Clock::time_point t) { return std::chrono::duration<double, std::milli>(Clock::now() - t).count(); };
  const auto t_forward = Clock::now();
  const std::vector<kern::MergedEnd> e = im.preparing([&] { return im.run_ends(fwd, false); });
  im.stats.forward_wall_ms = ms_since(t_forward);
  const auto n_gpu = static_cast<std::int64_t>(gpu.size());
#pragma omp parallel for schedule(static) if (n_gpu >= 4096)
  for (std::int64_t kk = 0; kk < n_gpu; ++kk) {
    const auto k = static_cast<std::size_t>(kk);
    Alignment& a = out[gpu[k]];
    a.score = e[k].score;
    a.qend = e[k].qend;
    a.tend = e[k].tend;
  }

  // 2. begins: the forward pass on reversed prefixes.
  if (options.output != AlignOutput::score_end) {
    const auto t_begin = Clock::now();
    std::vector<Spec> rev;
    std::vector<std::size_t> rev_of;
    for (std::size_t k = 0; k < gpu.size(); ++k) {
      Alignment& a = out[gpu[k]];
      a.has_begin = true;
      a.qbeg = a.tbeg = 0;
      // Global begins at (0, 0); an empty prefix (local score 0, semi-global
      // ending in column 0) begins at (0, 0) as well.
      if (options.mode == AlignMode::global || a.qend == 0 || a.tend == 0) continue;
      // The reversed prefixes only as far back as an alignment of the
      // forward score can reach (kern::begin_reach): the same begin in
      // fewer cells.
      const std::int64_t reach =
          kern::begin_reach(a.qend, a.tend, a.score, scoring.max_score(), scoring.gap_extend());
      const std::int64_t qlen = std::min(a.qend, reach), tlen = std::min(a.tend, reach);
      rev.push_back(Spec{pairs[gpu[k]].query.data() + (a.qend - qlen), pairs[gpu[k]].target.data() + (a.tend - tlen),
                         static_cast<std::int32_t>(qlen), static_cast<std::int32_t>(tlen), true});
      im.stats.begin_cells += static_cast<std::uint64_t>(qlen) * static_cast<std::uint64_t>(tlen);
      rev_of.push_back(gpu[k]);
    }
    const std::vector<kern::MergedEnd> b = im.preparing([&] { return im.run_ends(rev, false); });
    for (std::size_t k = 0; k < rev.size(); ++k) {
      Alignment& a = out[rev_of[k]];
      if (b[k].score != a.score) {
        a.status = AlignStatus::failed;
        a.message = "CUDA engine: reverse pass scored " + std::to_string(b[k].score) + ", forward " +
                    std::to_string(a.score);
        continue;
      }
      a.qbeg = a.qend - b[k].qend;
      a.tbeg = a.tend - b[k].tend;
    }
    im.stats.begin_wall_ms = ms_since(t_begin);
  }

  // 3. CIGAR inside the [begin, end) window: on the GPU where it fits, on
  // the CPU (the reference's global traceback) otherwise.
  if (options.output == AlignOutput::cigar) {
    const auto t_cigar = Clock::now();
    const std::size_t count = gpu.size();
    std::vector<Spec> windows(count);
    std::vector<std::int64_t> scores(count, 0);
    std::vector<Cigar*> cigars(count);
    std::vector<char> on_cpu(count, 0);  // 0: GPU, 1: CPU to do, 2: done or failed
    for (std::size_t k = 0; k < count; ++k) {
      Alignment& a = out[gpu[k]];
      cigars[k] = &a.cigar;
      if (a.status != AlignStatus::ok) {
        on_cpu[k] = 2;
        continue;
      }
      const SequencePair& p = pairs[gpu[k]];
      windows[k] = Spec{p.query.data() + a.qbeg, p.target.data() + a.tbeg, static_cast<std::int32_t>(a.qend - a.qbeg),
                        static_cast<std::int32_t>(a.tend - a.tbeg), false};
      scores[k] = a.score;
    }
    auto cpu_windows = [&] {
      const std::int64_t n = static_cast<std::int64_t>(count);
#pragma omp parallel for schedule(dynamic, 16)
      for (std::int64_t kk = 0; kk < n; ++kk) {
        const std::size_t k = static_cast<std::size_t>(kk);
        if (on_cpu[k] != 1) continue;
        on_cpu[k] = 2;
        Alignment& a = out[gpu[k]];
        const SequencePair w{std::span<const std::uint8_t>(windows[k].q, static_cast<std::size_t>(windows[k].m)),
                             std::span<const std::uint8_t>(windows[k].t, static_cast<std::size_t>(windows[k].n))};
        try {
          Alignment g = reference_align(w, scoring, AlignOptions{AlignMode::global, AlignOutput::cigar});
          if (g.score != a.score) {
            a.status = AlignStatus::failed;
            a.message = "CUDA engine: window traceback scored " + std::to_string(g.score) + ", forward " +
                        std::to_string(a.score);
          } else {
            a.cigar = std::move(g.cigar);
          }
        } catch (const std::exception& ex) {
          a.status = AlignStatus::failed;
          a.message = ex.what();
        }
      }
    };
    im.preparing([&] { im.submit_traces(windows, scores, cigars, on_cpu); });
    cpu_windows();  // while the GPU batches run
    for (auto& l : im.lanes) im.finish(l);  // the GPU's CIGARs land in out (finish_trace)
    cpu_windows();  // GPU paths that did not reproduce the forward score
    im.stats.cigar_wall_ms = ms_since(t_cigar);
  }

  // Pairs the GPU does not take (empty, or scores beyond 32-bit).
  for (std::size_t i : cpu) out[i] = reference_align(pairs[i], scoring, options);
  im.stats.cpu_pairs = cpu.size();
  im.stats.device_span_ms = im.device_span_ms();
  im.stats.wall_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
}

namespace {
// The one registration line of the CUDA engine.
const bool registered = (register_engine("cuda", [] { return std::make_unique<CudaEngine>(); }), true);
}  // namespace

}  // namespace gpualign::cuda

