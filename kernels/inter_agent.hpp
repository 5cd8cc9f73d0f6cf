#pragma once
// Inter-sequence agent: one thread aligns one slot (one pair at 32-bit, two
// pairs in the halves of s16x2 registers at 16-bit).  The thread keeps a
// strip of kInterRows query rows in registers, sweeps every target column,
// and hands the strip's bottom row (G, F per column) to its next strip
// through a boundary row in device memory.  Slots of a warp are sorted by
// size and padded to the group's largest, so the warp stays converged and
// its loads of interleaved codes and boundary cells are coalesced.

#include <cstdint>

#include "layout.hpp"
#include "recurrence.hpp"

namespace gpualign::kern {

/// kAcgt: substitution scores from registers (16-bit slots of A, C, G, T
/// only, recurrence.hpp "substitution scores from registers").
template <class Ops, int kMode, bool kAcgt = false, bool kPrefixF = false>
GPUALIGN_HD_TEMPLATE inline void inter_thread(const InterArgs& a, int slot_index, const std::int32_t* tab) {
  constexpr int R = kInterRows;
  constexpr int L = Ops::kLanes;
  using V = typename Ops::V;
  if (slot_index >= a.num_slots) return;
  const int lane = slot_index % kWarp;
  const InterGroup grp = a.groups[slot_index / kWarp];
  const Slot& slot = a.slots[slot_index];
  const Problem pr[2] = {slot.prob[0], slot.prob[1]};
  const int open = a.sc.open, ext = a.sc.ext, mode = a.sc.mode;
  const V neg_open = Ops::from_bits(a.sc.v_neg_open);
  const V neg_ext = Ops::from_bits(a.sc.v_neg_ext);
  const V floor_g = g_floor<Ops>(pr[0].bias, pr[1].bias, open);
  const V sentinel = Ops::make(a.sc.sentinel, a.sc.sentinel);
  const CodeWords cw = code_words(a.code_bits);

  Cell2* scratch = a.scratch + grp.scratch + lane;  // column j at scratch[j * 32]
  const std::uint32_t* qw = a.q_words + grp.q_words + lane;
  const std::uint32_t* tw = a.t_words + grp.t_words + lane;

  LaneEnds ends;
  V runmax = sentinel;
  Strip<Ops, R> st;

  for (int row0 = 0; row0 < grp.rows; row0 += R) {
GPUALIGN_UNROLL
    for (int r = 0; r < R; ++r) {
      const int p = row0 + r;
      if constexpr (kAcgt) st.qo[0][r] = 0;
GPUALIGN_UNROLL
      for (int h = 0; h < L; ++h) {
        const std::uint32_t word = qw[(static_cast<std::uint64_t>(cw.word(p)) * L + h) * kWarp];
        if constexpr (kAcgt) st.qo[0][r] |= static_cast<int>(acgt_row_sel(cw.code(word, p)) << (8 * h));
        else st.qo[h][r] = table_row<Ops>(cw.code(word, p), h);
      }
      const int c = boundary_col0(mode, p + 1, open, ext) - open;
      st.g[r] = Ops::make(c + pr[0].bias, c + pr[1].bias);
      st.e[r] = sentinel;
    }
    {
      const int c = boundary_col0(mode, row0, open, ext) - open;
      st.diag_top = Ops::make(c + pr[0].bias, c + pr[1].bias);
    }
    const bool first = row0 == 0;
    const bool last = row0 + R >= grp.rows;
    // Loads run one step ahead of their use so their latency overlaps a
    // column's arithmetic: the next target word while the current one is
    // consumed, the boundary cell of column j + 1 while column j computes
    // (it still holds the previous strip's value: column j + 1 is written
    // only after its own step).
    auto load_tword = [&](int w, int h) { return tw[(static_cast<std::uint64_t>(w) * L + h) * kWarp]; };
    std::uint32_t tword[2] = {0, 0}, tnext[2] = {0, 0};
GPUALIGN_UNROLL
    for (int h = 0; h < L; ++h) tnext[h] = load_tword(0, h);
    Cell2 cell_next{0, 0};
    if (!first) cell_next = scratch[kWarp];
    for (int j = 1; j <= grp.cols; ++j) {
      const int p = j - 1;
      if ((p & cw.in_word) == 0) {
        const int w = cw.word(p);
GPUALIGN_UNROLL
        for (int h = 0; h < L; ++h) {
          tword[h] = tnext[h];
          if (w + 1 < grp.t_wpl) tnext[h] = load_tword(w + 1, h);
        }
      }
      int t0 = cw.code(tword[0], p);
      const int t1 = L == 2 ? cw.code(tword[1], p) : 0;
      if constexpr (kAcgt) t0 = static_cast<int>(acgt_col_sel2(t0, t1));
      V g, f;
      if (first) {
        const int c = boundary_row0(mode, j, open, ext) - open;
        g = Ops::make(c + pr[0].bias, c + pr[1].bias);
        f = sentinel;
      } else {
        g = Ops::from_bits(cell_next.g);
        f = Ops::from_bits(cell_next.f);
        if (j < grp.cols) cell_next = scratch[static_cast<std::uint64_t>(j + 1) * kWarp];
      }
      strip_column<Ops, R, kMode == kLocal, kAcgt, kPrefixF>(st, g, f, t0, t1, tab, neg_open, neg_ext, floor_g, &a.sc);
      if (!last) scratch[static_cast<std::uint64_t>(j) * kWarp] = Cell2{Ops::bits(g), Ops::bits(f)};
      track_ends<Ops, R, kMode>(st, row0, j, pr, ends, runmax);
    }
    fold_strip<L, kMode>(ends);
  }
GPUALIGN_UNROLL
  for (int h = 0; h < L; ++h)
    a.out[static_cast<std::uint64_t>(slot_index) * 2 + h] =
        make_partial<Ops>(ends.best[h], pr[h], open, Ops::get(runmax, h), a.sc.limit_g);
}

}  // namespace gpualign::kern
