#pragma once
// Inter-sequence kernel template: one pair per SIMD lane (W1-like batches).

#include <algorithm>
#include <cstdlib>
#include <new>
#include <type_traits>

#include "cpu/kernels_common.hpp"

namespace gpualign::cpu {
namespace {

// max(a - b, 0) for 0 <= a and 0 < b: one unsigned saturating subtraction
// where the width has it (8 and 16 bits), else a subtraction and a max.
template <class O>
inline typename O::V inter_usub(typename O::V a, typename O::V b) {
  [[maybe_unused]] constexpr std::size_t kT = sizeof(typename O::T), kV = O::L > 1 ? sizeof(typename O::V) : 0;
#if defined(__AVX512BW__)
  if constexpr (kV == 64 && kT == 1) return _mm512_subs_epu8(a, b);
  else if constexpr (kV == 64 && kT == 2) return _mm512_subs_epu16(a, b);
  else
#endif
#if defined(__AVX2__)
  if constexpr (kV == 32 && kT == 1) return _mm256_subs_epu8(a, b);
  else if constexpr (kV == 32 && kT == 2) return _mm256_subs_epu16(a, b);
  else
#endif
#if defined(__SSE4_1__)
  if constexpr (kV == 16 && kT == 1) return _mm_subs_epu8(a, b);
  else if constexpr (kV == 16 && kT == 2) return _mm_subs_epu16(a, b);
  else
#endif
    return O::max(O::sub(a, b), O::set1(0));
}

// Wrapping a + b and a - b (no saturation): where no value can reach a
// width's limits they equal O::add and O::sub, and on AVX-512 they issue to
// two ports where the saturating forms (like max) have one.
template <class O>
inline typename O::V inter_addw(typename O::V a, typename O::V b) {
  using T = typename O::T;
  [[maybe_unused]] constexpr std::size_t kT = sizeof(T), kV = O::L > 1 ? sizeof(typename O::V) : 0;
  if constexpr (kT >= 4) return O::add(a, b);
#if defined(__AVX512BW__)
  else if constexpr (kV == 64 && kT == 1) return _mm512_add_epi8(a, b);
  else if constexpr (kV == 64 && kT == 2) return _mm512_add_epi16(a, b);
#endif
#if defined(__AVX2__)
  else if constexpr (kV == 32 && kT == 1) return _mm256_add_epi8(a, b);
  else if constexpr (kV == 32 && kT == 2) return _mm256_add_epi16(a, b);
#endif
#if defined(__SSE4_1__)
  else if constexpr (kV == 16 && kT == 1) return _mm_add_epi8(a, b);
  else if constexpr (kV == 16 && kT == 2) return _mm_add_epi16(a, b);
#endif
  else return O::add(a, b);
}
template <class O>
inline typename O::V inter_subw(typename O::V a, typename O::V b) {
  using T = typename O::T;
  [[maybe_unused]] constexpr std::size_t kT = sizeof(T), kV = O::L > 1 ? sizeof(typename O::V) : 0;
  if constexpr (kT >= 4) return O::sub(a, b);
#if defined(__AVX512BW__)
  else if constexpr (kV == 64 && kT == 1) return _mm512_sub_epi8(a, b);
  else if constexpr (kV == 64 && kT == 2) return _mm512_sub_epi16(a, b);
#endif
#if defined(__AVX2__)
  else if constexpr (kV == 32 && kT == 1) return _mm256_sub_epi8(a, b);
  else if constexpr (kV == 32 && kT == 2) return _mm256_sub_epi16(a, b);
#endif
#if defined(__SSE4_1__)
  else if constexpr (kV == 16 && kT == 1) return _mm_sub_epi8(a, b);
  else if constexpr (kV == 16 && kT == 2) return _mm_sub_epi16(a, b);
#endif
  else return O::sub(a, b);
}

// The column passes of one lane group.  A pass computes K target columns
// j0 .. j0+K-1 row by row: H and E of the columns in between stay in
// registers (only the last column's H and E go back to Hc/Ec), so each row
// costs 3 loads and 2 stores for K columns instead of for one, and the K
// F chains are independent work for the core.
//
// Local mode ends: per column of a pass, its maximum and the first row
// holding it (strictly-greater updates, rows in order); after the pass the
// columns are taken in order, and a column whose maximum beats a lane's best
// so far is that lane's new end: the first strictly better cell, column-major.
// Row numbers live in lanes; 8-bit lanes count them in chunks of 127 rows and
// merge the chunks (a later chunk wins only when strictly greater).
//
// kSafe: the caller has checked that no value of this group can reach the
// width's limits (inter_safe), so wrapping additions and subtractions give
// the saturating ones' results: on AVX-512 they issue to two ports, where
// saturating arithmetic and max share one (with vpermw the busiest).  Local
// mode then takes max(H, 0) directly.
//
// Otherwise (kU) local scores, being >= 0, let E and F be kept as max(E, 0)
// and max(F, 0) where the width has unsigned saturating subtraction: no H
// changes (H = max(diag + s, E, F, 0)), the gap updates stay exact after
// the clamp (max(max(E, 0) - ext, 0) = max(E - ext, 0)), and H needs no max
// with 0.
//
// Global and semi-global read each lane's own last row, mlen: rows from the
// group's shortest mlen (mlo) down are copied to `cap` per column, and the
// pass's caller reads each lane's row there.
template <class O, bool kLocal, bool kSafe>
struct InterPasses {
  using T = typename O::T;
  using V = typename O::V;
  using Mk = typename O::M;
  static constexpr int L = O::L;
  static constexpr bool kU = kLocal && !kSafe && (sizeof(T) <= 2 || L == 1);
  static constexpr std::int64_t kChunk = sizeof(T) == 1 ? 127 : std::int64_t{1} << 40;

  const T* qv;
  const T* tv;
  T* Hc;
  T* Ec;
  T* cap;
  std::int64_t M, mlo;
  bool semi;
  int open, ext;
  V vopen, vext, vzero, table, vmatch, vmis, vamb, vthree;

  V score(V qi, V tj) const {
    if constexpr (O::kPermDna) {
      return O::perm_dna(inter_addw<O>(qi, tj), table);
    } else {
      const V s = O::blend(O::eq(qi, tj), vmis, vmatch);
      return O::blend(O::gt(O::vor(qi, tj), vthree), s, vamb);
    }
  }

  static V add(V a, V b) {
    if constexpr (kSafe) return inter_addw<O>(a, b);
    else return O::add(a, b);
  }
  static V sub(V a, V b) {
    if constexpr (kSafe) return inter_subw<O>(a, b);
    else return O::sub(a, b);
  }

  // Rows i0..i1 of the pass.  kTrack: local maxima per column (cm) and
  // their rows (ri, counted by ivec); kCap: copy H to cap.
  template <int K, bool kTrack, bool kCap>
  [[gnu::always_inline]] inline void rows(std::int64_t i0, std::int64_t i1, const V (&tj)[K], V (&diag)[K], V (&F)[K],
                                          V (&cm)[K], V (&ri)[K], V ivec, V one) const {
    for (std::int64_t i = i0; i <= i1; ++i) {
      V e = O::load(Ec + i * L);
      const V qi = O::load(qv + (i - 1) * L);
      V left = O::load(Hc + i * L);  // H(i, j0 - 1)
      V h;
      if constexpr (kTrack) ivec = inter_addw<O>(ivec, one);
#pragma GCC unroll 8
      for (int c = 0; c < K; ++c) {
        const V hd = add(diag[c], score(qi, tj[c]));
        if constexpr (kU) {
          h = O::max(O::max(hd, F[c]), e);
          const V hop = inter_usub<O>(h, vopen);
          e = O::max(hop, inter_usub<O>(e, vext));
          F[c] = O::max(hop, inter_usub<O>(F[c], vext));
        } else {
          // E arrives last (the chain along the row): it goes in last.
          V t = O::max(hd, F[c]);
          if constexpr (kLocal) t = O::max(t, vzero);
          h = O::max(t, e);
          const V hop = sub(h, vopen);
          e = O::max(hop, sub(e, vext));
          F[c] = O::max(hop, sub(F[c], vext));
        }
        diag[c] = left;
        left = h;
        if constexpr (kTrack) {
          const Mk g = O::gt(h, cm[c]);
          cm[c] = O::max(cm[c], h);
          ri[c] = O::blend(g, ri[c], ivec);
        }
        if constexpr (kCap) O::store(cap + ((i - mlo) * K + c) * L, h);
      }
      O::store(Hc + i * L, h);
      O::store(Ec + i * L, e);
    }
  }

  // Columns j0..j0+K-1.  Local: per column c its maximum tcm[c], at row
  // tck[c] * kChunk + tri[c] (lanes whose maximum is 0: anything).
  template <int K>
  void pass(std::int64_t j0, V (&tcm)[K], V (&tri)[K], V (&tck)[K]) const {
    V tj[K], diag[K], F[K], cm[K], ri[K];
    diag[0] = O::load(Hc);
    T top = 0;
    for (int c = 0; c < K; ++c) {
      tj[c] = O::load(tv + (j0 - 1 + c) * L);
      top = clamp_to<T>(edge(kLocal || semi, j0 + c, open, ext));
      const V vtop = O::set1(top);
      if (c + 1 < K) diag[c + 1] = vtop;
      F[c] = kU ? inter_usub<O>(vtop, vopen) : O::sub(vtop, vopen);
      cm[c] = ri[c] = vzero;
    }
    O::store(Hc, O::set1(top));
    for (int c = 0; c < K; ++c) tcm[c] = tri[c] = tck[c] = vzero;
    const V one = O::set1(1);
    if constexpr (kLocal) {
      for (std::int64_t r0 = 1, chunk = 0; r0 <= M; r0 += kChunk, ++chunk) {
        const std::int64_t r1 = M < r0 + kChunk - 1 ? M : r0 + kChunk - 1;
        if (chunk > 0)
          for (int c = 0; c < K; ++c) cm[c] = ri[c] = vzero;
        rows<K, true, false>(r0, r1, tj, diag, F, cm, ri, vzero, one);
        if (chunk == 0) {
          for (int c = 0; c < K; ++c) {
            tcm[c] = cm[c];
            tri[c] = ri[c];
          }
        } else {
          const V vc = O::set1(static_cast<T>(chunk));
          for (int c = 0; c < K; ++c) {
            const Mk g = O::gt(cm[c], tcm[c]);
            tcm[c] = O::max(tcm[c], cm[c]);
            tri[c] = O::blend(g, tri[c], ri[c]);
            tck[c] = O::blend(g, tck[c], vc);
          }
        }
      }
    } else {
      rows<K, false, false>(1, mlo - 1, tj, diag, F, cm, ri, vzero, one);
      rows<K, false, true>(mlo, M, tj, diag, F, cm, ri, vzero, one);
    }
  }
};

// Inter-sequence: one pair per lane.  Lanes of a group are padded to the
// group's longest query (M) and target (N) with the ambiguous class, which
// scores <= 0 (the engine checks that for local mode): padded cells then
// never beat, nor come before, the real cell they tie with.  Global and
// semi-global read each lane's own last row/column, so padding cannot reach
// their results (cells only feed cells below and to the right).
template <class O, bool kLocal, bool kSafe>
void inter_group_mode(const KernelParams& kp, const SequencePair* pairs, const std::uint32_t* order, std::size_t cnt,
                      EndCell* out, Scratch& scratch) {
  using T = typename O::T;
  using V = typename O::V;
  using Mk = typename O::M;
  using P = InterPasses<O, kLocal, kSafe>;
  constexpr int L = O::L;
  // Columns per pass (then 2 and 1 for the rest).  W1, AVX-512, 16 bits,
  // GCUPS local/global: K=2 6.5/8.0, 3 6.9/8.6, 4 7.0/9.1, 6 7.3/9.5, 8 6.8/9.3.
  constexpr int K = 4;
  const bool semi = kp.mode == AlignMode::semi_global;
  const int open = kp.open, ext = kp.extend;

  const LaneGroup<L> group(pairs, order, cnt);
  const auto& mlen = group.mlen;
  const auto& nlen = group.nlen;
  const std::int64_t M = group.M, N = group.N;
  std::int64_t mlo = M;
  for (int l = 0; l < static_cast<int>(cnt); ++l) mlo = mlen[l] < mlo ? mlen[l] : mlo;
  T* qv = static_cast<T*>(scratch.get(0, static_cast<std::size_t>(M * L) * sizeof(T)));
  T* tv = static_cast<T*>(scratch.get(1, static_cast<std::size_t>(N * L) * sizeof(T)));
  T* Hc = static_cast<T*>(scratch.get(2, static_cast<std::size_t>((M + 1) * L) * sizeof(T)));
  T* Ec = static_cast<T*>(scratch.get(3, static_cast<std::size_t>((M + 1) * L) * sizeof(T)));
  T* cap = kLocal ? nullptr : static_cast<T*>(scratch.get(4, static_cast<std::size_t>((M - mlo + 1) * K * L) * sizeof(T)));

  encode_dna_lanes<O>(pairs, order, cnt, group, qv, tv);
  // Column 0 (E(i, 1) = H(i, 0) - open; local keeps max(E, 0) where P::kU).
  for (std::int64_t i = 0; i <= M; ++i) {
    const std::int64_t b = edge(kLocal, i, open, ext);
    const T hb = clamp_to<T>(b), eb = clamp_to<T>(P::kU ? 0 : b - open);
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

  P ps{};
  ps.qv = qv;
  ps.tv = tv;
  ps.Hc = Hc;
  ps.Ec = Ec;
  ps.cap = cap;
  ps.M = M;
  ps.mlo = mlo;
  ps.semi = semi;
  ps.open = open;
  ps.ext = ext;
  ps.vopen = O::set1(static_cast<T>(open));
  ps.vext = O::set1(static_cast<T>(ext));
  ps.vzero = O::set1(0);
  ps.vmatch = O::set1(static_cast<T>(kp.dna_class[0]));
  ps.vmis = O::set1(static_cast<T>(kp.dna_class[1]));
  ps.vamb = O::set1(static_cast<T>(kp.dna_class[24]));
  ps.vthree = O::set1(3);
  ps.table = ps.vzero;
  if constexpr (O::kPermDna) {
    alignas(64) T tab[64] = {};
    for (int k = 0; k < 25; ++k) tab[k] = static_cast<T>(kp.dna_class[k]);
    ps.table = O::load(tab);
  }

  V vbest = ps.vzero;  // local: best so far per lane
  alignas(64) T bm[L], br[L], bc[L];
  auto run = [&](auto kk, std::int64_t j0) {
    constexpr int KK = decltype(kk)::value;
    V tcm[KK], tri[KK], tck[KK];
    ps.template pass<KK>(j0, tcm, tri, tck);
    for (int c = 0; c < KK; ++c) {
      const std::int64_t j = j0 + c;
      if constexpr (kLocal) {
        const Mk rose = O::gt(tcm[c], vbest);
        if (!O::any(rose)) continue;
        O::store(bm, tcm[c]);
        O::store(br, tri[c]);
        O::store(bc, tck[c]);
        for (std::uint64_t b = O::bits(rose); b; b &= b - 1) {
          const int l = __builtin_ctzll(b);
          best[l] = bm[l];
          bq[l] = static_cast<std::int64_t>(bc[l]) * P::kChunk + br[l];
          bt[l] = j;
        }
        vbest = O::max(vbest, tcm[c]);
      } else {
        const T* row = cap + c * L;
        for (int l = 0; l < static_cast<int>(cnt); ++l) {
          const std::int64_t v = row[(mlen[l] - mlo) * KK * L + l];
          if (semi) {
            if (j <= nlen[l] && v > best[l]) {
              best[l] = v;
              bt[l] = j;
            }
          } else if (j == nlen[l]) {
            best[l] = v;
            bq[l] = mlen[l];
            bt[l] = nlen[l];
          }
        }
      }
    }
  };
  std::int64_t j0 = 1;
  for (; j0 + K - 1 <= N; j0 += K) run(std::integral_constant<int, K>{}, j0);
  for (; j0 + 1 <= N; j0 += 2) run(std::integral_constant<int, 2>{}, j0);
  if (j0 <= N) run(std::integral_constant<int, 1>{}, j0);

  for (int l = 0; l < static_cast<int>(cnt); ++l)
    out[l] = EndCell{best[l], bq[l], bt[l], saturated<T>(best[l])};
}

// Whether no value a group of M rows and N columns computes (H, E, F, and
// E - extend etc. before their max) can reach T's limits, so that wrapping
// arithmetic gives exactly the saturating results (overflow flags included:
// none).  H <= amax * min(M, N); local values >= -(open + extend + amax);
// global and semi-global H >= -(2 open + extend (M + N)), the all-gap path,
// and E, F, E - extend... lie at most open + extend + amax below that.
template <class T>
bool inter_safe(const KernelParams& kp, bool local, std::int64_t M, std::int64_t N) {
  if constexpr (sizeof(T) >= 4) {
    return true;  // 32-bit lanes wrap anyway; the engine keeps scores far below 2^31
  } else {
    const std::int64_t amax = std::max<std::int64_t>(std::abs(std::int64_t{kp.max_score}), std::abs(std::int64_t{kp.min_score}));
    const std::int64_t open = kp.open, ext = kp.extend;
    const std::int64_t hi = amax * std::min(M, N);
    const std::int64_t lo = local ? -(open + ext + amax) : -(3 * open + ext * (M + N + 1) + amax);
    return hi < pos_limit<T>() && lo > neg_inf<T>();
  }
}

template <class O>
void inter_group(const KernelParams& kp, const SequencePair* pairs, const std::uint32_t* order, std::size_t cnt,
                 EndCell* out, Scratch& scratch) {
  std::int64_t M = 0, N = 0;
  for (std::size_t l = 0; l < cnt; ++l) {
    M = std::max<std::int64_t>(M, static_cast<std::int64_t>(pairs[order[l]].query.size()));
    N = std::max<std::int64_t>(N, static_cast<std::int64_t>(pairs[order[l]].target.size()));
  }
  const bool local = kp.mode == AlignMode::local;
  if (inter_safe<typename O::T>(kp, local, M, N)) {
    if (local) inter_group_mode<O, true, true>(kp, pairs, order, cnt, out, scratch);
    else inter_group_mode<O, false, true>(kp, pairs, order, cnt, out, scratch);
  } else if constexpr (sizeof(typename O::T) < 4) {
    if (local) inter_group_mode<O, true, false>(kp, pairs, order, cnt, out, scratch);
    else inter_group_mode<O, false, false>(kp, pairs, order, cnt, out, scratch);
  }
}

// Lane groups: a group costs its longest query times its longest target
// for every lane, so pairs are grouped to keep both close: sorted by target
// length into slabs of k groups (k ~ sqrt of the group count), each slab
// sorted by query length and cut into groups.  On W1 this pads ~10% where
// the caller's order (query bucket, then target) pads ~17%, and less at the
// smaller batches of several threads.  Lanes do not affect each other, so
// the grouping changes no result.
template <class O>
void inter_batch(const KernelParams& kp, const SequencePair* pairs, const std::uint32_t* order, std::size_t count,
                 EndCell* out, Scratch& scratch) {
  constexpr std::size_t L = O::L;
  if (count <= L) {
    if (count > 0) inter_group<O>(kp, pairs, order, count, out, scratch);
    return;
  }
  auto* perm = static_cast<std::uint32_t*>(scratch.get(5, count * sizeof(std::uint32_t)));
  auto* ord = static_cast<std::uint32_t*>(scratch.get(6, count * sizeof(std::uint32_t)));
  auto* res = static_cast<EndCell*>(scratch.get(7, count * sizeof(EndCell)));
  for (std::size_t k = 0; k < count; ++k) {
    perm[k] = static_cast<std::uint32_t>(k);
    new (res + k) EndCell{};
  }
  auto qn = [&](std::uint32_t k) { return pairs[order[k]].query.size(); };
  auto tn = [&](std::uint32_t k) { return pairs[order[k]].target.size(); };
  std::sort(perm, perm + count, [&](std::uint32_t a, std::uint32_t b) {
    return tn(a) != tn(b) ? tn(a) < tn(b) : (qn(a) != qn(b) ? qn(a) < qn(b) : a < b);
  });
  const std::size_t groups = (count + L - 1) / L;
  std::size_t k = 1;
  while (k * k < groups) ++k;
  for (std::size_t s0 = 0; s0 < count; s0 += k * L)
    std::sort(perm + s0, perm + std::min(count, s0 + k * L), [&](std::uint32_t a, std::uint32_t b) {
      return qn(a) != qn(b) ? qn(a) < qn(b) : (tn(a) != tn(b) ? tn(a) < tn(b) : a < b);
    });
  for (std::size_t i = 0; i < count; ++i) ord[i] = order[perm[i]];
  for (std::size_t g = 0; g < count; g += L) {
    const std::size_t cnt = std::min(count - g, L);
    inter_group<O>(kp, pairs, ord + g, cnt, res + g, scratch);
  }
  for (std::size_t i = 0; i < count; ++i) out[perm[i]] = res[i];
}

}  // namespace
}  // namespace gpualign::cpu
