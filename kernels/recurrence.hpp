#pragma once
// The per-cell recurrences (Gotoh, affine gaps) shared by every CUDA kernel
// and by the CPU tests that emulate them.
//
// Conventions match src/core/reference_aligner.cpp exactly:
//   E(i,j) = max(H(i,j-1) - open, E(i,j-1) - extend)   gap along the target (D)
//   F(i,j) = max(H(i-1,j) - open, F(i-1,j) - extend)   gap along the query  (I)
//   H(i,j) = max(H(i-1,j-1) + s(a_i, b_j), E, F [, 0 when local])
// Boundaries: local H = 0 on row 0 and column 0; global gap costs on both;
// semi-global row 0 free, column 0 costs.
//
// The kernels keep G = H - open instead of H, with `open` folded into the
// substitution table (s' = s + open), so one cell costs five DPX operations,
// add-then-max (VIADDMNMX on sm_90) but for global and semi-global's D':
//   E = max(E - ext, G_left)            D = max(G_diag + s', E)
//   D' = max(D - open, floor - open)    (global, semi-global: D - open)
//   F = max(F_up - ext, G_up)           G = max(F - open, D')
// That is G = max(D, F [, floor]) - open, written so that only the last two
// sit on the dependency chain down a strip's column: two add-maxes a row,
// where max3 then subtract took three operations, one of them VIMNMX3 at
// twice VIADDMNMX's latency (kernels/PERFORMANCE.md, "A lone warp's step").
// (strip_column can also take F down a strip as a prefix maximum: a
// shorter dependency chain for one more operation a cell; kPrefixF.)
//
// 16-bit lanes store value + bias, the bias chosen per problem on the host so
// that the lowest value any cell can take stays above -32768 (see
// kern::bias16); the highest is watched: a problem whose G ever exceeds
// limit_g16 is reported as overflowed and rerun at 32-bit, before any add
// could wrap.  Padding rows/columns (code kPad) score negatively, so they can
// never beat a real cell: cells of the real problem do not depend on them, and
// padded cells stay strictly below the best real one.

#include <cstdint>

#include "hd.hpp"
#include "packed16.hpp"

namespace gpualign::kern {

enum Mode : int { kLocal = 0, kGlobal = 1, kSemiGlobal = 2 };

/// Substitution-table stride: codes are < 32 (DNA 15 + pad, protein 24 + pad),
/// and 36 rather than 32 puts entry (q, t) in shared-memory bank 4q + t, so
/// the 32 lanes of a warp (independent pairs) looking up ACGT pairs hit 16
/// distinct banks instead of 4 (stride 32: bank t, ~4-way conflicts).
inline constexpr int kTableStride = 36;
inline constexpr int kTableCells = kTableStride * kTableStride;
/// Table layout in memory: [plain int32 s'][s' low halves][s' << 16].
inline constexpr int kTableWords = 3 * kTableCells;

/// Score of a problem that has no candidate end in this part of the matrix.
inline constexpr std::int32_t kNoCandidate = INT32_MIN;
/// Flags of a partial result.
inline constexpr std::int32_t kFlagOverflow = 1;

/// Most rows a strip may have: the F prefix maximum below shifts values by up
/// to kMaxStripRows * ext, which the 16-bit limits leave room for.
inline constexpr int kMaxStripRows = 8;

/// Constants of one launch (same scoring for every problem in it).
struct ScoreConsts {
  int open = 0, ext = 0;
  int mode = kLocal;
  int sentinel = 0;   ///< stored "minus infinity" (32-bit: INT32_MIN / 4; 16-bit: -32768 + ext)
  int limit_g = 0;    ///< 16-bit: largest stored G that cannot lead to a wrap
  /// -open and -ext as the kernel's packed values (both halves at 16-bit):
  /// built once on the host so that the column loop reads them as constant
  /// operands instead of rebuilding them from open and ext in every column.
  std::uint32_t v_neg_open = 0, v_neg_ext = 0;
  /// 16-bit ACGT launches (acgt_* below): s + open for q ^ t = 0, 1, 2, 3,
  /// two per register (lo: 0 and 1, hi: 2 and 3).
  std::uint32_t v_sub_lo = 0, v_sub_hi = 0;
  /// strip_column's F as a prefix maximum, packed like v_neg_open: for row
  /// r of a strip (r + 1) * ext, -(r * ext + open) and -r * ext.  Kernel
  /// parameters, so the column loop can read them as constant operands.
  std::uint32_t v_rise[kMaxStripRows] = {};
  std::uint32_t v_fall[kMaxStripRows] = {};
  std::uint32_t v_down[kMaxStripRows] = {};
};

// --- substitution scores from registers (16-bit DNA slots of A, C, G, T) ---
//
// When a DNA scheme scores A, C, G, T (codes 0-3) by q ^ t alone (match /
// mismatch, or transitions / transversions: A^G = C^T = 2) and s + open fits
// a signed byte, the four values V[x] = s(x) + open sit in two registers as
// 16-bit halves, and one PRMT picks a packed cell-row's two scores: byte
// selectors (2x, 2x + 1) for each half.  The selector is one LOP3 of a
// per-row byte (2q, 2q + 1: nibbles of the query code, both problems of the
// slot) and a per-column byte (2t, 2t), since (2q ^ 2t, (2q + 1) ^ 2t) =
// (2x, 2x + 1).  Two instructions and no shared memory, against two table
// loads, their address adds and an OR.
//
// Padding (rows past a query, columns past a target) sets bit 3 of its
// nibbles, and the LOP3 keeps bit 3 if either side has it: PRMT then
// replicates sign bits, so a padded cell scores s + open = 0 or -1 (each V
// fits a signed byte, so both bytes of a value have its sign).  Padding only
// needs a score <= 0 (padded cells then never beat the real cells they come
// from; see the kernels' end tracking), i.e. a true score of -open or
// -open - 1: the planner's lowest substitution score includes it.

/// Per-row selector byte of query code `code` (padding: 0x88).
GPUALIGN_HD std::uint32_t acgt_row_sel(int code) {
  return code >= 0 && code < 4 ? static_cast<std::uint32_t>((2 * code) | ((2 * code + 1) << 4)) : 0x88u;
}
/// Per-column selector byte of target code `code` (padding: 0x88).
GPUALIGN_HD std::uint32_t acgt_col_sel(int code) {
  return code >= 0 && code < 4 ? static_cast<std::uint32_t>(2 * code) * 0x11u : 0x88u;
}
/// acgt_col_sel of two target codes at once (bytes 0 and 1), by one PRMT
/// lookup: codes 0-3 pick 0x00, 0x22, 0x44, 0x66 and the padding code (15:
/// low bits 7) picks 0x88.  Only for A, C, G, T and padding; the inter kernel
/// runs it every column.
GPUALIGN_HD std::uint32_t acgt_col_sel2(int t0, int t1) {
  return prmt(0x66442200u, 0x88888888u, static_cast<std::uint32_t>((t0 & 7) | ((t1 & 7) << 4)));
}
/// The PRMT selector of a cell-row: XOR of the byte selectors, bit 3 of a
/// nibble set when either side's is (one LOP3).
GPUALIGN_HD std::uint32_t acgt_pick(std::uint32_t row_sel, std::uint32_t col_sel) {
#if defined(__CUDA_ARCH__)
  // One LOP3: mask ? (row | col) : (row ^ col), truth table 0xBC.  Written
  // in C++, the compiler narrows the masks to the 16 bits it knows are set
  // and splits the expression into three instructions.
  std::uint32_t r;
  asm("lop3.b32 %0, %1, %2, %3, 0xBC;" : "=r"(r) : "r"(row_sel), "r"(col_sel), "r"(0x88888888u));
  return r;
#else
  return ((row_sel ^ col_sel) & 0x77777777u) | ((row_sel | col_sel) & 0x88888888u);
#endif
}

/// H(0, j) and H(i, 0) of the boundary (true values, not biased).
GPUALIGN_HD int gap_cost(int k, int open, int ext) { return k == 0 ? 0 : -(open + (k - 1) * ext); }
GPUALIGN_HD int boundary_row0(int mode, int j, int open, int ext) {
  return mode == kGlobal ? gap_cost(j, open, ext) : 0;
}
GPUALIGN_HD int boundary_col0(int mode, int i, int open, int ext) {
  return mode == kLocal ? 0 : gap_cost(i, open, ext);
}

/// A partial end: best cell found by one thread / lane for one problem.
struct Partial {
  std::int32_t score;  ///< true score, or kNoCandidate
  std::int32_t qend;   ///< exclusive
  std::int32_t tend;   ///< exclusive
  std::int32_t flags;
};

/// The reference's order of end cells: higher score, then smaller tend, then
/// smaller qend.  True when (s, q, t) beats (bs, bq, bt).
GPUALIGN_HD bool end_better(long long s, long long q, long long t, long long bs, long long bq, long long bt) {
  return s > bs || (s == bs && (t < bt || (t == bt && q < bq)));
}

/// Per-lane state of a strip of R query rows sweeping the target columns.
template <class Ops, int R>
struct Strip {
  using V = typename Ops::V;
  V g[R];        // G of each row at the last processed column
  V e[R];        // E of each row
  V diag_top;    // G of the row above the strip, previous column
  int qo[2][R];  // byte offsets of the table rows of the strip's query codes, per lane (table_row);
                // ACGT launches: qo[0][r] the row's selector bytes (acgt_row_sel, problem h at byte h)
};

/// Byte offset of the table row of query code `code` for problem `h`: the
/// plain table at 32-bit, the low- or high-half table at 16-bit.  Kept in
/// bytes so that a lookup is one add (row + 4 * t), not a multiply-add and a
/// scale on every cell.
template <class Ops>
GPUALIGN_HD int table_row(int code, int h) {
  return static_cast<int>(sizeof(std::int32_t)) * ((Ops::kLanes == 2 ? (1 + h) * kTableCells : 0) + code * kTableStride);
}

/// The table entry at byte offset `at` (a table_row plus 4 * target code).
GPUALIGN_HD std::int32_t table_at(const std::int32_t* tab, int at) {
  return *reinterpret_cast<const std::int32_t*>(reinterpret_cast<const char*>(tab) + at);
}

/// The stored G of a local cell whose H is 0 (the floor), problem by
/// problem: bias - open.  strip_column takes it instead of the bias.
template <class Ops>
GPUALIGN_HD_TEMPLATE inline typename Ops::V g_floor(int bias0, int bias1, int open) {
  return Ops::make(bias0 - open, bias1 - open);
}

/// One column of a strip.  In: G and F of the row above at this column
/// (g_io, f_io) and the target code of each packed problem (t0, t1; in
/// ACGT launches t0 is the column's selector bytes, acgt_col_sel of problem
/// h at byte h, and the scores come from `sc`).  Out: G and F of the strip's
/// bottom row (the next strip's input).  `neg_open` and `neg_ext` are -open
/// and -ext packed; `floor_g` is the stored G of H = 0 in local mode (bias -
/// open: g_floor()), unused otherwise.
template <class Ops, int R, bool kIsLocal, bool kAcgt = false, bool kPrefixF = false>
GPUALIGN_HD_TEMPLATE inline void strip_column(Strip<Ops, R>& st, typename Ops::V& g_io, typename Ops::V& f_io,
                                              int t0, int t1, const std::int32_t* tab, typename Ops::V neg_open,
                                              typename Ops::V neg_ext, typename Ops::V floor_g,
                                              const ScoreConsts* sc) {
  using V = typename Ops::V;
  static_assert(!kAcgt || Ops::kLanes == 2, "register scores are 16-bit halves");
  const int tb0 = static_cast<int>(sizeof(std::int32_t)) * t0, tb1 = static_cast<int>(sizeof(std::int32_t)) * t1;
  // Two passes.  The first computes, for every row, E and D', the row's G
  // without F (from the diagonal G(i-1,j-1) + s + open and E), which need
  // nothing from this column's rows above: 8 independent chains.  The
  // second runs the one true dependency, F down the column.  Besides the shorter critical path, every
  // old G is read (as the next row's diagonal) before the new G is written,
  // so the compiler can update G in place instead of copying registers at
  // each column's end.
  V hd[R];
GPUALIGN_UNROLL
  for (int r = 0; r < R; ++r) {
    V s;
    if constexpr (kAcgt) {
      s = static_cast<V>(prmt(sc->v_sub_lo, sc->v_sub_hi,
                              acgt_pick(static_cast<std::uint32_t>(st.qo[0][r]), static_cast<std::uint32_t>(t0))));
    } else if constexpr (Ops::kLanes == 1) {
      s = static_cast<V>(table_at(tab, st.qo[0][r] + tb0));
    } else {
      s = static_cast<V>(table_at(tab, st.qo[0][r] + tb0)) | static_cast<V>(table_at(tab, st.qo[1][r] + tb1));
    }
    const V diag = r == 0 ? st.diag_top : st.g[r - 1];
    st.e[r] = Ops::addmax(st.e[r], neg_ext, st.g[r]);  // E(i,j) = max(E(i,j-1) - ext, G(i,j-1))
    hd[r] = Ops::addmax(diag, s, st.e[r]);             // max(G(i-1,j-1) + (s + open), E) = max(H(i-1,j-1) + s, E)
    // D': G of the row without F, max(D [, floor]) - open.
    if constexpr (kIsLocal) hd[r] = Ops::addmax(hd[r], neg_open, floor_g);
    else hd[r] = Ops::add(hd[r], neg_open);
  }
  if constexpr (!kPrefixF) {
    // Second pass, plain: F down the column, the one true dependency (2R
    // add-maxes from the row above to the strip's bottom row).  F - open
    // never wraps: F >= G of the row above, and lowest_value leaves a G
    // less open of room.
    V g_up = g_io;
    V f = f_io;
    st.diag_top = g_up;
GPUALIGN_UNROLL
    for (int r = 0; r < R; ++r) {
      f = Ops::addmax(f, neg_ext, g_up);     // F(i,j) = max(F(i-1,j) - ext, G(i-1,j))
      g_up = Ops::addmax(f, neg_open, hd[r]);  // G = max(F - open, D')
      st.g[r] = g_up;
    }
    g_io = g_up;
    f_io = f;
  } else {
    // Second pass: F down the column, the one chain from the row above to the
    // strip's bottom row.  Written as a prefix maximum so that chain is ~R/2
    // operations instead of 2R.  With g'(r) = D' (hd[r]), the G of row r
    // not counting F, and since open >= ext (ScoringScheme checks it), where
    // F made G, opening a gap from that G (F - open) never beats extending
    // F (F - ext):
    //   F(r) = max(F(r-1) - ext, G(r-1)) = max(F(r-1) - ext, g'(r-1)).
    // So X(r) = F(r) + r * ext is a running maximum,
    //   X(0) = F(0) = max(F_up - ext, G_up),  X(r) = max(X(r-1), g'(r-1) + r * ext),
    // taken two rows a step with a 3-input max, and G(r) = max(g'(r), X(r) -
    // r * ext - open).  The same values as the plain chain, exactly; the
    // shifts need R * ext of headroom above and open below (limit_g16,
    // lowest_value).
    static_assert(R <= kMaxStripRows, "the prefix maximum's constants cover kMaxStripRows rows");
    V y[R], x[R];
GPUALIGN_UNROLL
    for (int r = 0; r < R; ++r) y[r] = Ops::add(hd[r], Ops::from_bits(sc->v_rise[r]));  // g'(r) + (r + 1) * ext
    x[0] = Ops::addmax(f_io, neg_ext, g_io);  // F(0) = max(F_up - ext, G_up)
    st.diag_top = g_io;
GPUALIGN_UNROLL
    for (int r = 1; r < R; ++r) x[r] = r == 1 ? Ops::max(x[0], y[0]) : Ops::max3(x[r - 2], y[r - 2], y[r - 1]);
GPUALIGN_UNROLL
    for (int r = 0; r < R; ++r) st.g[r] = Ops::addmax(x[r], Ops::from_bits(sc->v_fall[r]), hd[r]);
    g_io = st.g[R - 1];
    f_io = Ops::add(x[R - 1], Ops::from_bits(sc->v_down[R - 1]));  // F(R-1) = X(R-1) - (R-1) * ext
  }
}

/// Column maximum of G over the strip (for local ends and overflow checks).
template <class Ops, int R>
GPUALIGN_HD_TEMPLATE inline typename Ops::V strip_max(const Strip<Ops, R>& st) {
  typename Ops::V m = st.g[0];
GPUALIGN_UNROLL
  for (int r = 1; r + 1 < R; r += 2) m = Ops::max3(m, st.g[r], st.g[r + 1]);
  if constexpr (R % 2 == 0) m = Ops::max(m, st.g[R - 1]);
  return m;
}

/// G of row `r` (a run-time index) of problem `lane`, without indexing the
/// register array at run time (which would move it to local memory).
template <class Ops, int R>
GPUALIGN_HD_TEMPLATE inline int strip_get(const Strip<Ops, R>& st, int r, int lane) {
  typename Ops::V v = st.g[0];
GPUALIGN_UNROLL
  for (int k = 1; k < R; ++k)
    if (k == r) v = st.g[k];
  return Ops::get(v, lane);
}

/// First row of the strip whose G (problem `lane`) equals `value`.
template <class Ops, int R>
GPUALIGN_HD_TEMPLATE inline int strip_find(const Strip<Ops, R>& st, int value, int lane) {
  int found = R;
GPUALIGN_UNROLL
  for (int k = R - 1; k >= 0; --k)
    if (Ops::get(st.g[k], lane) == value) found = k;
  return found;
}

/// Running best end of one problem as seen by one lane, kept in stored units.
struct LaneBest {
  int score = kNoCandidate;  // stored G, or kNoCandidate
  int qend = 0, tend = 0;
  GPUALIGN_HD void offer(int s, int q, int t) {
    if (score == kNoCandidate || end_better(s, q, t, score, qend, tend)) {
      score = s;
      qend = q;
      tend = t;
    }
  }
};

/// Per-problem facts a kernel needs: true lengths and the 16-bit bias.
/// A transposed problem has the pair's target on the rows and its query on
/// the columns (m, n and the slot's offsets are the rows' and columns'), so
/// that a long target gives a slot many short tiles instead of a few long
/// ones (kernels/plan.hpp, transpose_pays).  Local and global scores are
/// the same either way round (substitution matrix symmetric); the end cells'
/// tie rule is the one thing that is not, and track_ends, fold_strip and
/// make_partial keep the pair's own (smallest target end first).
struct Problem {
  int m = 0, n = 0;    ///< rows and columns: query and target length, or target and query when transposed
  int bias = 0;        ///< stored = value + bias (0 at 32-bit)
  int transposed = 0;  ///< 1: rows are the target (local and global mode only)
};

/// A lane's ends, per problem (h < 2): the best end of its finished strips
/// (`best`), the best of the strip it is on (`strip`), and, in local mode,
/// the value a column maximum must exceed to enter track_ends' slow path
/// (`above`, kept by track_ends and fold_strip), the lowest int where there
/// is none:
/// - a problem the right way round: reach the best of earlier strips (an
///   equal value may still win there on a smaller tend) and, a strip's
///   columns coming in order, beat the strip's own best strictly (an equal
///   one has a larger tend) -- max(best - 1, strip).  `above` then also
///   holds the strip's best score (strip.score is not kept).
/// - transposed (rows are the target, and the tie rule wants the smallest
///   row first): beat the best of earlier strips strictly (their rows are
///   all smaller) and reach the strip's own best (an equal value on a
///   smaller row of a later column wins) -- max(best, strip - 1); the
///   strip's best score is then `above` + 1.
/// `tr[h]`: 1 when problem h is transposed (set by the intra kernel; the
/// inter kernel leaves it 0, and the compiler its code as it was), used as
/// a number, not a branch, so the step loop is not duplicated for it.
struct LaneEnds {
  LaneBest best[2], strip[2];
  int above[2] = {kNoCandidate, kNoCandidate};
  int tr[2] = {0, 0};
};

/// After a column `j` (1-based) of a strip whose first row is `row0`
/// (0-based): records the strip's candidates in `e.strip`, and, in global
/// and semi-global mode, folds the column maximum into `runmax` (16-bit
/// overflow watch).  Local mode needs no runmax: its best end is the
/// highest G of all the lane's cells (make_partial).  A warp enters the
/// local slow path (find the row) often -- on a third of its columns on W1,
/// measured by running this code on the CPU -- and a warp alone on its
/// scheduler (W3) pays every branch's latency, so the test is one compare
/// a problem against `above` and one branch for both, the tie rule across
/// strips once per strip in fold_strip().
template <class Ops, int R, int kMode>
GPUALIGN_HD_TEMPLATE inline void track_ends(const Strip<Ops, R>& st, int row0, int j, const Problem* pr, LaneEnds& e,
                                            typename Ops::V& runmax) {
  if constexpr (kMode == kLocal || Ops::kLanes == 2) {
    const typename Ops::V cm = strip_max<Ops, R>(st);
    if constexpr (Ops::kLanes == 2 && kMode != kLocal) runmax = Ops::max(runmax, cm);
    if constexpr (kMode == kLocal) {
      int v[2];
      bool any = false;
GPUALIGN_UNROLL
      for (int h = 0; h < Ops::kLanes; ++h) {
        v[h] = Ops::get(cm, h);
        any = any || v[h] > e.above[h];
      }
      if (any) {
GPUALIGN_UNROLL
        for (int h = 0; h < Ops::kLanes; ++h) {
          if (v[h] > e.above[h]) {
            // The right way round (d = 0) every value here is a new strip
            // best, whose score is kept in `above` alone (v >= best:
            // max(best - 1, v) = v), one register a problem the fewer.
            // Transposed (d = 1): a new strip best (none yet, or above the
            // strip's best = above + 1) or an equal one on a smaller row.
            const int d = e.tr[h];
            const int row = row0 + strip_find<Ops, R>(st, v[h], h) + 1;
            if (e.strip[h].tend == 0 || v[h] > e.above[h] + d || row < e.strip[h].qend) {
              e.above[h] = v[h] - d;
              e.strip[h].qend = row;
              e.strip[h].tend = j;
            }
          }
        }
      }
    }
  }
  if constexpr (kMode != kLocal) {
GPUALIGN_UNROLL
    for (int h = 0; h < Ops::kLanes; ++h) {
      const int r = pr[h].m - 1 - row0;  // register index of the query's last row
      if (r >= 0 && r < R && (kMode == kSemiGlobal ? j <= pr[h].n : j == pr[h].n)) {
        const int v = strip_get<Ops, R>(st, r, h);
        if (e.strip[h].score == kNoCandidate || v > e.strip[h].score) {
          e.strip[h].score = v;
          e.strip[h].qend = pr[h].m;
          e.strip[h].tend = j;
        }
      }
    }
  }
}

/// Merges a finished strip's ends into each problem's best (the reference's
/// order: higher score, then smaller tend, then smaller qend) and clears them
/// for the next strip.  In local mode a strip's best score is `above` + tr
/// (a candidate has a column: tend > 0).  A transposed strip's candidate
/// beat the earlier strips' best strictly (`above` >= best), as its rows
/// are larger: offer()'s tie rule, which is in the kernel's coordinates,
/// never decides there.
template <int L, int kMode>
GPUALIGN_HD_TEMPLATE inline void fold_strip(LaneEnds& e) {
GPUALIGN_UNROLL
  for (int h = 0; h < L; ++h) {
    const int score = kMode != kLocal ? e.strip[h].score : e.strip[h].tend > 0 ? e.above[h] + e.tr[h] : kNoCandidate;
    if (score != kNoCandidate) e.best[h].offer(score, e.strip[h].qend, e.strip[h].tend);
    e.strip[h] = LaneBest{};
    e.above[h] = e.best[h].score == kNoCandidate ? kNoCandidate : e.best[h].score - 1 + e.tr[h];
  }
}

/// Turns a lane's best into a Partial (true score = G - bias + open),
/// flagged as overflowed when a G of the lane passed limit_g: the highest G
/// is runmax_lane (global, semi-global) or, in local mode, where track_ends
/// offers every column maximum, the best end's (runmax_lane stays the
/// sentinel there).  The first G past the limit cannot have wrapped yet, so
/// either holds it.  The end is in the pair's coordinates: a transposed
/// problem's (`tr` 1, LaneEnds::tr) row is its tend.
template <class Ops>
GPUALIGN_HD_TEMPLATE inline Partial make_partial(const LaneBest& b, const Problem& p, int open, int runmax_lane,
                                                 int limit_g, int tr = 0) {
  Partial out;
  out.score = b.score == kNoCandidate ? kNoCandidate : b.score - p.bias + open;
  out.qend = tr ? b.tend : b.qend;
  out.tend = tr ? b.qend : b.tend;
  const int highest = runmax_lane > b.score ? runmax_lane : b.score;
  out.flags = (Ops::kLanes == 2 && highest > limit_g) ? kFlagOverflow : 0;
  return out;
}

/// The better of two partials of one problem in the reference's order
/// (end_better), carrying the overflow flags of both.  Commutative and
/// associative, so lanes may combine their partials in any order.
GPUALIGN_HD Partial better_partial(const Partial& a, const Partial& b) {
  const bool take_b =
      b.score != kNoCandidate && (a.score == kNoCandidate || end_better(b.score, b.qend, b.tend, a.score, a.qend, a.tend));
  Partial r = take_b ? b : a;
  r.flags = a.flags | b.flags;
  return r;
}

/// A candidate past the query's or the target's end (`qlen`, `tlen`:
/// padding of a slot that packs a shorter problem beside a longer one) is
/// none.
GPUALIGN_HD Partial within_problem(Partial p, int qlen, int tlen) {
  if (p.score != kNoCandidate && (p.qend > qlen || p.tend > tlen)) p.score = kNoCandidate;
  return p;
}

}  // namespace gpualign::kern
