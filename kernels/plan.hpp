#pragma once
// Host-side layout planning shared by the CUDA engine and the CPU tests:
// which problems share a slot, how slots form groups / workers, where every
// buffer lives.  Plain C++ (no CUDA), so the CPU tests run the engine's own
// layout code through the emulated kernels.

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <numeric>
#include <vector>

#include "layout.hpp"
#include "recurrence.hpp"

namespace gpualign::kern {

/// One problem to align on the device: codes already staged (forward or
/// reversed) at q_off / t_off of the batch's code buffer.
struct Job {
  std::uint64_t q_off = 0, t_off = 0;
  std::int32_t m = 0, n = 0;
};

/// Scoring facts the planner needs.
struct PlanScoring {
  int mode = kLocal;
  int open = 0, ext = 0;
  int max_sub = 0;  ///< largest substitution score
  int min_sub = 0;  ///< smallest substitution score, pad included (< 0)
};

/// Lowest true value any candidate of an m x n problem can take (see recurrence.hpp).
inline long long lowest_value(const PlanScoring& s, long long rows, long long cols) {
  const long long path = s.mode == kLocal ? 0 : -(2LL * s.open + static_cast<long long>(s.ext) * (rows + cols));
  return path - s.open - s.ext + std::min(s.min_sub, 0);
}
inline int limit_g16(const PlanScoring& s) { return 32767 - std::max(s.max_sub, 0) - s.open; }
inline int sentinel16(const PlanScoring& s) { return -32768 + s.ext; }
inline constexpr int kSentinel32 = INT32_MIN / 4;

/// 16-bit bias of a problem computed over `rows` x `cols` cells (its own
/// size, or the padded size of its group or slot), or false when 16-bit
/// cannot hold it.  Local mode relies on the run-time overflow watch; global
/// and semi-global are only eligible when no score can reach the limit.
inline bool bias16(const PlanScoring& s, long long rows, long long cols, int& bias) {
  const long long low = lowest_value(s, rows + kIntraTileRows, cols);
  const long long b = -32767LL + s.ext - low;
  const long long headroom = static_cast<long long>(limit_g16(s)) - b;
  const long long need = s.mode == kLocal ? 64 : static_cast<long long>(std::max(s.max_sub, 1)) * std::min(rows, cols) + 64;
  if (headroom < need) return false;
  bias = static_cast<int>(b);
  return true;
}

/// Sets the 16-bit bias of every problem from the padded size its kernel
/// computes (group of an inter launch, slot of an intra launch), so that
/// padding cells cannot wrap either.  Returns the jobs that no longer fit
/// 16-bit (to be rerun at 32-bit); their results are ignored.
inline std::vector<int> finalize_bias16(std::vector<Slot>& slots, const std::vector<InterGroup>* groups,
                                        const PlanScoring& s) {
  std::vector<int> fallback;
  for (std::size_t i = 0; i < slots.size(); ++i) {
    Slot& sl = slots[i];
    const long long rows = groups ? (*groups)[i / kWarp].rows : sl.rows;
    const long long cols = groups ? (*groups)[i / kWarp].cols : sl.cols;
    int b = 0;
    const bool ok = bias16(s, rows, cols, b);
    for (int h = 0; h < 2; ++h) {
      sl.prob[h].bias = ok ? b : 0;
      if (!ok && sl.job[h] >= 0) fallback.push_back(sl.job[h]);
    }
  }
  return fallback;
}

/// Whether 32-bit is exact for an m x n problem (else the CPU reference runs it).
inline bool fits32(const PlanScoring& s, long long m, long long n) {
  const long long low = lowest_value(s, m + kIntraTileRows, n);
  const long long high = static_cast<long long>(std::max(s.max_sub, 0)) * std::max(m, n) + s.open;
  return -low < (1LL << 28) && high < (1LL << 28) && m < (1LL << 30) && n < (1LL << 30);
}

inline ScoreConsts make_consts(const PlanScoring& s, bool sixteen) {
  ScoreConsts c;
  c.open = s.open;
  c.ext = s.ext;
  c.mode = s.mode;
  c.sentinel = sixteen ? sentinel16(s) : kSentinel32;
  c.limit_g = sixteen ? limit_g16(s) : 0x7FFFFFFF;
  return c;
}

/// Substitution table for the kernels (kTableWords int32): plain s + open,
/// then its low halves, then the same shifted to the high half.  Codes at
/// or beyond `size` (the pad) score `pad_score`.
inline std::vector<std::int32_t> make_table(const std::vector<int>& matrix, int size, int open, int pad_score) {
  std::vector<std::int32_t> tab(kTableWords);
  for (int q = 0; q < kTableStride; ++q)
    for (int t = 0; t < kTableStride; ++t) {
      const int s = (q < size && t < size ? matrix[q * size + t] : pad_score) + open;
      tab[q * kTableStride + t] = s;
      tab[kTableCells + q * kTableStride + t] = static_cast<std::int32_t>(static_cast<std::uint32_t>(s) & 0xFFFFu);
      tab[2 * kTableCells + q * kTableStride + t] = static_cast<std::int32_t>(static_cast<std::uint32_t>(s) << 16);
    }
  return tab;
}

/// Slots from jobs: sorted by size (query, then target, descending) so
/// neighbours are alike; `lanes` problems per slot.  `bias` is per job.
inline std::vector<Slot> make_slots(const std::vector<Job>& jobs, const std::vector<int>& order_in,
                                    const std::vector<int>& bias, int lanes) {
  std::vector<int> order = order_in;
  std::stable_sort(order.begin(), order.end(), [&](int a, int b) {
    if (jobs[a].m != jobs[b].m) return jobs[a].m > jobs[b].m;
    return jobs[a].n > jobs[b].n;
  });
  std::vector<Slot> slots;
  for (std::size_t i = 0; i < order.size(); i += lanes) {
    Slot s;
    for (int h = 0; h < lanes && i + h < order.size(); ++h) {
      const Job& j = jobs[order[i + h]];
      s.job[h] = order[i + h];
      s.prob[h] = Problem{j.m, j.n, bias[order[i + h]]};
      s.q_off[h] = j.q_off;
      s.t_off[h] = j.t_off;
      s.rows = std::max(s.rows, j.m);
      s.cols = std::max(s.cols, j.n);
    }
    if (lanes == 2 && s.job[1] < 0) s.prob[1] = Problem{0, 0, s.prob[0].bias};
    slots.push_back(s);
  }
  return slots;
}

/// Layout of an inter-sequence launch.
struct InterPlan {
  std::vector<Slot> slots;
  std::vector<InterGroup> groups;
  std::uint64_t q_words = 0, t_words = 0, scratch_cells = 0;
};

inline InterPlan make_inter_plan(std::vector<Slot> slots, int lanes, int code_bits) {
  InterPlan p;
  p.slots = std::move(slots);
  const int per_word = 32 / code_bits;
  for (std::size_t g0 = 0; g0 < p.slots.size(); g0 += kWarp) {
    InterGroup g;
    for (std::size_t i = g0; i < std::min(p.slots.size(), g0 + kWarp); ++i) {
      g.rows = std::max(g.rows, p.slots[i].rows);
      g.cols = std::max(g.cols, p.slots[i].cols);
    }
    g.rows = (g.rows + kInterRows - 1) / kInterRows * kInterRows;
    g.q_wpl = (g.rows + per_word - 1) / per_word;
    g.t_wpl = (g.cols + per_word - 1) / per_word;
    g.q_words = p.q_words;
    g.t_words = p.t_words;
    g.scratch = p.scratch_cells;
    p.q_words += static_cast<std::uint64_t>(g.q_wpl) * lanes * kWarp;
    p.t_words += static_cast<std::uint64_t>(g.t_wpl) * lanes * kWarp;
    p.scratch_cells += static_cast<std::uint64_t>(g.cols + 1) * kWarp;
    p.groups.push_back(g);
  }
  return p;
}

/// Packs every group's words (the host version of the device packing pass).
inline void pack_inter_words(const InterPlan& p, int lanes, int code_bits, int pad, const std::uint8_t* codes,
                             std::uint32_t* q_words, std::uint32_t* t_words) {
  for (std::size_t i = 0; i < p.slots.size(); ++i) {
    const InterGroup& g = p.groups[i / kWarp];
    const Slot& s = p.slots[i];
    for (int h = 0; h < lanes; ++h) {
      const int lane = static_cast<int>(i % kWarp);
      pack_lane_words(q_words + g.q_words, codes, s.q_off[h], s.prob[h].m, g.q_wpl, lanes, h, lane, code_bits, pad);
      pack_lane_words(t_words + g.t_words, codes, s.t_off[h], s.prob[h].n, g.t_wpl, lanes, h, lane, code_bits, pad);
    }
  }
  // Lanes of a partial last group: pad words so every load reads defined data.
  if (!p.slots.empty() && p.slots.size() % kWarp) {
    const InterGroup& g = p.groups.back();
    for (std::size_t i = p.slots.size(); i % kWarp; ++i)
      for (int h = 0; h < lanes; ++h) {
        const int lane = static_cast<int>(i % kWarp);
        pack_lane_words(q_words + g.q_words, codes, 0, 0, g.q_wpl, lanes, h, lane, code_bits, pad);
        pack_lane_words(t_words + g.t_words, codes, 0, 0, g.t_wpl, lanes, h, lane, code_bits, pad);
      }
  }
}

/// One launch of the intra-sequence kernel: workers [first, first + count).
struct IntraLaunch {
  int first_worker = 0, workers = 0;
};

/// Layout of the intra-sequence launches of one batch.
struct IntraPlan {
  std::vector<Slot> slots;
  std::vector<Worker> workers;
  std::vector<IntraLaunch> launches;
  std::uint64_t buf_cells = 0, progress_count = 0;
};

/// Spreads `capacity` resident warps over the slots in proportion to their
/// cells (at least one, at most one per tile); slots beyond what one launch
/// can hold go to further launches, so every launch's workers are resident.
inline IntraPlan make_intra_plan(std::vector<Slot> slots, int capacity) {
  IntraPlan p;
  p.slots = std::move(slots);
  capacity = std::max(capacity, 1);
  std::size_t begin = 0;
  while (begin < p.slots.size()) {
    const std::size_t end = std::min(p.slots.size(), begin + static_cast<std::size_t>(capacity));
    double cells = 0;
    for (std::size_t i = begin; i < end; ++i) cells += static_cast<double>(p.slots[i].rows) * p.slots[i].cols;
    IntraLaunch l;
    l.first_worker = static_cast<int>(p.workers.size());
    const int spare = capacity - static_cast<int>(end - begin);
    for (std::size_t i = begin; i < end; ++i) {
      Slot& s = p.slots[i];
      s.tiles = std::max(1, (s.rows + kIntraTileRows - 1) / kIntraTileRows);
      const double share = cells > 0 ? static_cast<double>(s.rows) * s.cols / cells : 0.0;
      s.workers = std::clamp(1 + static_cast<int>(share * spare), 1, s.tiles);
      s.buf = p.buf_cells;
      s.progress = p.progress_count;
      p.buf_cells += static_cast<std::uint64_t>(s.cols) + 1;
      p.progress_count += static_cast<std::uint64_t>(s.tiles);
      for (int k = 0; k < s.workers; ++k) p.workers.push_back(Worker{static_cast<int>(i), k});
    }
    l.workers = static_cast<int>(p.workers.size()) - l.first_worker;
    p.launches.push_back(l);
    begin = end;
  }
  return p;
}

/// Merges partial ends of one problem the way the reference picks its end.
/// `m`, `n`: the problem's size; candidates outside it (padding) are ignored.
struct MergedEnd {
  long long score = 0, qend = 0, tend = 0;
  bool overflow = false;
};
inline MergedEnd merge_init(int mode, int m, int n, int open, int ext) {
  MergedEnd e;
  if (mode == kLocal) {
    e.score = 0;  // the empty alignment at (0, 0)
  } else if (mode == kSemiGlobal) {
    e.score = gap_cost(m, open, ext);  // H(m, 0): the whole query inserted, tend 0
    e.qend = m;
  } else {
    e.score = kNoCandidate;
    e.qend = m;
    e.tend = n;
  }
  return e;
}
inline void merge_partial(MergedEnd& e, const Partial& p, int m, int n) {
  if (p.flags & kFlagOverflow) e.overflow = true;
  if (p.score == kNoCandidate || p.qend > m || p.tend > n) return;
  if (e.score == kNoCandidate || end_better(p.score, p.qend, p.tend, e.score, e.qend, e.tend)) {
    e.score = p.score;
    e.qend = p.qend;
    e.tend = p.tend;
  }
}

}  // namespace gpualign::kern
