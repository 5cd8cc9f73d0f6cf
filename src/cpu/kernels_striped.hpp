#pragma once
// Intra-sequence kernel template: striped (Farrar) with a query profile, one
// pair at a time (long pairs, protein).

#include <algorithm>
#include <cstdlib>

#include "cpu/kernels_common.hpp"

namespace gpualign::cpu {
namespace {

// Intra-sequence, striped (Farrar 2007) with a query profile.  Row r (0-based
// within a block of the query) lives in vector k = r % S, lane p = r / S,
// S = ceil(rows / L).  Within a column, F is first carried down each lane's
// segment only; the exact F entering each lane then comes from a max-plus
// scan across lanes, and is applied in the next column's pass (see
// striped_mode).
//
// Long queries are cut into blocks of kStripedBlockRows rows, each run over
// every column before the next, so a column's working set (H, E, profile
// row) stays in L1: the block's bottom row (H, and the F entering the row
// below) is handed to the next block through two arrays over the columns.
// Mode is an AlignMode, a template argument so each mode's inner loop
// carries only its own work.
constexpr std::int64_t kStripedBlockRows = 2048;  // a multiple of every L

// score_bound() (scoring.cpp) from the kernel's parameters: no H of any
// mode goes below -striped_bound.
inline std::int64_t striped_bound(const KernelParams& kp, std::int64_t m, std::int64_t n) {
  const std::int64_t sub = std::max<std::int64_t>(std::abs(kp.max_score), std::abs(kp.min_score));
  return sub * std::max(m, n) + 2 * static_cast<std::int64_t>(kp.open) + static_cast<std::int64_t>(kp.extend) * (m + n);
}

// Subtracting a gap cost that may pass a saturating width's range: up to
// three steps of at most its limit (three take any value to -inf), so the
// result is never too high.  32-bit lanes take one step.
template <class O>
struct Decrement {
  typename O::V step[3];
  int n = 0;
  explicit Decrement(std::int64_t amount) {
    do {
      const auto s = clamp_to<typename O::T>(amount);
      step[n++] = O::set1(s);
      amount -= s;
    } while (amount > 0 && n < 3);
  }
  typename O::V apply(typename O::V v) const {
    for (int r = 0; r < n; ++r) v = O::sub(v, step[r]);
    return v;
  }
};

// The column pass.  Farrar's lazy F (a second pass down the column when F
// crosses lanes) would run over nearly every column here: in a good
// alignment F runs many rows down from each high cell, and among 32 lanes
// some lane almost always has F crossing into it.  So it is never a pass of
// its own: the exact F entering each lane, X (the scan), is kept, and the
// next column's pass applies it to this column's H as it reads it: true
// H(j-1) = max(H'(j-1), X - k * extend) in vector k (H' is what the pass
// stored, with F carried within each lane only), because F itself is
// max(F', X - k * extend) when open >= extend.  So E of column j is made in
// column j, from the true H(j-1): 13 operations a vector (local), no branch.
//
// H' is stored, not H; what reads it:
//  - the local end: F never raises a cell to the column's maximum (an F
//    value is some H above minus a gap), so the rows holding the maximum in
//    H' and in H are the same rows;
//  - the block's bottom row (Ht), the semi-global last row and the global
//    end take the correction X - k * extend by hand.
template <class O, AlignMode Mode, bool Wrap>
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
  const std::int64_t R = m < kStripedBlockRows ? m : kStripedBlockRows;
  const std::int64_t Smax = (R + L - 1) / L;
  const std::size_t vec_bytes = static_cast<std::size_t>(Smax * L) * sizeof(T);

  T* prof = static_cast<T*>(scratch.get(0, vec_bytes * static_cast<std::size_t>(kp.size)));
  T* Hbuf[3] = {static_cast<T*>(scratch.get(1, vec_bytes)), static_cast<T*>(scratch.get(2, vec_bytes)),
                static_cast<T*>(scratch.get(4, vec_bytes))};
  T* Ev = static_cast<T*>(scratch.get(3, vec_bytes));
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
  const V vzero = O::set1(0);
  const T neg = neg_inf<T>();
  // Wrap: every subtraction in the column pass wraps instead of saturating
  // (AVX-512 runs plain 16-bit subtractions on two ports, saturating ones
  // and max on one: this pass is bound by that port).  Then -inf is `lo`,
  // a finite value no true E, F nor H - open reaches, chosen by the caller
  // so that lo minus every gap cost the pass subtracts stays in range:
  // local H >= 0, so every E and F (of a row with one above) is >= -open;
  // global and semi-global H >= -score_bound, so E and F of real rows are
  // >= -score_bound - open.  (Padding rows may go lower, and get a too-high
  // F from lo; they only feed padding rows, and nothing reads them.)
  const T lo = !Wrap ? neg : static_cast<T>(local ? -open : -(striped_bound(kp, m, n) + open + ext));
  const V vneg = O::set1(lo);
  auto subw = [](V a, V b) {
    if constexpr (Wrap) return O::subw(a, b);
    else return O::sub(a, b);
  };
  const T pad = static_cast<T>(kp.min_score < 0 ? kp.min_score : 0);
  alignas(64) T lanes[L];

  for (std::int64_t r0 = 0; r0 < m; r0 += R) {
    const std::int64_t rows = m - r0 < R ? m - r0 : R;
    const bool last_block = r0 + rows == m;
    const std::int64_t S = (rows + L - 1) / L;
    const std::int64_t plane = S * L;
    bool built = false;
    if constexpr (O::kPermDna) {
      // One table lookup a vector: the block's query codes in striped
      // order (padding: code kp.size), then each target letter's column of
      // the matrix (and the padding score) as a 32-entry table.
      if (kp.size < 32) {
        T* codes = static_cast<T*>(scratch.get(7, vec_bytes));
        for (std::int64_t r = 0; r < plane; ++r)
          codes[(r % S) * L + r / S] = static_cast<T>(r < rows ? q[r0 + r] : kp.size);
        alignas(64) T table[32] = {};
        for (int c = 0; c < kp.size; ++c) {
          for (int a = 0; a < kp.size; ++a) table[a] = static_cast<T>(kp.matrix[a * kp.size + c]);
          table[kp.size] = pad;
          const V tab = O::load(table);
          T* col = prof + c * plane;
          for (std::int64_t k = 0; k < S; ++k) O::store(col + k * L, O::perm_dna(O::load(codes + k * L), tab));
        }
        built = true;
      }
    }
    if (!built) {
      for (std::int64_t r = 0; r < plane; ++r) {
        T* slot = prof + (r % S) * L + r / S;
        if (r < rows) {
          const int* row = kp.matrix + q[r0 + r] * kp.size;
          for (int c = 0; c < kp.size; ++c) slot[c * plane] = static_cast<T>(row[c]);
        } else {
          for (int c = 0; c < kp.size; ++c) slot[c * plane] = pad;
        }
      }
    }
    int prev = 0, saved = -1;
    // Column 0; E(., 0) = -inf (E of column j is made in column j).
    for (int p = 0; p < L; ++p) {
      for (std::int64_t k = 0; k < S; ++k) {
        Hbuf[prev][k * L + p] = clamp_to<T>(edge(local, r0 + p * S + k + 1, open, ext));
        Ev[k * L + p] = lo;
      }
    }
    Decrement<O> vdec[6] = {Decrement<O>(S * ext), Decrement<O>(2 * S * ext), Decrement<O>(4 * S * ext),
                            Decrement<O>(8 * S * ext), Decrement<O>(16 * S * ext), Decrement<O>(32 * S * ext)};
    bool one_step = true;
    for (int s = 1, d = 0; s < L; s *= 2, ++d) one_step = one_step && vdec[d].n <= 1;
    const Decrement<O> to_last((S - 1) * ext);  // X at vector 0 -> X at vector S - 1
    const V vlastdec = O::set1(static_cast<T>(Wrap ? (S - 1) * ext : 0));  // the same, when wrapping
    const std::int64_t Sext = S * ext;
    const std::int64_t last_k = (rows - 1) % S, last_p = (rows - 1) / S;
    std::int64_t bbest = 0, bbt = 0;
    V vbest = O::set1(static_cast<T>(best > 1 ? best - 1 : 0));
    T h_above = Ht[0];
    T* Hs = Hbuf[prev];
    V vX = vneg;                                   // F entering each lane, column j - 1 (lane 0: none)
    V vlast = O::load(Hbuf[prev] + (S - 1) * L);  // true H(j - 1), vector S - 1

    for (std::int64_t j = 1; j <= n; ++j) {
      const T* pj = prof + static_cast<std::int64_t>(t[j - 1]) * S * L;
      const T* Hl = Hbuf[prev];
      int cur = prev == 2 ? 0 : prev + 1;  // neither prev nor saved
      if (cur == saved) cur = cur == 2 ? 0 : cur + 1;
      Hs = Hbuf[cur];
      V vF = O::shift_in(vneg, Fin[j]);
      V vH = O::shift_in(vlast, h_above);
      h_above = Ht[j];
      V colmax = vzero;
      V x = vX;
      for (std::int64_t k = 0; k < S; ++k) {
        const V hp = O::max(O::load(Hl + k * L), x);  // true H(j - 1)
        x = subw(x, vext);
        const V e = O::max(subw(hp, vopen), subw(O::load(Ev + k * L), vext));
        O::store(Ev + k * L, e);
        V h = O::max(O::add(vH, O::load(pj + k * L)), e);
        if constexpr (local) h = O::max(h, vzero);
        h = O::max(h, vF);
        if constexpr (local) colmax = O::max(colmax, h);
        O::store(Hs + k * L, h);
        vF = O::max(subw(h, vopen), subw(vF, vext));
        vH = hp;
      }
      std::int64_t f_out = O::last(vF);
      // F entering each lane: lane p+1 gets max(bottom F of lane p's own
      // chain, F entering lane p - S * extend).
      vF = O::shift_in(vF, lo);
      if (Wrap || one_step) {
        for (int s = 1, d = 0; s < L; s *= 2, ++d) vF = O::max(vF, subw(O::shift_by(vF, s, lo), vdec[d].step[0]));
      } else {
        for (int s = 1, d = 0; s < L; s *= 2, ++d) vF = O::max(vF, vdec[d].apply(O::shift_by(vF, s, lo)));
      }
      vX = vF;
      if constexpr (Wrap) vlast = O::max(O::load(Hs + (S - 1) * L), O::subw(vX, vlastdec));
      else vlast = O::max(O::load(Hs + (S - 1) * L), to_last.apply(vX));
      if (!last_block) {
        const std::int64_t via = static_cast<std::int64_t>(O::last(vX)) - Sext;
        if (via > f_out) f_out = via;
        Ht[j] = O::last(vlast);  // blocks but the last have no padding
        Fin[j] = clamp_to<T>(f_out);
      }
      if constexpr (local) {
        if (O::any(O::gt(colmax, vbest))) {
          bbest = O::hmax(colmax);
          vbest = O::set1(static_cast<T>(bbest));
          bbt = j;
          saved = cur;
        }
      } else if constexpr (semi) {
        if (last_block) {
          O::store(lanes, vX);
          std::int64_t v = Hs[last_k * L + last_p];
          const std::int64_t viaf = static_cast<std::int64_t>(lanes[last_p]) - last_k * ext;
          if (viaf > v) v = viaf;
          if (v > best) {
            best = v;
            bt = j;
          }
        }
      }
      prev = cur;
    }
    Ht[0] = clamp_to<T>(edge(local, r0 + rows, open, ext));
    if constexpr (local) {
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
        O::store(lanes, vX);
        std::int64_t v = Hs[last_k * L + last_p];
        const std::int64_t viaf = static_cast<std::int64_t>(lanes[last_p]) - last_k * ext;
        best = viaf > v ? viaf : v;
        bq = m;
        bt = n;
      }
    }
  }
  out = EndCell{best, bq, bt, saturated<T>(best)};
}

// Whether striped_mode may wrap (16-bit only): every value its pass makes
// is a max over terms of which one is >= lo - 2 * open - (S + 1) * extend
// (S vectors a block; lo as there), and the lane scan subtracts at most
// L / 2 * S * extend from values >= lo.
template <class O>
bool striped_wrap(const KernelParams& kp, const SequencePair& pair) {
  if constexpr (sizeof(typename O::T) != 2) {
    return false;
  } else {
    const std::int64_t m = static_cast<std::int64_t>(pair.query.size()), n = static_cast<std::int64_t>(pair.target.size());
    const std::int64_t R = m < kStripedBlockRows ? m : kStripedBlockRows;
    const std::int64_t S = (R + O::L - 1) / O::L;
    const std::int64_t open = kp.open, ext = kp.extend;
    const std::int64_t lo = kp.mode == AlignMode::local ? open : striped_bound(kp, m, n) + open + ext;  // -lo
    return lo + 2 * open + ((O::L > 2 ? O::L / 2 : 1) * S + 2) * ext <= 32000;
  }
}

template <class O>
void striped(const KernelParams& kp, const SequencePair& pair, EndCell& out, Scratch& scratch) {
  const bool wrap = striped_wrap<O>(kp, pair);
  switch (kp.mode) {
    case AlignMode::local:
      if (wrap) return striped_mode<O, AlignMode::local, true>(kp, pair, out, scratch);
      return striped_mode<O, AlignMode::local, false>(kp, pair, out, scratch);
    case AlignMode::global:
      if (wrap) return striped_mode<O, AlignMode::global, true>(kp, pair, out, scratch);
      return striped_mode<O, AlignMode::global, false>(kp, pair, out, scratch);
    case AlignMode::semi_global:
      if (wrap) return striped_mode<O, AlignMode::semi_global, true>(kp, pair, out, scratch);
      return striped_mode<O, AlignMode::semi_global, false>(kp, pair, out, scratch);
  }
}

}  // namespace
}  // namespace gpualign::cpu
