#pragma once
// Runs the CUDA engine's kernels on the CPU: the same agent code, layout
// planner and end merging, with host buffers instead of device memory and
// the fiber warp emulator instead of a GPU.

#include <cstdint>
#include <span>
#include <vector>

#include "gpualign/alignment.hpp"
#include "gpualign/cigar.hpp"
#include "gpualign/scoring.hpp"
#include "gpualign/sequence.hpp"
#include "inter_agent.hpp"
#include "intra_agent.hpp"
#include "plan.hpp"
#include "trace_agent.hpp"
#include "trace_warp_agent.hpp"
#include "warp_emulator.hpp"

namespace gpualign::test {

/// inter: a thread per slot; intra: whole-warp workers; group: the intra
/// kernel's narrow workers (kGroupLanes lanes, several slots a warp).
enum class Kernel { inter, intra, group };

inline int to_kmode(AlignMode m) {
  return m == AlignMode::local ? kern::kLocal : m == AlignMode::global ? kern::kGlobal : kern::kSemiGlobal;
}

inline kern::PlanScoring plan_scoring(const ScoringScheme& s, AlignMode mode) {
  kern::PlanScoring p;
  p.mode = to_kmode(mode);
  p.open = s.gap_open();
  p.ext = s.gap_extend();
  p.max_sub = s.max_score();
  p.min_sub = std::min(s.min_score(), -1);
  return p;
}

template <class Ops, int kMode, bool kAcgt, bool kPrefixF = false>
void run_emulated(Kernel kernel, const kern::PlanScoring& ps, const kern::ScoreConsts& sc, std::vector<kern::Slot> slots,
                  const std::vector<std::uint8_t>& codes, const std::vector<std::int32_t>& tab, int pad,
                  int code_bits, int stream_bits, int capacity, std::vector<kern::MergedEnd>& ends,
                  const std::vector<kern::Job>& jobs, int chunk_lead, int rows) {
  constexpr int L = Ops::kLanes;
  if (kernel == Kernel::inter) {
    kern::InterPlan plan = kern::make_inter_plan(std::move(slots), L, code_bits);
    if (L == 2 && !kern::finalize_bias16(plan.slots, &plan.groups, ps).empty())
      throw std::runtime_error("group not 16-bit eligible");
    std::vector<std::uint32_t> qw(plan.q_words), tw(plan.t_words);
    kern::pack_inter_words(plan, L, code_bits, pad, kern::CodeStream{codes.data(), stream_bits}, qw.data(), tw.data());
    std::vector<kern::Cell2> scratch(plan.scratch_cells, kern::Cell2{0xDEADBEEFu, 0xDEADBEEFu});
    std::vector<kern::Partial> out(plan.slots.size() * 2, kern::Partial{7, 7, 7, 7});  // poisoned
    kern::InterArgs a;
    a.q_words = qw.data();
    a.t_words = tw.data();
    a.groups = plan.groups.data();
    a.slots = plan.slots.data();
    a.scratch = scratch.data();
    a.out = out.data();
    a.num_slots = static_cast<int>(plan.slots.size());
    a.code_bits = code_bits;
    a.sc = sc;
    // Every thread of every warp, padded like a launch.
    const int threads = (a.num_slots + kern::kWarp - 1) / kern::kWarp * kern::kWarp;
    for (int t = 0; t < threads; ++t) kern::inter_thread<Ops, kMode, kAcgt, kPrefixF>(a, t, kAcgt ? nullptr : tab.data());
    for (std::size_t i = 0; i < plan.slots.size(); ++i)
      for (int h = 0; h < L; ++h) {
        const int job = plan.slots[i].job[h];
        if (job >= 0) kern::merge_partial(ends[job], out[i * 2 + h], jobs[job].m, jobs[job].n);
      }
  } else {
    kern::IntraPlan plan =
        kern::make_intra_plan(std::move(slots), capacity, kernel == Kernel::group ? kern::kGroupLanes : kern::kWarp, rows);
    const int W = plan.lanes, per_warp = kern::kWarp / W;
    if (L == 2 && !kern::finalize_bias16(plan.slots, nullptr, ps).empty())
      throw std::runtime_error("slot not 16-bit eligible");
    std::vector<kern::Cell2> bufs(plan.buf_cells, kern::Cell2{0xDEADBEEFu, 0xDEADBEEFu});
    std::vector<std::int32_t> progress(plan.progress_count, 0);
    std::vector<kern::Partial> out(plan.workers.size() * 2, kern::Partial{7, 7, 7, 7});  // poisoned
    std::int32_t error = 0;
    kern::IntraArgs a;
    a.codes = kern::CodeStream{codes.data(), stream_bits};
    a.slots = plan.slots.data();
    a.workers = plan.workers.data();
    a.bufs = bufs.data();
    a.progress = progress.data();
    a.out = out.data();
    a.error = &error;
    a.num_workers = static_cast<int>(plan.workers.size());
    a.pad_code = pad;
    a.chunk_lead = chunk_lead;
    a.sc = sc;
    for (const kern::IntraLaunch& l : plan.launches) {
      if (l.workers % per_warp != 0) throw std::runtime_error("intra plan: workers not in whole warps");
      WarpEmulator::run(l.workers / per_warp, [&](int warp) {
        const int wid = l.first_worker + warp * per_warp + WarpEmulator::Warp::lane() / W;
        const std::int32_t* t = kAcgt ? nullptr : tab.data();  // register scores read no table
        if (W != kern::kWarp) kern::intra_worker<Ops, kMode, WarpEmulator::Warp, kern::kGroupLanes, kAcgt>(a, wid, t);
        else if (plan.rows == kern::kIntraShortRows)
          kern::intra_worker<Ops, kMode, WarpEmulator::Warp, kern::kWarp, kAcgt, kern::kIntraShortRows>(a, wid, t);
        else kern::intra_worker<Ops, kMode, WarpEmulator::Warp, kern::kWarp, kAcgt, kern::kIntraRows, kPrefixF>(a, wid, t);
      });
    }
    if (error) throw std::runtime_error("intra kernel emulation: a worker gave up waiting");
    for (std::size_t w = 0; w < plan.workers.size(); ++w) {
      if (plan.workers[w].slot < 0) continue;  // padding worker
      const kern::Slot& s = plan.slots[static_cast<std::size_t>(plan.workers[w].slot)];
      for (int h = 0; h < L; ++h)
        if (s.job[h] >= 0) kern::merge_partial(ends[s.job[h]], out[w * 2 + h], jobs[s.job[h]].m, jobs[s.job[h]].n);
    }
  }
}

/// Forward-pass ends of `pairs` as the CUDA kernels compute them.  With
/// `sixteen`, every pair must be 16-bit eligible; with `acgt` (16-bit only)
/// the kernels take register scores, and the scheme and every pair must
/// allow them.  `transpose`: which pairs the intra kernel takes transposed
/// (the engine's orient_jobs; the inter kernel never).
inline std::vector<kern::MergedEnd> emulate_ends(std::span<const SequencePair> pairs, const ScoringScheme& s,
                                                 AlignMode mode, Kernel kernel, bool sixteen, int capacity = 3,
                                                 bool acgt = false, int chunk_lead = kern::kDefaultChunkLead,
                                                 int rows = kern::kIntraRows, bool prefix_f = false,
                                                 kern::TransposeRule transpose = kern::TransposeRule::never,
                                                 int* transposed_out = nullptr) {
  kern::PlanScoring ps = plan_scoring(s, mode);
  ps.symmetric = kern::symmetric_matrix(s.matrix(), s.size());
  if (acgt) {
    kern::set_acgt(ps, s.alphabet() == Alphabet::dna, s.matrix(), s.size());
    if (!sixteen || !ps.acgt) throw std::runtime_error("no register scores for this scheme or width");
    for (const SequencePair& p : pairs)
      if (!kern::all_acgt(p.query.data(), p.query.size()) || !kern::all_acgt(p.target.data(), p.target.size()))
        throw std::runtime_error("a pair has codes other than A, C, G, T");
  }
  const int pad = alphabet_size(s.alphabet());
  const int code_bits = s.alphabet() == Alphabet::dna ? 4 : 8;
  // The engine's staging: a code stream (kernels/code_stream.hpp), each
  // sequence in a room of a multiple of 4 codes, repacked at 2 bits for
  // register scores (A, C, G, T only) as the engine does.
  std::vector<kern::Job> jobs;
  std::vector<int> bias(pairs.size(), 0), order(pairs.size());
  std::vector<kern::MergedEnd> ends;
  std::uint64_t ncodes = 0;
  for (const SequencePair& p : pairs) {
    kern::Job j;
    j.m = static_cast<int>(p.query.size());
    j.n = static_cast<int>(p.target.size());
    j.q_off = ncodes;
    j.t_off = ncodes + kern::code_room(j.m);
    ncodes = j.t_off + kern::code_room(j.n);
    jobs.push_back(j);
  }
  std::vector<std::uint8_t> codes(kern::code_bytes(ncodes, code_bits), 0xEE);
  for (std::size_t i = 0; i < pairs.size(); ++i) {
    const kern::Job& j = jobs[i];
    kern::stage_codes(codes.data(), j.q_off, pairs[i].query.data(), j.m, false, code_bits);
    kern::stage_codes(codes.data(), j.t_off, pairs[i].target.data(), j.n, false, code_bits);
    order[i] = static_cast<int>(i);
    if (sixteen && !kern::bias16(ps, j.m, j.n, bias[i])) throw std::runtime_error("pair not 16-bit eligible");
    ends.push_back(kern::merge_init(ps.mode, j.m, j.n, ps.open, ps.ext));
  }
  int stream_bits = code_bits;
  if (acgt) {
    std::vector<std::uint8_t> two(kern::code_bytes(ncodes, 2), 0xEE);
    kern::repack_acgt(two.data(), codes.data(), ncodes);
    codes = std::move(two);
    stream_bits = 2;
  }
  const std::vector<std::int32_t> tab = kern::make_table(s.matrix(), s.size(), ps.open, ps.min_sub);
  const kern::ScoreConsts sc = kern::make_consts(ps, sixteen);
  if (kernel != Kernel::inter) {
    const int lanes = kernel == Kernel::group ? kern::kGroupLanes : kern::kWarp;
    const int tile_rows = lanes * (kernel == Kernel::intra && rows == kern::kIntraShortRows ? rows : kern::kIntraRows);
    kern::orient_jobs(jobs, ps, transpose, lanes, tile_rows, chunk_lead);
  }
  if (transposed_out) {
    *transposed_out = 0;
    for (const kern::Job& j : jobs) *transposed_out += j.transposed ? 1 : 0;
  }
  std::vector<kern::Slot> slots = kern::make_slots(jobs, order, bias, sixteen ? 2 : 1);
  auto go = [&]<class Ops, int M, bool A = false>() {
    if (prefix_f)
      run_emulated<Ops, M, A, true>(kernel, ps, sc, std::move(slots), codes, tab, pad, code_bits, stream_bits,
                                    capacity, ends, jobs, chunk_lead, rows);
    else
      run_emulated<Ops, M, A>(kernel, ps, sc, std::move(slots), codes, tab, pad, code_bits, stream_bits, capacity,
                              ends, jobs, chunk_lead, rows);
  };
  const int m = ps.mode;
  if (acgt) {
    if (m == kern::kLocal) go.template operator()<kern::OpsS16x2, kern::kLocal, true>();
    else if (m == kern::kGlobal) go.template operator()<kern::OpsS16x2, kern::kGlobal, true>();
    else go.template operator()<kern::OpsS16x2, kern::kSemiGlobal, true>();
  } else if (sixteen) {
    if (m == kern::kLocal) go.template operator()<kern::OpsS16x2, kern::kLocal>();
    else if (m == kern::kGlobal) go.template operator()<kern::OpsS16x2, kern::kGlobal>();
    else go.template operator()<kern::OpsS16x2, kern::kSemiGlobal>();
  } else {
    if (m == kern::kLocal) go.template operator()<kern::OpsI32, kern::kLocal>();
    else if (m == kern::kGlobal) go.template operator()<kern::OpsI32, kern::kGlobal>();
    else go.template operator()<kern::OpsI32, kern::kSemiGlobal>();
  }
  return ends;
}

/// Traceback of whole windows (global alignment of each pair) as the CUDA
/// engine computes it: the engine's batch planner and staging, its layout
/// planner, every thread of every warp (padding lanes included), buffers
/// poisoned first.  Windows the planner leaves to the CPU come back with
/// `on_gpu` false (and no path).
struct EmulatedTrace {
  bool on_gpu = false;
  long long score = 0;
  Cigar cigar;
  bool path_ok = true;  ///< the path's length was within m + n
};

struct TraceLimits {
  std::uint64_t cap = std::uint64_t{1} << 40;        ///< device bytes per batch
  std::uint64_t max_cells = std::uint64_t{16} << 20;  ///< per window
  std::size_t max_pairs = 16384;
  std::uint64_t max_codes = std::uint64_t{64} << 20;
  std::uint64_t warp_min_cells = ~std::uint64_t{0};   ///< windows this large: warp workers (never by default)
  int warp_capacity = 64;                             ///< resident warps a warp-traceback launch may hold
  int chunk_lead = kern::kDefaultChunkLead;           ///< steps ahead warp workers load the row above
};

inline std::vector<EmulatedTrace> emulate_trace(std::span<const SequencePair> pairs, const ScoringScheme& s,
                                                const TraceLimits& lim = {}, int* batches_out = nullptr,
                                                int* workers_out = nullptr) {
  const kern::PlanScoring ps = plan_scoring(s, AlignMode::global);
  const int pad = alphabet_size(s.alphabet());
  const int code_bits = s.alphabet() == Alphabet::dna ? 4 : 8;
  const std::vector<std::int32_t> tab = kern::make_table(s.matrix(), s.size(), ps.open, ps.min_sub);
  std::vector<kern::Job> windows(pairs.size());
  for (std::size_t i = 0; i < pairs.size(); ++i) {
    windows[i].m = static_cast<int>(pairs[i].query.size());
    windows[i].n = static_cast<int>(pairs[i].target.size());
  }
  kern::TraceBatches tb = kern::plan_trace_batches(windows, std::vector<char>(pairs.size(), 0), ps, code_bits, lim.cap,
                                                   lim.max_cells, lim.max_pairs, lim.max_codes, lim.warp_min_cells);
  if (batches_out) *batches_out = static_cast<int>(tb.batches.size() + tb.warp_batches.size());
  std::vector<EmulatedTrace> res(pairs.size());
  auto collect = [&](const kern::Slot& sl, const std::vector<int>& window_of, const kern::TraceResult& out,
                     const char* ops) {
    EmulatedTrace& r = res[static_cast<std::size_t>(window_of[static_cast<std::size_t>(sl.job[0])])];
    r.on_gpu = true;
    r.score = out.score;
    const long long len = out.len;
    r.path_ok = len >= 0 && len <= static_cast<long long>(sl.prob[0].m) + sl.prob[0].n;
    if (!r.path_ok) return;
    for (long long k = len - 1; k >= 0; --k) r.cigar.push(ops[k]);
  };
  // The engine's staging: the batch's windows' codes, in slot order.
  auto stage = [&](std::vector<kern::Slot>& batch, std::vector<std::uint8_t>& codes) {
    std::uint64_t ncodes = 0;
    const std::vector<int> window_of = kern::stage_trace_batch(batch, ncodes);
    codes.assign(kern::code_bytes(ncodes, code_bits), 0xEE);
    for (const kern::Slot& sl : batch) {
      const SequencePair& p = pairs[static_cast<std::size_t>(window_of[static_cast<std::size_t>(sl.job[0])])];
      kern::stage_codes(codes.data(), sl.q_off[0], p.query.data(), static_cast<std::int64_t>(p.query.size()), false,
                        code_bits);
      kern::stage_codes(codes.data(), sl.t_off[0], p.target.data(), static_cast<std::int64_t>(p.target.size()), false,
                        code_bits);
    }
    return window_of;
  };
  for (std::vector<kern::Slot>& batch : tb.warp_batches) {
    std::vector<std::uint8_t> codes;
    const std::vector<int> window_of = stage(batch, codes);
    const kern::WarpTracePlan plan = kern::make_warp_trace_plan(std::move(batch), lim.warp_capacity);
    const kern::IntraPlan& xp = plan.work;
    std::vector<kern::Cell2> bufs(xp.buf_cells, kern::Cell2{0xDEADBEEFu, 0xDEADBEEFu});
    std::vector<std::int32_t> progress(xp.progress_count, 0);
    std::vector<std::uint32_t> dirs(plan.dir_words, 0xA5A5A5A5u);
    std::vector<char> ops(plan.ops_bytes, '?');
    std::vector<kern::TraceResult> out(xp.slots.size(), kern::TraceResult{-7, -7});
    std::int32_t error = 0;
    for (const kern::IntraLaunch& launch : xp.launches) {
      kern::TraceWarpArgs a;
      a.codes = kern::CodeStream{codes.data(), code_bits};
      a.slots = xp.slots.data();
      a.workers = xp.workers.data() + launch.first_worker;
      a.dir_at = plan.dir_at.data();
      a.ops_at = plan.ops_at.data();
      a.dirs = dirs.data();
      a.bufs = bufs.data();
      a.progress = progress.data();
      a.ops = ops.data();
      a.out = out.data();
      a.error = &error;
      a.num_workers = launch.workers;
      a.pad_code = pad;
      a.chunk_lead = lim.chunk_lead;
      a.open = ps.open;
      a.ext = ps.ext;
      // Walk caches poisoned: the walk may only read what it loaded.
      std::vector<std::uint32_t> walk(static_cast<std::size_t>(launch.workers) * kern::kWalkCacheWords, 0x5A5A5A5Au);
      WarpEmulator::run(a.num_workers, [&](int w) {
        kern::trace_warp<WarpEmulator::Warp>(a, w, tab.data(), walk.data() + static_cast<std::size_t>(w) * kern::kWalkCacheWords);
      });
    }
    if (error != 0) throw std::runtime_error("emulate_trace: a warp-traceback worker gave up waiting");
    if (workers_out) *workers_out += static_cast<int>(xp.workers.size());
    for (std::size_t i = 0; i < xp.slots.size(); ++i)
      collect(xp.slots[i], window_of, out[i], ops.data() + plan.ops_at[i]);
  }
  for (std::vector<kern::Slot>& batch : tb.batches) {
    std::vector<std::uint8_t> codes;
    const std::vector<int> window_of = stage(batch, codes);
    const kern::TracePlan plan = kern::make_trace_plan(std::move(batch), code_bits);
    std::vector<std::uint32_t> qw(plan.inter.q_words), tw(plan.inter.t_words);
    kern::pack_inter_words(plan.inter, 1, code_bits, pad, kern::CodeStream{codes.data(), code_bits}, qw.data(),
                           tw.data());
    std::vector<kern::Cell2> scratch(plan.inter.scratch_cells, kern::Cell2{0xDEADBEEFu, 0xDEADBEEFu});
    std::vector<std::uint32_t> dirs(plan.dir_words, 0xA5A5A5A5u);
    std::vector<char> ops(plan.ops_bytes, '?');
    std::vector<kern::TraceResult> out(plan.inter.slots.size(), kern::TraceResult{-7, -7});
    kern::TraceArgs a;
    a.q_words = qw.data();
    a.t_words = tw.data();
    a.groups = plan.inter.groups.data();
    a.slots = plan.inter.slots.data();
    a.dir_at = plan.dir_at.data();
    a.ops_at = plan.ops_at.data();
    a.dirs = dirs.data();
    a.scratch = scratch.data();
    a.ops = ops.data();
    a.out = out.data();
    a.num_slots = static_cast<int>(plan.inter.slots.size());
    a.code_bits = code_bits;
    a.open = ps.open;
    a.ext = ps.ext;
    const int threads = (a.num_slots + kern::kWarp - 1) / kern::kWarp * kern::kWarp;
    for (int t = 0; t < threads; ++t) kern::trace_thread(a, t, tab.data());
    for (std::size_t i = 0; i < plan.inter.slots.size(); ++i)
      collect(plan.inter.slots[i], window_of, out[i], ops.data() + plan.ops_at[i]);
  }
  return res;
}

}  // namespace gpualign::test
