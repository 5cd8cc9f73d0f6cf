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

}  // namespace
}  // namespace gpualign::cpu
