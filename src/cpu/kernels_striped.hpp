#pragma once
// Intra-sequence kernel template: striped (Farrar) with a query profile, one
// pair at a time (long pairs, protein).

#include "cpu/kernels_common.hpp"

namespace gpualign::cpu {
namespace {

// Intra-sequence, striped (Farrar 2007) with a query profile.  Row r (0-based
// within a block of the query) lives in vector k = r % S, lane p = r / S,
// S = ceil(rows / L).  Within a column, F is first carried down each lane's
// segment only; a "lazy F" step then carries it across lanes (see there).
// Unlike some published versions, raising H there also raises E of the next
// column, as the reference's recurrences require.
//
// Long queries are cut into blocks of kStripedBlockRows rows, each run over
// every column before the next, so a column's working set (H, E, profile
// row) stays in L1: the block's bottom row (H, and the F entering the row
// below) is handed to the next block through two arrays over the columns.
// Mode is an AlignMode, a template argument so each mode's inner loop
// carries only its own work.
constexpr std::int64_t kStripedBlockRows = 2048;  // a multiple of every L

template <class O, AlignMode Mode>
void striped_mode(const KernelParams& kp, const SequencePair& pair, EndCell& out, Scratch& scratch) {
  using T = typename O::T;
  using V = typename O::V;
  using Mk = typename O::M;
  constexpr int L = O::L;
  static_assert(kStripedBlockRows % L == 0);
  constexpr bool local = Mode == AlignMode::local;
  constexpr bool semi = Mode == AlignMode::semi_global;
  const int open = kp.open, ext = kp.extend;
  const auto q = pair.query;
  const auto t = pair.target;
  const std::int64_t m = static_cast<std::int64_t>(q.size()), n = static_cast<std::int64_t>(t.size());
  const std::int64_t R = m < kStripedBlockRows ? m : kStripedBlockRows;  // rows of the largest block
  const std::int64_t Smax = (R + L - 1) / L;
  const std::size_t vec_bytes = static_cast<std::size_t>(Smax * L) * sizeof(T);

  T* prof = static_cast<T*>(scratch.get(0, vec_bytes * static_cast<std::size_t>(kp.size)));
  // Three H columns: the previous one, the one being written, and (local)
  // the column where the block's best score last rose, kept instead of
  // copied so the end row is found once, at the end of the block.
  T* Hbuf[3] = {static_cast<T*>(scratch.get(1, vec_bytes)), static_cast<T*>(scratch.get(2, vec_bytes)),
                static_cast<T*>(scratch.get(4, vec_bytes))};
  T* Ev = static_cast<T*>(scratch.get(3, vec_bytes));
  // Ht[j]: H in the row above the block, column j; Fin[j]: F entering the
  // block's first row.  Row 0 first.
  T* Ht = static_cast<T*>(scratch.get(5, static_cast<std::size_t>(n + 1) * sizeof(T)));
  T* Fin = static_cast<T*>(scratch.get(6, static_cast<std::size_t>(n + 1) * sizeof(T)));
  for (std::int64_t j = 0; j <= n; ++j) {
    Ht[j] = clamp_to<T>(edge(local || semi, j, open, ext));
    Fin[j] = clamp_to<T>(static_cast<std::int64_t>(Ht[j]) - open);
  }

  std::int64_t best = 0, bq = 0, bt = 0;
  if (semi) {
    best = kp.semi_column0 ? edge(false, m, open, ext) : std::numeric_limits<std::int64_t>::min();
    bq = m;
  }
  const V vopen = O::set1(static_cast<T>(open)), vext = O::set1(static_cast<T>(ext));
  const V voe = O::set1(static_cast<T>(open - ext));
  const V vzero = O::set1(0);
  const T neg = neg_inf<T>();
  // Padding rows (r >= m) sit below every real row: they score <= 0, so they
  // never beat a real cell, and only feed rows below them.
  const T pad = static_cast<T>(kp.min_score < 0 ? kp.min_score : 0);

  for (std::int64_t r0 = 0; r0 < m; r0 += R) {
    const std::int64_t rows = m - r0 < R ? m - r0 : R;
    const bool last_block = r0 + rows == m;
    const std::int64_t S = (rows + L - 1) / L;
    // Profile: one matrix row per query position, scattered to its slot in
    // each letter's striped column.
    const std::int64_t plane = S * L;
    for (std::int64_t r = 0; r < S * L; ++r) {
      T* slot = prof + (r % S) * L + r / S;
      if (r < rows) {
        const int* row = kp.matrix + q[r0 + r] * kp.size;
        for (int c = 0; c < kp.size; ++c) slot[c * plane] = static_cast<T>(row[c]);
      } else {
        for (int c = 0; c < kp.size; ++c) slot[c * plane] = pad;
      }
    }
    int prev = 0, saved = -1;
    for (int p = 0; p < L; ++p) {
      for (std::int64_t k = 0; k < S; ++k) {
        const std::int64_t b = edge(local, r0 + p * S + k + 1, open, ext);
        Hbuf[prev][k * L + p] = clamp_to<T>(b);
        Ev[k * L + p] = clamp_to<T>(b - open);
      }
    }
    // Decrements of the lane scan: s * S * extend for s = 1, 2, 4, ...  A
    // saturating width subtracts one in up to three steps of at most its
    // limit: three steps take any value to -inf, so a decrement past the
    // width's range still gives -inf and never a too-high F.
    V vdec[6][3];
    int nrep[6] = {};
    for (int s = 1, d = 0; s < L; s *= 2, ++d) {
      std::int64_t left = static_cast<std::int64_t>(s) * S * ext;
      do {
        const T step = clamp_to<T>(left);
        vdec[d][nrep[d]++] = O::set1(step);
        left -= step;
      } while (left > 0 && nrep[d] < 3);
    }
    bool one_step = true;  // every decrement in one subtraction (the usual case)
    for (int d = 0; d < 6; ++d) one_step = one_step && nrep[d] <= 1;
    const std::int64_t Sext = S * ext;
    const std::int64_t last_k = (rows - 1) % S, last_p = (rows - 1) / S;
    // Local: the block's best, found when it rises; starting just below the
    // best so far skips rises that cannot matter (a tie still counts: it
    // may sit in an earlier column).
    std::int64_t bbest = 0, bbt = 0;
    V vbest = O::set1(static_cast<T>(best > 1 ? best - 1 : 0));
    T h_above = Ht[0];  // H(r0, j - 1), before Ht[j - 1] took the block's bottom row
    T* Hs = Hbuf[prev];

    for (std::int64_t j = 1; j <= n; ++j) {
      const T* pj = prof + static_cast<std::int64_t>(t[j - 1]) * S * L;
      const T* Hl = Hbuf[prev];
      int cur = 0;
      while (cur == prev || cur == saved) ++cur;
      Hs = Hbuf[cur];
      V vF = O::shift_in(O::set1(neg), Fin[j]);
      V vH = O::shift_in(O::load(Hl + (S - 1) * L), h_above);
      h_above = Ht[j];
      V colmax = vzero;
      // The F chain (max with F, minus open, max with F - extend) is the
      // loop's critical path: everything that does not need F comes first.
      for (std::int64_t k = 0; k < S; ++k) {
        const V e = O::load(Ev + k * L);
        V h = O::max(O::add(vH, O::load(pj + k * L)), e);
        if constexpr (local) h = O::max(h, vzero);
        h = O::max(h, vF);
        if constexpr (local) colmax = O::max(colmax, h);
        O::store(Hs + k * L, h);
        const V hop = O::sub(h, vopen);
        O::store(Ev + k * L, O::max(hop, O::sub(e, vext)));
        vF = O::max(hop, O::sub(vF, vext));
        vH = O::load(Hl + k * L);
      }
      // F leaving the block's last lane by its own chain (rows below).
      std::int64_t f_out = O::last(vF);
      // Lazy F.  The main loop ran F down each lane's segment only, lane 0
      // starting from the block's top and the others from -inf.  If F
      // entering each lane at k = 0 cannot raise that cell's H nor outgrow
      // the segment's own F chain (F <= H - open + extend) nothing changes:
      // done, the usual case.  Otherwise Farrar's loop would need one pass
      // over the column per lane that F crosses (hundreds on long similar
      // pairs), so compute the exact F entering every lane at once instead:
      // lane p+1 gets max(bottom F of lane p's own chain, F entering lane p
      // - S * extend), a max-plus prefix scan over lanes in log2(L) shifts.
      // One pass down the segment then applies it, stopping once no lane
      // can change a cell.
      vF = O::shift_in(vF, neg);
      if (O::any(O::gt(vF, O::sub(O::load(Hs), voe)))) {
        if (one_step) {
          for (int s = 1, d = 0; s < L; s *= 2, ++d) vF = O::max(vF, O::sub(O::shift_by(vF, s, neg), vdec[d][0]));
        } else {
          for (int s = 1, d = 0; s < L; s *= 2, ++d) {
            V up = O::sub(O::shift_by(vF, s, neg), vdec[d][0]);
            for (int r = 1; r < nrep[d]; ++r) up = O::sub(up, vdec[d][r]);
            vF = O::max(vF, up);
          }
        }
        const std::int64_t via = static_cast<std::int64_t>(O::last(vF)) - Sext;
        if (via > f_out) f_out = via;
        for (std::int64_t k = 0; k < S; ++k) {
          const V h = O::load(Hs + k * L);
          if (!O::any(O::gt(vF, O::sub(h, voe)))) break;
          const V nh = O::max(h, vF);
          O::store(Hs + k * L, nh);
          O::store(Ev + k * L, O::max(O::load(Ev + k * L), O::sub(nh, vopen)));
          vF = O::sub(vF, vext);
        }
      }
      if (!last_block) {
        Ht[j] = Hs[(S - 1) * L + (L - 1)];  // blocks but the last have no padding
        Fin[j] = clamp_to<T>(f_out);
      }
      if constexpr (local) {
        // F never raises a cell above the column's maximum (it is some H
        // above minus a gap), so the main loop's maximum is the column's.
        // The first column reaching the block's best is the last one where
        // it rose.
        if (O::any(O::gt(colmax, vbest))) {
          bbest = O::hmax(colmax);
          vbest = O::set1(static_cast<T>(bbest));
          bbt = j;
          saved = cur;
        }
      } else if constexpr (semi) {
        if (last_block) {
          const std::int64_t v = Hs[last_k * L + last_p];
          if (v > best) {
            best = v;
            bt = j;
          }
        }
      }
      prev = cur;
    }
    Ht[0] = clamp_to<T>(edge(local, r0 + rows, open, ext));  // column 0 of the block's bottom row
    if constexpr (local) {
      // Blocks come in row order: a tie keeps the earlier column, then the
      // earlier block.  The row: smallest lane, then smallest vector.
      if (saved >= 0 && (bbest > best || (bbest == best && bbt < bt))) {
        const T* Hb = Hbuf[saved];
        Mk acc = O::eq(O::load(Hb), vbest);
        for (std::int64_t kk = 1; kk < S; ++kk) acc = O::mor(acc, O::eq(O::load(Hb + kk * L), vbest));
        const int p = __builtin_ctzll(O::bits(acc));
        std::int64_t kk = 0;
        while (Hb[kk * L + p] != static_cast<T>(bbest)) ++kk;
        best = bbest;
        bt = bbt;
        bq = r0 + p * S + kk + 1;
      }
    }
    if constexpr (Mode == AlignMode::global) {
      if (last_block) {
        best = Hs[last_k * L + last_p];
        bq = m;
        bt = n;
      }
    }
  }
  out = EndCell{best, bq, bt, saturated<T>(best)};
}

template <class O>
void striped(const KernelParams& kp, const SequencePair& pair, EndCell& out, Scratch& scratch) {
  switch (kp.mode) {
    case AlignMode::local: return striped_mode<O, AlignMode::local>(kp, pair, out, scratch);
    case AlignMode::global: return striped_mode<O, AlignMode::global>(kp, pair, out, scratch);
    case AlignMode::semi_global: return striped_mode<O, AlignMode::semi_global>(kp, pair, out, scratch);
  }
}

}  // namespace
}  // namespace gpualign::cpu
