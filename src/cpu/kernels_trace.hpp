#pragma once
// Inter-sequence traceback kernel template: global alignment of CIGAR
// windows with direction bits, one window per lane.

#include "cpu/kernels_common.hpp"

namespace gpualign::cpu {
namespace {

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
  const LaneGroup<L> group(pairs, order, cnt);
  const auto& mlen = group.mlen;
  const auto& nlen = group.nlen;
  const std::int64_t M = group.M, N = group.N;
  T* qv = static_cast<T*>(scratch.get(0, static_cast<std::size_t>(M * L) * sizeof(T)));
  T* tv = static_cast<T*>(scratch.get(1, static_cast<std::size_t>(N * L) * sizeof(T)));
  T* Hc = static_cast<T*>(scratch.get(2, static_cast<std::size_t>((M + 1) * L) * sizeof(T)));
  T* Ec = static_cast<T*>(scratch.get(3, static_cast<std::size_t>((M + 1) * L) * sizeof(T)));
  T* dir = static_cast<T*>(scratch.get(4, static_cast<std::size_t>(M * N * L) * sizeof(T)));
  encode_dna_lanes<O>(pairs, order, cnt, group, qv, tv);
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

}  // namespace
}  // namespace gpualign::cpu
