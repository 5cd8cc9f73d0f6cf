#pragma once
// Kernel templates, written once against an Ops struct (simd_ops.hpp) and
// instantiated by each SIMD level's translation unit.  Everything here has
// internal linkage (anonymous namespace): see simd_ops.hpp for why.
//
// Both kernels use the reference's recurrences (reference_aligner.cpp) with
// the target along the outer loop (columns j) and the query along the inner
// one (rows i):
//   E(i,j) = max(H(i,j-1) - open, E(i,j-1) - extend)
//   F(i,j) = max(H(i-1,j) - open, F(i-1,j) - extend)
//   H(i,j) = max(H(i-1,j-1) + s(q_i, t_j), E, F [, 0 when local])
// Visiting columns in order and, within a column, rows in order makes the
// reference's tie-break (smallest tend, then smallest qend) simply "the
// first strictly better cell".

#include <cstdint>
#include <cstring>
#include <limits>

#include "cpu/kernels.hpp"
#include "cpu/simd_ops.hpp"

namespace gpualign::cpu {
namespace {

inline std::int64_t gap_cost(std::int64_t k, int open, int ext) { return k == 0 ? 0 : open + (k - 1) * ext; }

template <class T>
constexpr T neg_inf() {
  // 32-bit lanes do not saturate: leave room below so subtracting gap costs
  // never wraps (the engine keeps |scores| < 2^28 for them).
  if constexpr (sizeof(T) >= 4) return static_cast<T>(-(1 << 30));
  else return std::numeric_limits<T>::min();
}
template <class T>
constexpr T pos_limit() {
  if constexpr (sizeof(T) >= 4) return static_cast<T>(1 << 30);
  else return std::numeric_limits<T>::max();
}
template <class T>
inline T clamp_to(std::int64_t v) {
  const std::int64_t lo = neg_inf<T>(), hi = pos_limit<T>();
  return static_cast<T>(v < lo ? lo : (v > hi ? hi : v));
}
// Whether a result touched a saturating width's limits (then it may be wrong).
template <class T>
inline bool saturated(std::int64_t v) {
  if constexpr (sizeof(T) >= 4) return false;
  else return v >= pos_limit<T>() || v <= neg_inf<T>();
}

// Boundary H(k, 0) or H(0, k) for an edge that costs (global, or column 0 of
// semi-global); free edges are 0.
inline std::int64_t edge(bool free_edge, std::int64_t k, int open, int ext) {
  return free_edge ? 0 : -gap_cost(k, open, ext);
}

// ---------------------------------------------------------------------------
// Inter-sequence: one pair per lane.  Lanes of a group are padded to the
// group's longest query (M) and target (N) with the ambiguous class, which
// scores <= 0 (the engine checks that for local mode): padded cells then
// never beat, nor come before, the real cell they tie with.  Global and
// semi-global read each lane's own last row/column, so padding cannot reach
// their results (cells only feed cells below and to the right).
template <class O>
void inter_group(const KernelParams& kp, const SequencePair* pairs, const std::uint32_t* order, std::size_t cnt,
                 EndCell* out, Scratch& scratch) {
  using T = typename O::T;
  using V = typename O::V;
  using Mk = typename O::M;
  constexpr int L = O::L;
  const bool local = kp.mode == AlignMode::local;
  const bool semi = kp.mode == AlignMode::semi_global;
  const int open = kp.open, ext = kp.extend;

  std::int64_t mlen[L], nlen[L];
  std::int64_t M = 0, N = 0;
  for (int l = 0; l < L; ++l) {
    mlen[l] = l < static_cast<int>(cnt) ? static_cast<std::int64_t>(pairs[order[l]].query.size()) : 0;
    nlen[l] = l < static_cast<int>(cnt) ? static_cast<std::int64_t>(pairs[order[l]].target.size()) : 0;
    M = mlen[l] > M ? mlen[l] : M;
    N = nlen[l] > N ? nlen[l] : N;
  }
  T* qv = static_cast<T*>(scratch.get(0, static_cast<std::size_t>(M * L) * sizeof(T)));
  T* tv = static_cast<T*>(scratch.get(1, static_cast<std::size_t>(N * L) * sizeof(T)));
  T* Hc = static_cast<T*>(scratch.get(2, static_cast<std::size_t>((M + 1) * L) * sizeof(T)));
  T* Ec = static_cast<T*>(scratch.get(3, static_cast<std::size_t>((M + 1) * L) * sizeof(T)));
  T* Sv = static_cast<T*>(scratch.get(4, static_cast<std::size_t>((M + 1) * L) * sizeof(T)));

  // Letter classes per lane.  With a table lookup the query carries class*5;
  // otherwise ambiguous classes get distinct out-of-range codes (never equal).
  auto cls = [](std::uint8_t c) -> int { return c < 4 ? c : 4; };
  for (int l = 0; l < L; ++l) {
    const auto q = l < static_cast<int>(cnt) ? pairs[order[l]].query : std::span<const std::uint8_t>{};
    const auto t = l < static_cast<int>(cnt) ? pairs[order[l]].target : std::span<const std::uint8_t>{};
    for (std::int64_t i = 0; i < M; ++i) {
      const int c = i < mlen[l] ? cls(q[i]) : 4;
      qv[i * L + l] = static_cast<T>(O::kPermDna ? c * 5 : (c == 4 ? 0x40 : c));
    }
    for (std::int64_t j = 0; j < N; ++j) {
      const int c = j < nlen[l] ? cls(t[j]) : 4;
      tv[j * L + l] = static_cast<T>(O::kPermDna ? c : (c == 4 ? 0x50 : c));
    }
  }
  // Column 0.
  for (std::int64_t i = 0; i <= M; ++i) {
    const std::int64_t b = edge(local, i, open, ext);
    const T hb = clamp_to<T>(b), eb = clamp_to<T>(b - open);
    for (int l = 0; l < L; ++l) {
      Hc[i * L + l] = hb;
      Ec[i * L + l] = eb;
    }
  }

  std::int64_t best[L], bq[L], bt[L];
  for (int l = 0; l < L; ++l) {
    best[l] = 0;
    bq[l] = bt[l] = 0;
    if (semi) {
      // H(m, 0), the whole query inserted, when column 0 may end it; else
      // anything beats the start.
      best[l] = kp.semi_column0 ? edge(false, mlen[l], open, ext) : std::numeric_limits<std::int64_t>::min();
      bq[l] = mlen[l];
    }
  }

  const V vopen = O::set1(static_cast<T>(open)), vext = O::set1(static_cast<T>(ext));
  const V vzero = O::set1(0);
  const V vmatch = O::set1(static_cast<T>(kp.dna_class[0]));
  const V vmis = O::set1(static_cast<T>(kp.dna_class[1]));
  const V vamb = O::set1(static_cast<T>(kp.dna_class[24]));
  const V vthree = O::set1(3);
  V table = vzero;
  if constexpr (O::kPermDna) {
    alignas(64) T tab[64] = {};
    for (int k = 0; k < 25; ++k) tab[k] = static_cast<T>(kp.dna_class[k]);
    table = O::load(tab);
  }
  V vbest = vzero;  // local: best so far per lane
  alignas(64) T buf[L];

  // Local end cells without tracking rows per cell: a column whose maximum
  // beats a lane's best marks that lane (`rose`), and the next column's pass,
  // which reads this column's H anyway, copies it into that lane of `Sv`
  // with a masked store.  Sv then holds, per lane, the last column where its
  // best rose, that is the first column holding its final best; its first
  // row holding it is found once, after the last column.
  Mk rose{};
  bool any_rose = false;
  auto column = [&](auto save, std::int64_t j) {
    constexpr bool kSave = decltype(save)::value;
    const V tj = O::load(tv + (j - 1) * L);
    const T h0 = clamp_to<T>(edge(local || semi, j, open, ext));
    V diag = O::load(Hc);
    const V vh0 = O::set1(h0);
    O::store(Hc, vh0);
    V F = O::sub(vh0, vopen);
    V colmax = vzero;
    for (std::int64_t i = 1; i <= M; ++i) {
      const V e = O::load(Ec + i * L);
      const V qi = O::load(qv + (i - 1) * L);
      V s;
      if constexpr (O::kPermDna) {
        s = O::perm_dna(O::add(qi, tj), table);
      } else {
        s = O::blend(O::eq(qi, tj), vmis, vmatch);
        s = O::blend(O::gt(O::vor(qi, tj), vthree), s, vamb);
      }
      V h = O::max(O::add(diag, s), e);
      if (local) h = O::max(h, vzero);
      h = O::max(h, F);
      diag = O::load(Hc + i * L);
      if constexpr (kSave) O::mask_store(Sv + i * L, rose, diag);
      O::store(Hc + i * L, h);
      const V hop = O::sub(h, vopen);
      O::store(Ec + i * L, O::max(hop, O::sub(e, vext)));
      F = O::max(hop, O::sub(F, vext));
      if (local) colmax = O::max(colmax, h);
    }
    return colmax;
  };

  for (std::int64_t j = 1; j <= N; ++j) {
    const V colmax = any_rose ? column(std::true_type{}, j) : column(std::false_type{}, j);
    if (local) {
      rose = O::gt(colmax, vbest);
      any_rose = O::any(rose);
      if (any_rose) {
        O::store(buf, colmax);
        for (std::uint64_t b = O::bits(rose); b; b &= b - 1) {
          const int l = __builtin_ctzll(b);
          best[l] = buf[l];
          bt[l] = j;
        }
        vbest = O::max(vbest, colmax);
      }
    } else if (semi) {
      for (int l = 0; l < static_cast<int>(cnt); ++l) {
        if (j > nlen[l]) continue;
        const std::int64_t v = Hc[mlen[l] * L + l];
        if (v > best[l]) {
          best[l] = v;
          bt[l] = j;
        }
      }
    } else {
      for (int l = 0; l < static_cast<int>(cnt); ++l) {
        if (j != nlen[l]) continue;
        best[l] = Hc[mlen[l] * L + l];
        bq[l] = mlen[l];
        bt[l] = nlen[l];
      }
    }
  }
  if (local) {
    if (any_rose)
      for (std::int64_t i = 1; i <= M; ++i) O::mask_store(Sv + i * L, rose, O::load(Hc + i * L));
    // First row of each lane's saved column holding its best (lanes whose
    // best never rose above 0 keep row 0, column 0).
    alignas(64) T bv[L];
    std::uint64_t pending = 0;
    for (int l = 0; l < L; ++l) {
      bv[l] = static_cast<T>(best[l]);
      if (bt[l] > 0) pending |= std::uint64_t{1} << l;
    }
    const V want = O::load(bv);
    for (std::int64_t i = 1; i <= M && pending; ++i) {
      std::uint64_t hit = O::bits(O::eq(O::load(Sv + i * L), want)) & pending;
      pending &= ~hit;
      for (; hit; hit &= hit - 1) bq[__builtin_ctzll(hit)] = i;
    }
  }
  for (int l = 0; l < static_cast<int>(cnt); ++l)
    out[l] = EndCell{best[l], bq[l], bt[l], saturated<T>(best[l])};
}

template <class O>
void inter_batch(const KernelParams& kp, const SequencePair* pairs, const std::uint32_t* order, std::size_t count,
                 EndCell* out, Scratch& scratch) {
  for (std::size_t g = 0; g < count; g += O::L) {
    const std::size_t cnt = count - g < static_cast<std::size_t>(O::L) ? count - g : static_cast<std::size_t>(O::L);
    inter_group<O>(kp, pairs, order + g, cnt, out + g, scratch);
  }
}

// ---------------------------------------------------------------------------
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


// ---------------------------------------------------------------------------
// Inter-sequence global alignment with direction bits, for CIGAR windows.
// The recurrences and tie-breaks are those of the reference's
// global_traceback (diagonal first, then F if strictly better, then E if
// strictly better; a gap extends when extending is at least as good as
// opening), so the path is the same.  One direction word per cell and lane.
enum : unsigned { kDirE = 1, kDirF = 2, kDirEExt = 4, kDirFExt = 8 };

template <class O>
void trace_group(const KernelParams& kp, const SequencePair* pairs, const std::uint32_t* order, std::size_t cnt,
                 char* paths, const std::size_t* path_at, std::size_t* path_len, std::int64_t* score,
                 bool* overflow, Scratch& scratch) {
  using T = typename O::T;
  using V = typename O::V;
  constexpr int L = O::L;
  const int open = kp.open, ext = kp.extend;
  std::int64_t mlen[L], nlen[L];
  std::int64_t M = 0, N = 0;
  for (int l = 0; l < L; ++l) {
    mlen[l] = l < static_cast<int>(cnt) ? static_cast<std::int64_t>(pairs[order[l]].query.size()) : 0;
    nlen[l] = l < static_cast<int>(cnt) ? static_cast<std::int64_t>(pairs[order[l]].target.size()) : 0;
    M = mlen[l] > M ? mlen[l] : M;
    N = nlen[l] > N ? nlen[l] : N;
  }
  T* qv = static_cast<T*>(scratch.get(0, static_cast<std::size_t>(M * L) * sizeof(T)));
  T* tv = static_cast<T*>(scratch.get(1, static_cast<std::size_t>(N * L) * sizeof(T)));
  T* Hc = static_cast<T*>(scratch.get(2, static_cast<std::size_t>((M + 1) * L) * sizeof(T)));
  T* Ec = static_cast<T*>(scratch.get(3, static_cast<std::size_t>((M + 1) * L) * sizeof(T)));
  T* dir = static_cast<T*>(scratch.get(4, static_cast<std::size_t>(M * N * L) * sizeof(T)));
  auto cls = [](std::uint8_t c) -> int { return c < 4 ? c : 4; };
  for (int l = 0; l < L; ++l) {
    const auto q = l < static_cast<int>(cnt) ? pairs[order[l]].query : std::span<const std::uint8_t>{};
    const auto t = l < static_cast<int>(cnt) ? pairs[order[l]].target : std::span<const std::uint8_t>{};
    for (std::int64_t i = 0; i < M; ++i) {
      const int c = i < mlen[l] ? cls(q[i]) : 4;
      qv[i * L + l] = static_cast<T>(O::kPermDna ? c * 5 : (c == 4 ? 0x40 : c));
    }
    for (std::int64_t j = 0; j < N; ++j) {
      const int c = j < nlen[l] ? cls(t[j]) : 4;
      tv[j * L + l] = static_cast<T>(O::kPermDna ? c : (c == 4 ? 0x50 : c));
    }
  }
  const T neg = neg_inf<T>();
  for (std::int64_t i = 0; i <= M; ++i) {
    const T hb = clamp_to<T>(edge(false, i, open, ext));
    for (int l = 0; l < L; ++l) {
      Hc[i * L + l] = hb;
      Ec[i * L + l] = neg;
    }
  }
  std::int64_t best[L];
  for (int l = 0; l < L; ++l) best[l] = 0;
  const V vopen = O::set1(static_cast<T>(open)), vext = O::set1(static_cast<T>(ext));
  const V vzero = O::set1(0);
  const V vmatch = O::set1(static_cast<T>(kp.dna_class[0]));
  const V vmis = O::set1(static_cast<T>(kp.dna_class[1]));
  const V vamb = O::set1(static_cast<T>(kp.dna_class[24]));
  const V vthree = O::set1(3);
  const V dE = O::set1(kDirE), dF = O::set1(kDirF), dEE = O::set1(kDirEExt), dFE = O::set1(kDirFExt);
  V table = vzero;
  if constexpr (O::kPermDna) {
    alignas(64) T tab[64] = {};
    for (int k = 0; k < 25; ++k) tab[k] = static_cast<T>(kp.dna_class[k]);
    table = O::load(tab);
  }
  for (std::int64_t j = 1; j <= N; ++j) {
    const V tj = O::load(tv + (j - 1) * L);
    const T h0 = clamp_to<T>(edge(false, j, open, ext));
    V diag = O::load(Hc);
    O::store(Hc, O::set1(h0));
    V hup = O::set1(h0);
    V F = O::set1(neg);
    T* dj = dir + (j - 1) * M * L;
    for (std::int64_t i = 1; i <= M; ++i) {
      const V hl = O::load(Hc + i * L);
      const V e_open = O::sub(hl, vopen), e_ext = O::sub(O::load(Ec + i * L), vext);
      const V e = O::max(e_open, e_ext);
      O::store(Ec + i * L, e);
      const V f_open = O::sub(hup, vopen), f_ext = O::sub(F, vext);
      F = O::max(f_open, f_ext);
      const V qi = O::load(qv + (i - 1) * L);
      V s;
      if constexpr (O::kPermDna) {
        s = O::perm_dna(O::add(qi, tj), table);
      } else {
        s = O::blend(O::eq(qi, tj), vmis, vmatch);
        s = O::blend(O::gt(O::vor(qi, tj), vthree), s, vamb);
      }
      const V dg = O::add(diag, s);
      const auto fbig = O::gt(F, dg);
      const V h1 = O::max(dg, F);
      const auto ebig = O::gt(e, h1);
      const V h = O::max(h1, e);
      V d = O::blend(ebig, O::blend(fbig, vzero, dF), dE);
      d = O::vor(d, O::blend(O::gt(e_open, e_ext), dEE, vzero));
      d = O::vor(d, O::blend(O::gt(f_open, f_ext), dFE, vzero));
      O::store(dj + (i - 1) * L, d);
      diag = hl;
      O::store(Hc + i * L, h);
      hup = h;
    }
    for (int l = 0; l < static_cast<int>(cnt); ++l)
      if (j == nlen[l]) best[l] = Hc[mlen[l] * L + l];
  }
  // Trace each lane back (the reference's state machine).
  for (int l = 0; l < static_cast<int>(cnt); ++l) {
    char* out = paths + path_at[l];
    std::size_t len = 0;
    overflow[l] = saturated<T>(best[l]);
    score[l] = best[l];
    std::int64_t i = mlen[l], j = nlen[l];
    int state = 0;  // 0 H, 1 E, 2 F
    const auto q = pairs[order[l]].query;
    const auto t = pairs[order[l]].target;
    while (i > 0 && j > 0) {
      const unsigned d = static_cast<unsigned>(static_cast<std::uint16_t>(dir[((j - 1) * M + (i - 1)) * L + l]));
      if (state == 0) {
        if (d & kDirE) state = 1;
        else if (d & kDirF) state = 2;
        else {
          out[len++] = q[i - 1] == t[j - 1] ? '=' : 'X';
          --i;
          --j;
        }
      } else if (state == 1) {
        out[len++] = 'D';
        state = (d & kDirEExt) && j > 1 ? 1 : 0;
        --j;
      } else {
        out[len++] = 'I';
        state = (d & kDirFExt) ? 2 : 0;
        --i;
      }
    }
    for (; i > 0; --i) out[len++] = 'I';  // column 0: one I run
    for (; j > 0; --j) out[len++] = 'D';  // row 0: one D run
    path_len[l] = len;
  }
}

template <class O>
void trace_batch(const KernelParams& kp, const SequencePair* pairs, const std::uint32_t* order, std::size_t count,
                 char* paths, const std::size_t* path_at, std::size_t* path_len, std::int64_t* score, bool* overflow,
                 Scratch& scratch) {
  for (std::size_t g = 0; g < count; g += O::L) {
    const std::size_t cnt = count - g < static_cast<std::size_t>(O::L) ? count - g : static_cast<std::size_t>(O::L);
    trace_group<O>(kp, pairs, order + g, cnt, paths, path_at + g, path_len + g, score + g, overflow + g, scratch);
  }
}

// The table of one level; `Ops` is a template of one element type.
template <template <class> class Ops>
KernelTable make_table(const char* name) {
  KernelTable t;
  t.name = name;
  t.lanes16 = Ops<std::int16_t>::L;
  t.inter8 = &inter_batch<Ops<std::int8_t>>;
  t.inter16 = &inter_batch<Ops<std::int16_t>>;
  t.inter32 = &inter_batch<Ops<std::int32_t>>;
  t.striped16 = &striped<Ops<std::int16_t>>;
  t.striped32 = &striped<Ops<std::int32_t>>;
  t.trace16 = &trace_batch<Ops<std::int16_t>>;
  return t;
}

}  // namespace
}  // namespace gpualign::cpu
