#pragma once
// Host-side layout planning shared by the CUDA engine and the CPU tests:
// which problems share a slot, how slots form groups / workers, where every
// buffer lives.  Plain C++ (no CUDA), so the CPU tests run the engine's own
// layout code through the emulated kernels.

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <numeric>
#include <utility>
#include <vector>

#include "layout.hpp"
#include "packed16.hpp"
#include "recurrence.hpp"

namespace gpualign::kern {

/// One problem to align on the device: codes already staged (forward or
/// reversed) at q_off / t_off of the batch's code buffer.  `transposed`:
/// the kernel takes the target as its rows (make_slots swaps the two).
struct Job {
  std::uint64_t q_off = 0, t_off = 0;
  std::int32_t m = 0, n = 0;
  bool transposed = false;
};

/// Scoring facts the planner needs.
struct PlanScoring {
  int mode = kLocal;
  int open = 0, ext = 0;
  int max_sub = 0;  ///< largest substitution score
  int min_sub = 0;  ///< smallest substitution score, pad included (< 0)
  /// The scheme has register scores (acgt_scores): s + open of q ^ t.  Set
  /// with set_acgt, which also lowers min_sub to the padding's score there.
  bool acgt = false;
  int acgt_v[4] = {0, 0, 0, 0};
  /// s(a, b) = s(b, a) for every pair of codes (symmetric_matrix): a
  /// problem may then be aligned transposed (transposable).
  bool symmetric = false;
};

/// Whether a size x size substitution matrix is symmetric.
inline bool symmetric_matrix(const std::vector<int>& matrix, int size) {
  for (int a = 0; a < size; ++a)
    for (int b = 0; b < a; ++b)
      if (matrix[static_cast<std::size_t>(a * size + b)] != matrix[static_cast<std::size_t>(b * size + a)]) return false;
  return true;
}

/// Which pairs of an intra-sequence batch are aligned transposed, the
/// target on the kernel's rows (Problem::transposed, orient_jobs).
enum class TransposeRule {
  never,
  when_pays,  ///< where transpose_pays says so (the engine's default)
  always,     ///< every pair with a target longer than its query (tests)
};

/// Whether a scheme allows transposed problems: local or global mode (a
/// semi-global alignment's free target ends are not the query's) and a
/// symmetric substitution matrix.
inline bool transposable(const PlanScoring& s) { return (s.mode == kLocal || s.mode == kGlobal) && s.symmetric; }

/// Whether an m x n pair (n > m) runs faster transposed on intra workers of
/// `lanes` lanes and `tile_rows`-row tiles.  A slot's tiles each sweep all
/// its columns, a step a column (plus lanes - 1 to fill the wavefront);
/// whole-warp workers pipeline them, tile t starting a lag of 2 (lanes - 1)
/// + chunk_lead steps after tile t - 1 (tile_progress.hpp).  So a slot
/// takes ~cols + (tiles - 1) * lag steps however many warps share it, and
/// its work is tiles * (cols + lanes - 1) warp-steps.  Rows = the longer
/// sequence shortens the first (a W3 pair of 15,000 x 75,000: ~79,100 ->
/// ~35,500 steps at lead 8), which is what a GPU holding few slots waits
/// for; transposing is chosen when it does so without adding more than 2%
/// of work (row padding to whole tiles against the wavefront fill: W1's
/// 250 x 500 pairs stay as they are).  Narrow workers take their slot's
/// tiles one after another: for them the work is the time.
inline bool transpose_pays(long long m, long long n, int lanes, int tile_rows, int chunk_lead) {
  if (n <= m) return false;
  auto tiles = [tile_rows](long long rows) { return std::max(1LL, (rows + tile_rows - 1) / tile_rows); };
  auto work = [&](long long rows, long long cols) { return tiles(rows) * (cols + lanes - 1); };
  if (lanes != kWarp) return work(n, m) < work(m, n);
  const long long lag = tile_lag(chunk_lead);
  auto span = [&](long long rows, long long cols) { return cols + lanes - 1 + (tiles(rows) - 1) * lag; };
  return span(n, m) < span(m, n) && 50 * work(n, m) <= 51 * work(m, n);
}

/// Whether intra workers (`lanes`, `tile_rows`, `chunk_lead`) take an m x
/// n pair transposed under `rule` (see transpose_pays); never where the
/// scheme does not allow it.
inline bool orient(const PlanScoring& s, TransposeRule rule, int m, int n, int lanes, int tile_rows, int chunk_lead) {
  return rule != TransposeRule::never && transposable(s) && n > m &&
         (rule == TransposeRule::always || transpose_pays(m, n, lanes, tile_rows, chunk_lead));
}

/// Sets Job::transposed by orient() for a batch of intra workers.
inline void orient_jobs(std::vector<Job>& jobs, const PlanScoring& s, TransposeRule rule, int lanes, int tile_rows,
                        int chunk_lead) {
  for (Job& j : jobs) j.transposed = orient(s, rule, j.m, j.n, lanes, tile_rows, chunk_lead);
}

/// How far back from its end (qend, tend) a local or semi-global alignment
/// scoring `score` can begin, in query and in target residues alike.  Its
/// aligned pairs P score at most max_sub each and each of its I + D gap
/// residues costs at least `ext` (open >= ext), so score <= max_sub * P -
/// ext * (I + D), with P <= min(qend, tend): neither span, P + I nor P + D,
/// can pass P + (max_sub * P - score) / ext (a negative semi-global score
/// only widens it; its query span, the whole query, is within it too).  The
/// reverse pass for begins needs no more of the reversed prefixes: the
/// forward end is the tie rule's first cell of the forward score (local:
/// smallest tend, then qend; semi-global: smallest tend in the last row),
/// so every alignment of that score inside the prefixes ends exactly
/// there, and the reverse pass's winner -- the begin of one of them -- lies
/// within this reach; cells further back change none of the cells before
/// them.
inline long long begin_reach(long long qend, long long tend, long long score, int max_sub, int ext) {
  const long long pairs = std::min(qend, tend);
  return pairs + std::max(0LL, max_sub * pairs - score) / ext;
}

/// Lowest true value any candidate of an m x n problem can take (see recurrence.hpp).
inline long long lowest_value(const PlanScoring& s, long long rows, long long cols) {
  const long long path = s.mode == kLocal ? 0 : -(2LL * s.open + static_cast<long long>(s.ext) * (rows + cols));
  // Below the lowest H: G = H - open, and strip_column's X(r) - r * ext -
  // open, down to a G less open.
  return path - 2LL * s.open - s.ext + std::min(s.min_sub, 0);
}
/// Largest G a 16-bit lane may hold: G + s + open (the diagonal) and
/// G + kMaxStripRows * ext (strip_column's prefix maximum) stay <= 32767.
inline int limit_g16(const PlanScoring& s) {
  return 32767 - std::max(std::max(s.max_sub, 0) + s.open, kMaxStripRows * s.ext);
}
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

/// The register scores of a DNA scheme (recurrence.hpp, "substitution
/// scores from registers"): true, with v[x] = s(0, x) + open, when the
/// scores of codes 0-3 depend on q ^ t only (so v[x] = s(q, q ^ x) + open
/// for every q) and every s + open fits a signed byte.  `matrix` is size x
/// size; `dna` whether its alphabet is DNA.
inline bool acgt_scores(bool dna, const std::vector<int>& matrix, int size, int open, int v[4]) {
  if (!dna || size < 4) return false;
  for (int x = 0; x < 4; ++x) {
    v[x] = matrix[static_cast<std::size_t>(x)] + open;  // row 0: s(0, x)
    if (v[x] < -128 || v[x] > 127) return false;
  }
  for (int q = 0; q < 4; ++q)
    for (int t = 0; t < 4; ++t)
      if (matrix[static_cast<std::size_t>(q * size + t)] + open != v[q ^ t]) return false;
  return true;
}

/// Turns register scores on when the scheme has them.  Padding then scores
/// -open or -open - 1 (recurrence.hpp), so min_sub is lowered to include it.
inline void set_acgt(PlanScoring& s, bool dna, const std::vector<int>& matrix, int size) {
  s.acgt = acgt_scores(dna, matrix, size, s.open, s.acgt_v);
  if (s.acgt) s.min_sub = std::min(s.min_sub, -s.open - 1);
}

/// Whether a sequence's codes are all A, C, G, T (codes 0-3).
inline bool all_acgt(const std::uint8_t* codes, std::size_t n) {
  std::uint8_t any = 0;
  for (std::size_t i = 0; i < n; ++i) any |= codes[i];
  return (any & ~std::uint8_t{3}) == 0;
}

inline ScoreConsts make_consts(const PlanScoring& s, bool sixteen) {
  ScoreConsts c;
  c.open = s.open;
  c.ext = s.ext;
  c.mode = s.mode;
  c.sentinel = sixteen ? sentinel16(s) : kSentinel32;
  c.limit_g = sixteen ? limit_g16(s) : 0x7FFFFFFF;
  auto packed = [sixteen](int v) { return sixteen ? pk(v, v) : static_cast<std::uint32_t>(v); };
  c.v_neg_open = packed(-s.open);
  c.v_neg_ext = packed(-s.ext);
  for (int r = 0; r < kMaxStripRows; ++r) {
    c.v_rise[r] = packed((r + 1) * s.ext);
    c.v_fall[r] = packed(-(r * s.ext + s.open));
    c.v_down[r] = packed(-r * s.ext);
  }
  if (s.acgt) {
    c.v_sub_lo = pk(s.acgt_v[0], s.acgt_v[1]);
    c.v_sub_hi = pk(s.acgt_v[2], s.acgt_v[3]);
  }
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

namespace detail {
/// Stable least-significant-digit radix sort of (key, index) entries by
/// key, 11-bit digits, `key_bits` bits of key; a pass is skipped where
/// every key has the same digit.
template <class Keyed>
void radix_sort_keys(std::vector<Keyed>& keyed, int key_bits) {
  constexpr int kBits = 11;
  constexpr std::uint64_t kMask = (std::uint64_t{1} << kBits) - 1;
  std::vector<Keyed> tmp(keyed.size());
  std::vector<std::size_t> count(std::size_t{1} << kBits);
  for (int shift = 0; shift < key_bits; shift += kBits) {
    std::fill(count.begin(), count.end(), 0);
    for (const Keyed& x : keyed) ++count[(static_cast<std::uint64_t>(x.key) >> shift) & kMask];
    if (count[(static_cast<std::uint64_t>(keyed[0].key) >> shift) & kMask] == keyed.size()) continue;  // nothing moves
    std::size_t at = 0;
    for (std::size_t& c : count) at += std::exchange(c, at);
    for (const Keyed& x : keyed) tmp[count[(static_cast<std::uint64_t>(x.key) >> shift) & kMask]++] = x;
    keyed.swap(tmp);
  }
}
}  // namespace detail

/// Sorts indices by size, largest first: query length m(i), then target
/// length n(i), descending; ties keep their order (as std::stable_sort
/// would).  Already sorted lists -- a batch of a sorted list -- are only
/// checked.  The sizes are read once (through the index: scattered), and
/// the sort runs on contiguous keys as small as the sizes' ranges allow:
/// (max m - m) x (n's range) + (max n - n).  W1's lengths (150-600 either
/// way) make 18-bit keys: two 11-bit passes of a least-significant-digit
/// radix sort (stable) on 8-byte entries, or std::sort on (key, position)
/// for short lists.  Several times faster on W1's 20,000 pairs than a
/// stable sort whose comparator reads each pair's sizes through its index,
/// and 0.43 -> 0.27 ms (this 2-vCPU box, in the engine) against radix
/// passes over whole 64-bit keys: serial host work before a call's first
/// batch.
template <class M, class N>
void sort_largest_first(std::vector<int>& order, M m, N n) {
  const std::size_t count = order.size();
  if (count < 2) return;
  std::vector<std::int32_t> ms(count), ns(count);
  bool sorted = true;
  std::int32_t m_lo = 0x7FFFFFFF, m_hi = 0, n_lo = 0x7FFFFFFF, n_hi = 0;  // sizes are non-negative int32
  for (std::size_t k = 0; k < count; ++k) {
    ms[k] = static_cast<std::int32_t>(m(order[k]));
    ns[k] = static_cast<std::int32_t>(n(order[k]));
    m_lo = std::min(m_lo, ms[k]);
    m_hi = std::max(m_hi, ms[k]);
    n_lo = std::min(n_lo, ns[k]);
    n_hi = std::max(n_hi, ns[k]);
    if (k > 0 && sorted) sorted = ms[k - 1] > ms[k] || (ms[k - 1] == ms[k] && ns[k - 1] >= ns[k]);
  }
  if (sorted) return;
  // Larger sizes, smaller keys; at most (2^31)^2 < 2^62.
  const std::uint64_t n_span = static_cast<std::uint64_t>(n_hi - n_lo) + 1;
  auto key = [&](std::size_t k) {
    return static_cast<std::uint64_t>(m_hi - ms[k]) * n_span + static_cast<std::uint64_t>(n_hi - ns[k]);
  };
  const std::uint64_t key_max = static_cast<std::uint64_t>(m_hi - m_lo) * n_span + (n_span - 1);
  int key_bits = 1;
  while (key_bits < 64 && (key_max >> key_bits) != 0) ++key_bits;
  auto sort_as = [&](auto zero_key) {
    using K = decltype(zero_key);
    struct Keyed {
      K key;
      std::uint32_t pos;  // into order
    };
    std::vector<Keyed> keyed(count);
    for (std::size_t k = 0; k < count; ++k) keyed[k] = {static_cast<K>(key(k)), static_cast<std::uint32_t>(k)};
    if (count < 1024) {
      std::sort(keyed.begin(), keyed.end(),
                [](const Keyed& a, const Keyed& b) { return a.key < b.key || (a.key == b.key && a.pos < b.pos); });
    } else {
      detail::radix_sort_keys(keyed, key_bits);
    }
    std::vector<int> sorted_order(count);
    for (std::size_t k = 0; k < count; ++k) sorted_order[k] = order[keyed[k].pos];
    order.swap(sorted_order);
  };
  if (key_bits <= 32) sort_as(std::uint32_t{0});
  else sort_as(std::uint64_t{0});
}

/// `rows` rounded up to a multiple of `quantum` (a worker's tile height:
/// the rows its lanes compute whatever the problem's).
inline int quantized_rows(int rows, int quantum) {
  return quantum <= 1 ? rows : static_cast<int>((static_cast<long long>(rows) + quantum - 1) / quantum * quantum);
}

/// Slots from jobs: sorted by size (rows rounded up to `row_quantum`, then
/// columns, descending) so neighbours are alike; `lanes` problems per slot.
/// `bias` is per job.  A transposed job's target gives the rows: its
/// problem, offsets and the slot's sizes are the kernel's, swapped.
///
/// `row_quantum`: the intra kernels' tile height.  A slot costs its tiles
/// times its columns (its problems at the larger one's size), and rows
/// within one tile cost the same: sorted by exact rows, neighbours of
/// nearly equal rows but any columns shared a slot (W2's 2,000 pairs: 1.26
/// lane-cells a cell, kern::lane_cells); sorted by tiles, then columns,
/// they pair alike columns.  1 sorts by exact rows (the inter kernel,
/// whose 32-slot groups run at their longest).
inline std::vector<Slot> make_slots(const std::vector<Job>& jobs, const std::vector<int>& order_in,
                                    const std::vector<int>& bias, int lanes, int row_quantum = 1) {
  std::vector<int> order = order_in;
  auto job = [&](int i) -> const Job& { return jobs[static_cast<std::size_t>(i)]; };
  auto tile_rows = [&](int i) { return quantized_rows(job(i).transposed ? job(i).n : job(i).m, row_quantum); };
  auto cols_of = [&](int i) { return job(i).transposed ? job(i).m : job(i).n; };
  auto cost = [&](int i) { return static_cast<long long>(tile_rows(i)) * (cols_of(i) + kWarp - 1); };
  sort_largest_first(order, tile_rows, cols_of);
  std::vector<Slot> slots;
  slots.reserve((order.size() + static_cast<std::size_t>(lanes) - 1) / static_cast<std::size_t>(lanes));
  for (std::size_t i = 0; i < order.size();) {
    Slot s;
    // With tiles, a job shares its slot with one of as many tiles, or with
    // one that makes the slot at most a sixteenth longer than the larger of
    // the two alone (tiles x (columns + skew)).  A partner of fewer tiles
    // and more columns would cost the slot its tiles x the partner's
    // columns (W1 at a batch's edge: a 3-tile pair beside one of 513
    // columns, the launch's longest slot 1,262 -> 1,632 steps); a lone
    // job costs only its half of the lanes.  A short list of all-different
    // tiles (W3's 20 pairs) still pairs: alike sizes, at most 1/16 more.
    int take = 1;
    while (take < lanes && i + static_cast<std::size_t>(take) < order.size()) {
      const int a = order[i], b = order[i + static_cast<std::size_t>(take)];
      if (row_quantum > 1 && tile_rows(b) != tile_rows(a)) {
        const long long paired =
            static_cast<long long>(std::max(tile_rows(a), tile_rows(b))) * (std::max(cols_of(a), cols_of(b)) + kWarp - 1);
        if (16 * paired > 17 * std::max(cost(a), cost(b))) break;
      }
      ++take;
    }
    for (int h = 0; h < take; ++h) {
      const Job& j = job(order[i + h]);
      const bool tr = j.transposed;
      const int rows = tr ? j.n : j.m, cols = tr ? j.m : j.n;
      s.job[h] = order[i + h];
      s.prob[h] = Problem{rows, cols, bias[order[i + h]], tr ? 1 : 0};
      s.q_off[h] = tr ? j.t_off : j.q_off;
      s.t_off[h] = tr ? j.q_off : j.t_off;
      s.rows = std::max(s.rows, rows);
      s.cols = std::max(s.cols, cols);
    }
    if (lanes == 2 && s.job[1] < 0) s.prob[1] = Problem{0, 0, s.prob[0].bias};
    slots.push_back(s);
    i += static_cast<std::size_t>(take);
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

/// Packs every group's words: the device packing pass, run on the host
/// (padding lanes of a partial last group get pad words, so every load
/// reads defined data).
inline void pack_inter_words(const InterPlan& p, int lanes, int code_bits, int pad, CodeStream codes,
                             std::uint32_t* q_words, std::uint32_t* t_words) {
  const int n = static_cast<int>(p.groups.size()) * kWarp * lanes;
  for (int idx = 0; idx < n; ++idx)
    pack_inter_index(idx, p.slots.data(), p.groups.data(), static_cast<int>(p.slots.size()), codes, q_words, t_words,
                     lanes, code_bits, pad);
}

/// Layout of a traceback launch: the inter-sequence layout of one-window
/// slots (sorted by size: a warp's windows are alike), plus every group's
/// direction words and every window's op buffer.
struct TracePlan {
  InterPlan inter;
  std::vector<std::uint64_t> dir_at;  ///< per group, words
  std::vector<std::uint64_t> ops_at;  ///< per slot, bytes
  std::uint64_t dir_words = 0, ops_bytes = 0;
};

/// Direction words of one traceback group (rows are a multiple of kTraceRows).
inline std::uint64_t trace_dir_words(const InterGroup& g) {
  return static_cast<std::uint64_t>(g.rows / kTraceRows) * static_cast<std::uint64_t>(g.cols) * kWarp;
}

/// `slots` from make_slots(..., 1), in that order.
inline TracePlan make_trace_plan(std::vector<Slot> slots, int code_bits) {
  static_assert(kInterRows == kTraceRows, "groups are padded to whole strips");
  TracePlan p;
  p.inter = make_inter_plan(std::move(slots), 1, code_bits);
  for (const InterGroup& g : p.inter.groups) {
    p.dir_at.push_back(p.dir_words);
    p.dir_words += trace_dir_words(g);
  }
  for (const Slot& s : p.inter.slots) {
    p.ops_at.push_back(p.ops_bytes);
    p.ops_bytes += static_cast<std::uint64_t>(s.prob[0].m) + static_cast<std::uint64_t>(s.prob[0].n);
  }
  return p;
}

/// Device bytes one traceback group needs besides the batch's codes: words,
/// boundary row, direction words, ops, slots, offsets and results.
inline std::uint64_t trace_group_bytes(const InterGroup& g, std::uint64_t ops_bytes) {
  return (static_cast<std::uint64_t>(g.q_wpl) + static_cast<std::uint64_t>(g.t_wpl)) * kWarp * 4 +
         (static_cast<std::uint64_t>(g.cols) + 1) * kWarp * sizeof(Cell2) + trace_dir_words(g) * 4 + ops_bytes +
         kWarp * (sizeof(Slot) + sizeof(std::uint64_t) + sizeof(TraceResult)) + sizeof(InterGroup) + 8;
}

/// Bytes a window's codes take in a batch's code stream (code_stream.hpp).
inline std::uint64_t staged_code_bytes(int m, int n, int code_bits) {
  return code_bytes(code_room(m) + code_room(n), code_bits);
}

/// Device bytes of one window traced by warps: its staged codes, a byte a
/// column of its path (ops), direction words, boundary row, per-tile
/// progress and at most a worker a tile, slot, offsets, result, and the
/// alignment of the batch's buffers.
inline std::uint64_t warp_trace_bytes(int m, int n, int code_bits) {
  const std::uint64_t ops = static_cast<std::uint64_t>(m) + static_cast<std::uint64_t>(n);
  const std::uint64_t tiles = m > 0 ? (static_cast<std::uint64_t>(m) + kWarp * kTraceRows - 1) / (kWarp * kTraceRows) : 1;
  return staged_code_bytes(m, n, code_bits) + ops + warp_trace_dir_words(m, n) * 4 +
         (static_cast<std::uint64_t>(n) + 1) * sizeof(Cell2) +
         tiles * (sizeof(std::int32_t) + sizeof(Worker)) + sizeof(Slot) + 2 * sizeof(std::uint64_t) +
         sizeof(TraceResult) + 64;
}

/// Batch limits for a list of `count` jobs of `codes` codes in all (the
/// largest `largest`) under at most `max_pairs` jobs and `max_codes` codes a
/// batch: where a limit splits the list, batches of about equal size (W1's
/// 20,000 pairs: 2 x 10,000, not 16,384 + 3,616), so the second batch's
/// host work overlaps as much of the first one's device work as it can.
/// Whichever limit needs more batches sets their size; sizes vary (largest
/// jobs first), so a split by codes allows one job over the mean.  The
/// device budget may still cut further.
struct BatchLimits {
  std::uint64_t pairs, codes;
};
inline BatchLimits even_batch_limits(std::uint64_t count, std::uint64_t codes, std::uint64_t largest,
                                     std::uint64_t max_pairs, std::uint64_t max_codes) {
  const std::uint64_t by_pairs = (count + max_pairs - 1) / max_pairs;
  const std::uint64_t by_codes = (codes + max_codes - 1) / max_codes;
  BatchLimits l{max_pairs, max_codes};
  if (by_pairs > 1 && by_pairs >= by_codes) l.pairs = (count + by_pairs - 1) / by_pairs;
  else if (by_codes > 1) l.codes = std::min(max_codes, (codes + by_codes - 1) / by_codes + largest);
  return l;
}

/// Traceback batches of a list of windows (only m and n of each are read).
/// Windows of at least `warp_min_cells` cells go to `warp_batches` (whole
/// warps each, make_warp_trace_plan; sorted by size, at most `cap` device bytes, `max_pairs` windows and
/// `max_codes` codes a batch, split evenly by even_batch_limits); the others
/// to `batches`: sorted by size into slots, slots into groups of 32, groups
/// into batches within the same limits.  Batches hold whole groups, so each batch's own make_trace_plan
/// forms the same groups.  Windows with `skip` set are left out; empty ones,
/// ones over `max_cells` cells or beyond 32-bit, groups over `cap` (or
/// beyond 32-bit once padded) and warp windows over `cap` go to `cpu`.  In
/// the slots, job[0] is the window's index; offsets are left for the caller
/// to stage.
struct TraceBatches {
  std::vector<std::vector<Slot>> batches;
  std::vector<std::vector<Slot>> warp_batches;
  std::vector<int> cpu;
};

inline TraceBatches plan_trace_batches(const std::vector<Job>& windows, const std::vector<char>& skip,
                                       const PlanScoring& scoring, int code_bits, std::uint64_t cap,
                                       std::uint64_t max_cells, std::size_t max_pairs, std::uint64_t max_codes,
                                       std::uint64_t warp_min_cells = ~std::uint64_t{0}) {
  PlanScoring pg = scoring;
  pg.mode = kGlobal;
  TraceBatches out;
  std::vector<int> order, warp_order;
  for (std::size_t k = 0; k < windows.size(); ++k) {
    if (skip[k]) continue;
    const Job& w = windows[k];
    const std::uint64_t cells = static_cast<std::uint64_t>(w.m) * static_cast<std::uint64_t>(w.n);
    if (w.m <= 0 || w.n <= 0 || cells > max_cells || !fits32(pg, w.m, w.n)) out.cpu.push_back(static_cast<int>(k));
    else if (cells >= warp_min_cells) warp_order.push_back(static_cast<int>(k));
    else order.push_back(static_cast<int>(k));
  }
  const std::vector<int> bias(windows.size(), 0);
  // Even limits for a list of windows, from their sizes, for batches that
  // grow by `per` windows (a group of the thread kernel: one over the mean
  // may be a whole group).
  auto limits = [&](const std::vector<int>& list, std::uint64_t per) {
    std::uint64_t codes = 0, largest = 0;
    for (int k : list) {
      const Job& w = windows[static_cast<std::size_t>(k)];
      const std::uint64_t c = static_cast<std::uint64_t>(w.m) + static_cast<std::uint64_t>(w.n);
      codes += c;
      largest = std::max(largest, c);
    }
    return even_batch_limits(list.size(), codes, largest * per, max_pairs, max_codes);
  };
  if (!warp_order.empty()) {
    const BatchLimits lim = limits(warp_order, 1);
    std::vector<Slot> batch;
    std::uint64_t bytes = 0, codes = 0;
    for (const Slot& s : make_slots(windows, warp_order, bias, 1)) {
      const int m = s.prob[0].m, n = s.prob[0].n;
      const std::uint64_t b = warp_trace_bytes(m, n, code_bits);
      const std::uint64_t c = static_cast<std::uint64_t>(m) + static_cast<std::uint64_t>(n);
      if (b + 16 * 256 > cap) {
        out.cpu.push_back(s.job[0]);
        continue;
      }
      if (!batch.empty() && (bytes + b > cap || batch.size() >= lim.pairs || codes + c > lim.codes)) {
        out.warp_batches.push_back(std::move(batch));
        batch.clear();
        bytes = codes = 0;
      }
      if (batch.empty()) bytes = 16 * 256;
      batch.push_back(s);
      bytes += b;
      codes += c;
    }
    if (!batch.empty()) out.warp_batches.push_back(std::move(batch));
  }
  if (order.empty()) return out;
  BatchLimits lim = limits(order, kWarp);
  // Whole groups a batch: an even share rounded up to one (not a group left over).
  lim.pairs = std::min<std::uint64_t>(max_pairs, (lim.pairs + kWarp - 1) / kWarp * kWarp);
  const std::vector<Slot> sorted = make_slots(windows, order, bias, 1);
  const InterPlan all = make_inter_plan(sorted, 1, code_bits);
  std::vector<Slot> batch;
  std::uint64_t bytes = 0, codes = 0;
  auto flush = [&] {
    if (batch.empty()) return;
    out.batches.push_back(std::move(batch));
    batch.clear();
    bytes = codes = 0;
  };
  for (std::size_t g = 0; g < all.groups.size(); ++g) {
    const std::size_t b0 = g * kWarp, b1 = std::min(sorted.size(), b0 + kWarp);
    std::uint64_t gcodes = 0, gstaged = 0;
    for (std::size_t i = b0; i < b1; ++i) {
      const int m = sorted[i].prob[0].m, n = sorted[i].prob[0].n;
      gcodes += static_cast<std::uint64_t>(m) + static_cast<std::uint64_t>(n);
      gstaged += staged_code_bytes(m, n, code_bits);
    }
    // The codes staged, a byte a column of the paths (gcodes); 16 buffers' alignment.
    const std::uint64_t gbytes = trace_group_bytes(all.groups[g], gcodes) + gstaged + 16 * 256;
    if (gbytes > cap || !fits32(pg, all.groups[g].rows, all.groups[g].cols)) {
      for (std::size_t i = b0; i < b1; ++i) out.cpu.push_back(sorted[i].job[0]);
      continue;
    }
    if (!batch.empty() && (bytes + gbytes > cap || batch.size() + (b1 - b0) > lim.pairs || codes + gcodes > lim.codes))
      flush();
    batch.insert(batch.end(), sorted.begin() + static_cast<std::ptrdiff_t>(b0),
                 sorted.begin() + static_cast<std::ptrdiff_t>(b1));
    bytes += gbytes;
    codes += gcodes;
  }
  flush();
  return out;
}

/// Stages one traceback batch: slot job[0] (a window index) becomes the
/// batch-local job, q_off / t_off the offsets of the window's query and
/// target codes in the batch's code stream (slot order, code_room each),
/// `codes` its length in codes.
/// Returns the window index of each batch job.
inline std::vector<int> stage_trace_batch(std::vector<Slot>& slots, std::uint64_t& codes) {
  std::vector<int> window_of;
  codes = 0;
  for (Slot& s : slots) {
    window_of.push_back(s.job[0]);
    s.job[0] = static_cast<int>(window_of.size()) - 1;
    s.q_off[0] = codes;
    s.t_off[0] = codes + code_room(s.prob[0].m);
    codes += code_room(s.prob[0].m) + code_room(s.prob[0].n);
  }
  return window_of;
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
  int lanes = kWarp;       ///< lanes per worker (W)
  int rows = kIntraRows;   ///< query rows per lane (R): tiles of lanes * rows rows
};

/// Steps a slot of `tiles` tiles of `cols` columns takes on `workers`
/// whole-warp workers (worker k: tiles k, k + workers, ...).  A tile takes
/// len = cols + kWarp - 1 steps and starts `lag` steps after the tile above
/// it started (tile_progress.hpp) and once its worker finished its previous
/// tile: tile t = r * workers + i starts at i * lag + r * max(len, workers *
/// lag), so the last one finishes at
///   ((tiles - 1) % workers) * lag + ((tiles - 1) / workers) * max(len, workers * lag) + len.
inline long long intra_slot_steps(int tiles, int cols, int workers, int lag) {
  const long long len = static_cast<long long>(cols) + kWarp - 1;
  const long long t = std::max(tiles, 1) - 1, k = std::max(workers, 1);
  return (t % k) * lag + (t / k) * std::max(len, k * lag) + len;
}

/// How make_intra_plan shares a launch's warps among its slots.
enum class WorkerShare { by_longest, by_cells };

/// Whole-warp workers (`lanes` = kWarp): spreads `capacity` resident warps
/// over the slots so that the launch's longest slot (intra_slot_steps at
/// tile_lag(chunk_lead)) takes as few steps as it can: every
/// slot gets one, then the slot that would take longest gets as many more
/// as make it shorter, again and again, until no warp is left or the
/// longest cannot get shorter (at most one worker a tile).  A launch takes
/// as long as its longest slot, so warps the longest cannot use are left
/// idle rather than spread in proportion to cells, which on W2 left the
/// largest slots ~1.6x the mean by the model (kernels/PERFORMANCE.md,
/// "Workers by the longest slot").  `share` by_cells: in proportion to
/// each slot's cells instead (the rule before; for comparison).  Slots
/// beyond what one launch can hold go to further launches, so every
/// launch's workers are resident.
/// Narrow workers (`lanes` = kGroupLanes): one per slot, kWarp / lanes to a
/// warp in slot order (the slots come sorted by size, so a warp's groups are
/// alike), the last warp padded with idle workers; one launch, as no worker
/// waits for another.
/// `rows`: query rows per lane, kIntraRows, or kIntraShortRows for
/// whole-warp workers (shorter tiles: more of them to share); any other
/// value means kIntraRows.
/// `one_launch` (whole warps): when the slots are at least `capacity`, a
/// worker per slot in one launch of any size instead of launches of
/// `capacity`.  No worker then waits for another (each takes its own slot's
/// tiles in order), so the launch need not be resident at once, and the GPU
/// starts a warp wherever one finished, with no launch tail between them.
/// `even` (whole warps, by_longest; 0: off): the warps of one block on
/// every multiprocessor.  A launch whose longest slot cannot use all
/// `capacity` warps is shared out again over the largest multiple of `even`
/// it can use, so that every warp scheduler starts with as many of its
/// warps: a slot's pipelined tiles run at the pace of their slowest warp,
/// and one on a scheduler with a warp more than the others holds the whole
/// chain back (CudaTuning::even_blocks).  Not where that makes the longest
/// slot more than a sixteenth longer.
inline IntraPlan make_intra_plan(std::vector<Slot> slots, int capacity, int lanes = kWarp, int rows = kIntraRows,
                                 bool one_launch = false, int chunk_lead = kDefaultChunkLead,
                                 WorkerShare share = WorkerShare::by_longest, int even = 0) {
  IntraPlan p;
  p.slots = std::move(slots);
  p.lanes = lanes;
  p.rows = lanes == kWarp && rows == kIntraShortRows ? kIntraShortRows : kIntraRows;
  const int tile_rows = lanes * p.rows;
  auto place = [&](Slot& s) {
    s.tiles = std::max(1, (s.rows + tile_rows - 1) / tile_rows);
    // A one-tile slot's worker neither reads nor writes a boundary row.
    s.buf = p.buf_cells;
    s.progress = p.progress_count;
    if (s.tiles > 1) p.buf_cells += static_cast<std::uint64_t>(s.cols) + 1;
    p.progress_count += static_cast<std::uint64_t>(s.tiles);
  };
  if (lanes != kWarp) {
    const std::size_t per_warp = static_cast<std::size_t>(kWarp / lanes);
    for (std::size_t i = 0; i < p.slots.size(); ++i) {
      Slot& s = p.slots[i];
      place(s);
      s.workers = 1;
      p.workers.push_back(Worker{static_cast<int>(i), 0, s.tiles, s.cols});
    }
    while (p.workers.size() % per_warp != 0) p.workers.push_back(Worker{-1, 0, 0, 0});
    for (std::size_t w = 0; w < p.workers.size(); w += per_warp) {
      int iters = 0, cols = 0;
      for (std::size_t k = w; k < w + per_warp; ++k) {
        iters = std::max(iters, p.workers[k].iters);
        cols = std::max(cols, p.workers[k].cols);
      }
      for (std::size_t k = w; k < w + per_warp; ++k) {
        p.workers[k].iters = iters;
        p.workers[k].cols = cols;
      }
    }
    if (!p.workers.empty()) p.launches.push_back(IntraLaunch{0, static_cast<int>(p.workers.size())});
    return p;
  }
  capacity = std::max(capacity, 1);
  if (one_launch && p.slots.size() >= static_cast<std::size_t>(capacity)) {
    for (std::size_t i = 0; i < p.slots.size(); ++i) {
      Slot& s = p.slots[i];
      place(s);
      s.workers = 1;
      p.workers.push_back(Worker{static_cast<int>(i), 0, s.tiles, s.cols});
    }
    p.launches.push_back(IntraLaunch{0, static_cast<int>(p.workers.size())});
    return p;
  }
  const int lag = tile_lag(chunk_lead);
  std::size_t begin = 0;
  while (begin < p.slots.size()) {
    const std::size_t end = std::min(p.slots.size(), begin + static_cast<std::size_t>(capacity));
    IntraLaunch l;
    l.first_worker = static_cast<int>(p.workers.size());
    for (std::size_t i = begin; i < end; ++i) place(p.slots[i]);
    auto steps = [&](const Slot& s) { return intra_slot_steps(s.tiles, s.cols, s.workers, lag); };
    // Shares `cap` warps among slots [begin, end); returns how many it uses.
    auto share_out = [&](int cap) {
      int spare = cap - static_cast<int>(end - begin);
      std::vector<std::pair<long long, std::size_t>> heap;  // (steps, slot): the longest on top
      for (std::size_t i = begin; i < end; ++i) {
        p.slots[i].workers = 1;
        heap.emplace_back(steps(p.slots[i]), i);
      }
      if (share == WorkerShare::by_cells) {
        double cells = 0;
        for (std::size_t i = begin; i < end; ++i) cells += static_cast<double>(p.slots[i].rows) * p.slots[i].cols;
        for (std::size_t i = begin; i < end; ++i) {
          Slot& s = p.slots[i];
          const double part = cells > 0 ? static_cast<double>(s.rows) * s.cols / cells : 0.0;
          s.workers = std::clamp(1 + static_cast<int>(part * spare), 1, s.tiles);
        }
        heap.clear();
      }
      std::make_heap(heap.begin(), heap.end());
      while (spare > 0 && !heap.empty()) {
        std::pop_heap(heap.begin(), heap.end());
        Slot& s = p.slots[heap.back().second];
        // The fewest more workers that make the longest slot shorter.
        const int was = s.workers;
        const long long now = heap.back().first;
        while (s.workers < s.tiles && s.workers - was < spare && steps(s) >= now) ++s.workers;
        if (steps(s) >= now) {  // it cannot get shorter: neither can the launch
          s.workers = was;
          break;
        }
        spare -= s.workers - was;
        heap.back().first = steps(s);
        std::push_heap(heap.begin(), heap.end());
      }
      int used = 0;
      for (std::size_t i = begin; i < end; ++i) used += p.slots[i].workers;
      return used;
    };
    int used = share_out(capacity);
    // Warps left idle: again over fewer, a multiple of `even`, until the
    // plan uses all of them (a grant can fall short of a smaller spare);
    // kept if the longest slot grows by at most a sixteenth (a slot of a
    // few tiles, a warp each, would wait a whole tile for a lost warp).
    if (even > 0 && share == WorkerShare::by_longest && used < capacity && used % even != 0) {
      auto longest = [&] {
        long long most = 0;
        for (std::size_t i = begin; i < end; ++i) most = std::max(most, steps(p.slots[i]));
        return most;
      };
      const long long was = longest();
      for (int cap = used / even * even; used % even != 0 && cap >= static_cast<int>(end - begin);
           cap = used / even * even)
        used = share_out(cap);
      if (longest() > was + was / 16) share_out(capacity);
    }
    for (std::size_t i = begin; i < end; ++i) {
      Slot& s = p.slots[i];
      for (int k = 0; k < s.workers; ++k)
        p.workers.push_back(Worker{static_cast<int>(i), k, (s.tiles - k + s.workers - 1) / s.workers, s.cols});
    }
    l.workers = static_cast<int>(p.workers.size()) - l.first_worker;
    p.launches.push_back(l);
    begin = end;
  }
  return p;
}

/// Whether any of the plan's workers waits on another: a slot's tiles
/// shared by several whole-warp workers (the worker of tile t + 1 waits
/// for tile t's bottom row).  A plan without (every slot one worker, who
/// walks its own tiles in order) need not be resident at once.
inline bool workers_wait(const IntraPlan& p) {
  return std::any_of(p.slots.begin(), p.slots.end(), [](const Slot& s) { return s.workers > 1; });
}

/// Lane-cells a launch plan's workers step through, padding included: a
/// worker walks `iters` tiles of `cols` columns, each tile cols + lanes - 1
/// steps (the lanes' skew) of lanes x rows rows, `halves` problems a lane
/// (2 at 16-bit).  Over the plan's cells it is the work the layout adds:
/// rows rounded up to whole tiles, the skew, a slot's problems at the
/// larger one's size, a warp's narrow workers at the warp's longest
/// (W1: ~1.38, kernels/PERFORMANCE.md "W1's kernel, lane by lane").
inline std::uint64_t lane_cells(const IntraPlan& p, int halves) {
  std::uint64_t cells = 0;
  for (const Worker& w : p.workers)
    cells += static_cast<std::uint64_t>(w.iters) * static_cast<std::uint64_t>(w.cols + p.lanes - 1);
  return cells * static_cast<std::uint64_t>(p.lanes) * static_cast<std::uint64_t>(p.rows) *
         static_cast<std::uint64_t>(halves);
}

/// The same for an inter-sequence launch: a group's 32 threads step
/// through its longest query, rounded up to whole strips, by its longest
/// target.
inline std::uint64_t lane_cells(const InterPlan& p, int halves) {
  std::uint64_t cells = 0;
  for (const InterGroup& g : p.groups)
    cells += static_cast<std::uint64_t>(g.rows) * static_cast<std::uint64_t>(g.cols);
  return cells * kWarp * static_cast<std::uint64_t>(halves);
}

/// Layout of a warp traceback batch (trace_warp_agent.hpp): the
/// intra-sequence kernel's workers, tiles, boundary rows and progress
/// counters (same 256-row tiles, launches of at most `capacity` resident
/// warps), plus per slot (one window) its direction words and its ops.
struct WarpTracePlan {
  IntraPlan work;
  std::vector<std::uint64_t> dir_at;  ///< per slot, words
  std::vector<std::uint64_t> ops_at;  ///< per slot, bytes
  std::uint64_t dir_words = 0, ops_bytes = 0;
};

static_assert(kTraceRows == kIntraRows, "the warp traceback tiles its windows like the intra-sequence kernel");

inline WarpTracePlan make_warp_trace_plan(std::vector<Slot> slots, int capacity, int chunk_lead = kDefaultChunkLead,
                                          int even = 0) {
  WarpTracePlan p;
  p.work = make_intra_plan(std::move(slots), capacity, kWarp, kIntraRows, false, chunk_lead, WorkerShare::by_longest,
                           even);
  for (const Slot& s : p.work.slots) {
    p.dir_at.push_back(p.dir_words);
    p.dir_words += warp_trace_dir_words(s.prob[0].m, s.prob[0].n);
    p.ops_at.push_back(p.ops_bytes);
    p.ops_bytes += static_cast<std::uint64_t>(s.prob[0].m) + static_cast<std::uint64_t>(s.prob[0].n);
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
