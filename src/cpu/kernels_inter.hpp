#pragma once
// Inter-sequence kernel template: one pair per SIMD lane (W1-like batches).

#include "cpu/kernels_common.hpp"

namespace gpualign::cpu {
namespace {

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

}  // namespace
}  // namespace gpualign::cpu
