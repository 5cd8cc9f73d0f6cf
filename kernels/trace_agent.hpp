#pragma once
// Traceback agent: one thread computes the CIGAR of one [begin, end) window.
//
// The window's global alignment is computed with the recurrences and
// tie-breaks of the reference's global_traceback (src/core/reference_aligner.cpp),
// so the path, not only its score, is the reference's:
//   E(i,j) = max(H(i,j-1) - open, E(i,j-1) - ext)     extends when e_ext >= e_open
//   F(i,j) = max(H(i-1,j) - open, F(i-1,j) - ext)     extends when f_ext >= f_open
//   H(i,j) = diagonal, replaced by F if strictly better, then by E if strictly better
// Row 0 and column 0 cost gaps (H(0,j) = gap(j), H(i,0) = gap(i)); E and F
// start at "minus infinity" (INT32_MIN / 4, as the reference's 32-bit one).
//
// Layering follows the inter-sequence agent: the thread keeps kTraceRows
// query rows (H, E and the query codes) in registers, sweeps every target
// column of its group, hands the strip's bottom row (H, F) to the next strip
// through a boundary row in device memory, and stores one 32-bit word of
// direction codes per strip column (layout.hpp).  Windows of a warp are
// sorted by size on the host and padded to the group's largest, so the loop
// bounds are the warp's, its loads and stores coalesced; cells of the window
// never depend on padding cells.  The walk back reads the window's own cells
// only and ends at (0, 0).

#include <cstdint>

#include "layout.hpp"
#include "recurrence.hpp"

namespace gpualign::kern {

/// Direction code of a cell (4 bits), the reference's.
enum : unsigned { kTraceFromE = 1, kTraceFromF = 2, kTraceEExt = 4, kTraceFExt = 8 };

inline constexpr int kTraceMinusInf = INT32_MIN / 4;

/// One cell of the traceback recurrence.  In: H(i-1,j-1) `diag`, H(i,j-1)
/// `h_left`, H(i-1,j) `h_up`, E(i,j-1) in `e`, F(i-1,j) in `f`, the true
/// substitution score `s`.  Out: E(i,j) in `e`, F(i,j) in `f`, H(i,j) in `h`;
/// returns the cell's direction code.
GPUALIGN_HD unsigned trace_cell(int diag, int h_left, int h_up, int s, int open, int ext, int& e, int& f, int& h) {
  const int e_open = h_left - open, e_ext = e - ext;
  e = e_ext > e_open ? e_ext : e_open;
  const int f_open = h_up - open, f_ext = f - ext;
  f = f_ext > f_open ? f_ext : f_open;
  int best = diag + s;
  unsigned src = 0;
  if (f > best) {
    best = f;
    src = kTraceFromF;
  }
  if (e > best) {
    best = e;
    src = kTraceFromE;
  }
  h = best;
  return src | (e_ext >= e_open ? kTraceEExt : 0u) | (f_ext >= f_open ? kTraceFExt : 0u);
}

/// One step of the reference's walk back from a cell with direction code
/// `d` in `state` (0: H, 1: E, 2: F).  Returns the op to emit ('=' or 'X'
/// stands for "diagonal", resolved by the caller), or 0 for a state change
/// only; updates `state`, `i`, `j`.
GPUALIGN_HD char trace_step(unsigned d, int& state, int& i, int& j) {
  if (state == 0) {
    if (d & kTraceFromE) {
      state = 1;
    } else if (d & kTraceFromF) {
      state = 2;
    } else {
      --i;
      --j;
      return '=';
    }
    return 0;
  }
  if (state == 1) {
    state = (d & kTraceEExt) && j > 1 ? 1 : 0;
    --j;
    return 'D';
  }
  state = (d & kTraceFExt) ? 2 : 0;
  --i;
  return 'I';
}

/// One column of a strip of R rows: in, H and F of the row above at this
/// column (h_up, f) and the target code t; out, the strip's bottom H and F
/// in h_up and f, and the column's direction word (row r at bits 4r).
/// `diag_top` carries H of the row above from one column to the next; h, e
/// and qo (the rows' table offsets, code * kTableStride) are the strip's.
template <int R>
GPUALIGN_HD_TEMPLATE inline std::uint32_t trace_column(int (&h)[R], int (&e)[R], const int (&qo)[R], int t,
                                                       const std::int32_t* tab, int open, int ext, int& diag_top,
                                                       int& h_up, int& f) {
  int diag = diag_top;
  diag_top = h_up;
  std::uint32_t word = 0;
GPUALIGN_UNROLL
  for (int r = 0; r < R; ++r) {
    int hn;
    const unsigned d = trace_cell(diag, h[r], h_up, tab[qo[r] + t] - open, open, ext, e[r], f, hn);
    diag = h[r];
    h[r] = hn;
    h_up = hn;
    word |= static_cast<std::uint32_t>(d) << (4 * r);
  }
  return word;
}

/// Code `p` of a lane's interleaved word stream (one problem per slot).
GPUALIGN_HD int trace_code(const std::uint32_t* words, int p, const CodeWords& cw) {
  return cw.code(words[static_cast<std::uint64_t>(cw.word(p)) * kWarp], p);
}

/// The thread of slot `slot_index`.  `tab`: the launch table's plain part
/// (s + open, kTableCells entries).
template <int R = kTraceRows>
GPUALIGN_HD_TEMPLATE inline void trace_thread(const TraceArgs& a, int slot_index, const std::int32_t* tab) {
  static_assert(R * 4 <= 32, "direction codes of a strip column must fit one word");
  if (slot_index >= a.num_slots) return;
  const int lane = slot_index % kWarp;
  const int gi = slot_index / kWarp;
  const InterGroup grp = a.groups[gi];
  const Slot& slot = a.slots[slot_index];
  const int m = slot.prob[0].m, n = slot.prob[0].n;
  const int open = a.open, ext = a.ext;
  const CodeWords cw = code_words(a.code_bits);
  const int cols = grp.cols;

  Cell2* scratch = a.scratch + grp.scratch + lane;  // column j at scratch[j * 32]
  const std::uint32_t* qw = a.q_words + grp.q_words + lane;
  const std::uint32_t* tw = a.t_words + grp.t_words + lane;
  std::uint32_t* dirs = a.dirs + a.dir_at[gi] + lane;  // strip s, column j at dirs[(s * cols + j - 1) * 32]

  // H(m, n) of an empty window lies on the boundary.
  int score = m == 0 ? gap_cost(n, open, ext) : n == 0 ? gap_cost(m, open, ext) : kTraceMinusInf;

  int h[R], e[R], qo[R];
  for (int row0 = 0; row0 < grp.rows; row0 += R) {
GPUALIGN_UNROLL
    for (int r = 0; r < R; ++r) {
      qo[r] = trace_code(qw, row0 + r, cw) * kTableStride;
      h[r] = gap_cost(row0 + r + 1, open, ext);  // H(i, 0)
      e[r] = kTraceMinusInf;
    }
    int diag_top = gap_cost(row0, open, ext);  // H(row0, 0)
    const bool first = row0 == 0;
    const bool last = row0 + R >= grp.rows;
    const int want = m - 1 - row0;  // register row of the window's last row, if in this strip
    std::uint32_t* dcol = dirs + static_cast<std::uint64_t>(row0 / R) * cols * kWarp;
    std::uint32_t tword = 0;
    for (int j = 1; j <= cols; ++j) {
      const int p = j - 1;
      if ((p & cw.in_word) == 0) tword = tw[static_cast<std::uint64_t>(cw.word(p)) * kWarp];
      const int t = cw.code(tword, p);
      int h_up, f;
      if (first) {
        h_up = gap_cost(j, open, ext);
        f = kTraceMinusInf;
      } else {
        const Cell2 c = scratch[static_cast<std::uint64_t>(j) * kWarp];
        h_up = static_cast<int>(c.g);
        f = static_cast<int>(c.f);
      }
      const std::uint32_t word = trace_column<R>(h, e, qo, t, tab, open, ext, diag_top, h_up, f);
      dcol[static_cast<std::uint64_t>(p) * kWarp] = word;
      if (!last) scratch[static_cast<std::uint64_t>(j) * kWarp] =
          Cell2{static_cast<std::uint32_t>(h_up), static_cast<std::uint32_t>(f)};
      if (j == n) {
GPUALIGN_UNROLL
        for (int r = 0; r < R; ++r)
          if (r == want) score = h[r];
      }
    }
  }

  // Walk back from (m, n) with the reference's state machine.
  char* out = a.ops + a.ops_at[slot_index];
  int len = 0;
  int i = m, j = n, state = 0;
  while (i > 0 && j > 0) {
    const int s = (i - 1) / R, r = (i - 1) % R;
    const unsigned d = (dirs[(static_cast<std::uint64_t>(s) * cols + (j - 1)) * kWarp] >> (4 * r)) & 15u;
    const int qi = i - 1, tj = j - 1;
    const char op = trace_step(d, state, i, j);
    if (op == '=') {
      out[len++] = trace_code(qw, qi, cw) == trace_code(tw, tj, cw) ? '=' : 'X';
    } else if (op != 0) {
      out[len++] = op;
    }
  }
  for (; i > 0; --i) out[len++] = 'I';  // column 0: the rest of the query is one I run
  for (; j > 0; --j) out[len++] = 'D';  // row 0: the rest of the target is one D run
  a.out[slot_index] = TraceResult{score, len};
}

}  // namespace gpualign::kern
