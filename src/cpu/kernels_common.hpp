#pragma once
// What every kernel template shares: gap costs, each width's -inf and
// limits, saturation checks and boundary values.  Internal linkage
// (anonymous namespace): each SIMD level's translation unit gets its own
// copy, compiled with its own flags (see simd_ops.hpp).
//
// All kernels use the reference's recurrences (reference_aligner.cpp) with
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
#include <span>

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

// A lane group of the inter-sequence kernels: pairs[order[l]] in lane l for
// l < cnt.  Each lane's query and target length (0 past cnt) and the longest
// of each, to which every lane is padded.
template <int L>
struct LaneGroup {
  std::int64_t mlen[L], nlen[L];
  std::int64_t M = 0, N = 0;
  LaneGroup(const SequencePair* pairs, const std::uint32_t* order, std::size_t cnt) {
    for (int l = 0; l < L; ++l) {
      mlen[l] = l < static_cast<int>(cnt) ? static_cast<std::int64_t>(pairs[order[l]].query.size()) : 0;
      nlen[l] = l < static_cast<int>(cnt) ? static_cast<std::int64_t>(pairs[order[l]].target.size()) : 0;
      M = mlen[l] > M ? mlen[l] : M;
      N = nlen[l] > N ? nlen[l] : N;
    }
  }
};

// The group's DNA letter classes, interleaved by lane (qv[i * L + l],
// tv[j * L + l]), padded with the ambiguous class.  With a table lookup
// (O::kPermDna) the query carries class * 5 and the score is table[q + t];
// otherwise ambiguous classes get distinct out-of-range codes, never equal.
template <class O>
void encode_dna_lanes(const SequencePair* pairs, const std::uint32_t* order, std::size_t cnt,
                      const LaneGroup<O::L>& g, typename O::T* qv, typename O::T* tv) {
  using T = typename O::T;
  constexpr int L = O::L;
  // Code -> lane value, one table per side (a lookup, no branch per letter:
  // this loop was a tenth of W1's time).
  struct Tables {
    T q[256], t[256];
    constexpr Tables() : q{}, t{} {
      for (int c = 0; c < 256; ++c) {
        const int k = c < 4 ? c : 4;
        q[c] = static_cast<T>(O::kPermDna ? k * 5 : (k == 4 ? 0x40 : k));
        t[c] = static_cast<T>(O::kPermDna ? k : (k == 4 ? 0x50 : k));
      }
    }
  };
  static constexpr Tables tab{};
  for (int l = 0; l < L; ++l) {
    const auto q = l < static_cast<int>(cnt) ? pairs[order[l]].query : std::span<const std::uint8_t>{};
    const auto t = l < static_cast<int>(cnt) ? pairs[order[l]].target : std::span<const std::uint8_t>{};
    std::int64_t i = 0;
    for (; i < g.mlen[l]; ++i) qv[i * L + l] = tab.q[q[i]];
    for (; i < g.M; ++i) qv[i * L + l] = tab.q[4];
    std::int64_t j = 0;
    for (; j < g.nlen[l]; ++j) tv[j * L + l] = tab.t[t[j]];
    for (; j < g.N; ++j) tv[j * L + l] = tab.t[4];
  }
}

}  // namespace
}  // namespace gpualign::cpu
