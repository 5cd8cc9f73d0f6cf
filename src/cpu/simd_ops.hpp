#pragma once
// Vector operations the kernel templates are written against, one struct per
// (instruction set, element type).  Each struct is only defined when the
// translation unit is compiled for its instruction set (__AVX2__ etc.), and
// all of them live in an anonymous namespace so that code built with wide
// instructions is never shared (ODR-merged) with code for older CPUs.
//
// The 8- and 16-bit operations saturate; the 32-bit ones wrap, and the engine
// only uses them when score_bound() keeps every value far from the limits.
//
// Interface of Ops:  T (lane type), V (vector), M (lane mask), L (lanes),
// load/store/set1, mask_store(p, m, v) (lanes of m only), add/sub/max, subw (sub that wraps, never
// saturates: for values the caller knows stay in range; AVX-512 runs it on two ports, the saturating
// one on one), gt/eq -> M, blend(m, a, b) = b where m,
// any(m), bits(m) (one bit per lane), mor, vor, shift_in(v, x) (lane p takes
// lane p-1, lane 0 takes x), shift_by(v, s, x) (lane p takes lane p-s, lanes
// below s take x; 1 <= s < L), hmax(v) (the largest lane), last(v) (lane L-1), and kPermDna/perm_dna for a 32-entry table lookup.

#include <cstdint>
#include <cstring>
#include <limits>
#include <type_traits>

#if defined(__SSE4_1__) || defined(__AVX2__) || defined(__AVX512BW__)
#include <immintrin.h>
#endif

namespace gpualign::cpu {
namespace {

template <class T>
inline T sat_cast(int v) {
  if constexpr (sizeof(T) >= 4) {
    return static_cast<T>(v);
  } else {
    const int lo = std::numeric_limits<T>::min(), hi = std::numeric_limits<T>::max();
    return static_cast<T>(v < lo ? lo : (v > hi ? hi : v));
  }
}

// One lane: the portable path (and any non-x86 machine).
template <class Tp>
struct ScalarOps {
  using T = Tp;
  using V = Tp;
  using M = bool;
  static constexpr int L = 1;
  static constexpr bool kPermDna = false;
  static V load(const T* p) { return *p; }
  static void store(T* p, V v) { *p = v; }
  static void mask_store(T* p, M m, V v) {
    if (m) *p = v;
  }
  static V set1(T x) { return x; }
  static V add(V a, V b) {
    if constexpr (sizeof(T) >= 4) return static_cast<T>(static_cast<std::uint32_t>(a) + static_cast<std::uint32_t>(b));
    else return sat_cast<T>(int(a) + int(b));
  }
  static V sub(V a, V b) {
    if constexpr (sizeof(T) >= 4) return static_cast<T>(static_cast<std::uint32_t>(a) - static_cast<std::uint32_t>(b));
    else return sat_cast<T>(int(a) - int(b));
  }
  static V subw(V a, V b) { return static_cast<T>(static_cast<std::uint32_t>(a) - static_cast<std::uint32_t>(b)); }
  static V max(V a, V b) { return a > b ? a : b; }
  static V vor(V a, V b) { return static_cast<T>(a | b); }
  static M gt(V a, V b) { return a > b; }
  static M eq(V a, V b) { return a == b; }
  static M mor(M a, M b) { return a || b; }
  static V blend(M m, V a, V b) { return m ? b : a; }
  static bool any(M m) { return m; }
  static std::uint64_t bits(M m) { return m ? 1u : 0u; }
  static V shift_in(V, T x) { return x; }
  static V shift_by(V, int, T x) { return x; }
  static T hmax(V v) { return v; }
  static T last(V v) { return v; }
  static V perm_dna(V, V) { return 0; }
};

#if defined(__SSE4_1__)
template <class Tp>
struct Sse41Ops {
  using T = Tp;
  using V = __m128i;
  using M = __m128i;
  static constexpr int L = 16 / sizeof(T);
  static constexpr bool kPermDna = false;
  static V load(const T* p) { return _mm_loadu_si128(reinterpret_cast<const __m128i*>(p)); }
  static void store(T* p, V v) { _mm_storeu_si128(reinterpret_cast<__m128i*>(p), v); }
  static void mask_store(T* p, M m, V v) { store(p, _mm_blendv_epi8(load(p), v, m)); }
  static V set1(T x) {
    if constexpr (sizeof(T) == 1) return _mm_set1_epi8(x);
    else if constexpr (sizeof(T) == 2) return _mm_set1_epi16(x);
    else return _mm_set1_epi32(x);
  }
  static V add(V a, V b) {
    if constexpr (sizeof(T) == 1) return _mm_adds_epi8(a, b);
    else if constexpr (sizeof(T) == 2) return _mm_adds_epi16(a, b);
    else return _mm_add_epi32(a, b);
  }
  static V sub(V a, V b) {
    if constexpr (sizeof(T) == 1) return _mm_subs_epi8(a, b);
    else if constexpr (sizeof(T) == 2) return _mm_subs_epi16(a, b);
    else return _mm_sub_epi32(a, b);
  }
  static V subw(V a, V b) {
    if constexpr (sizeof(T) == 1) return _mm_sub_epi8(a, b);
    else if constexpr (sizeof(T) == 2) return _mm_sub_epi16(a, b);
    else return _mm_sub_epi32(a, b);
  }
  static V max(V a, V b) {
    if constexpr (sizeof(T) == 1) return _mm_max_epi8(a, b);
    else if constexpr (sizeof(T) == 2) return _mm_max_epi16(a, b);
    else return _mm_max_epi32(a, b);
  }
  static V vor(V a, V b) { return _mm_or_si128(a, b); }
  static M gt(V a, V b) {
    if constexpr (sizeof(T) == 1) return _mm_cmpgt_epi8(a, b);
    else if constexpr (sizeof(T) == 2) return _mm_cmpgt_epi16(a, b);
    else return _mm_cmpgt_epi32(a, b);
  }
  static M eq(V a, V b) {
    if constexpr (sizeof(T) == 1) return _mm_cmpeq_epi8(a, b);
    else if constexpr (sizeof(T) == 2) return _mm_cmpeq_epi16(a, b);
    else return _mm_cmpeq_epi32(a, b);
  }
  static M mor(M a, M b) { return _mm_or_si128(a, b); }
  static V blend(M m, V a, V b) { return _mm_blendv_epi8(a, b, m); }
  static bool any(M m) { return !_mm_testz_si128(m, m); }
  static std::uint64_t bits(M m) {
    const unsigned b = static_cast<unsigned>(_mm_movemask_epi8(m));
    if constexpr (sizeof(T) == 1) return b;
    std::uint64_t r = 0;
    for (int l = 0; l < L; ++l) r |= static_cast<std::uint64_t>((b >> (l * sizeof(T))) & 1u) << l;
    return r;
  }
  static V shift_in(V v, T x) {
    const V s = _mm_slli_si128(v, sizeof(T));
    if constexpr (sizeof(T) == 1) return _mm_insert_epi8(s, x, 0);
    else if constexpr (sizeof(T) == 2) return _mm_insert_epi16(s, x, 0);
    else return _mm_insert_epi32(s, x, 0);
  }
  static V shift_by(V v, int s, T x) {
    for (int k = 0; k < s; ++k) v = shift_in(v, x);
    return v;
  }
  static T hmax(V v) {
    alignas(64) T b[L];
    store(b, v);
    T r = b[0];
    for (int l = 1; l < L; ++l) r = b[l] > r ? b[l] : r;
    return r;
  }
  static T last(V v) {
    alignas(64) T b[L];
    store(b, v);
    return b[L - 1];
  }
  static V perm_dna(V, V) { return _mm_setzero_si128(); }
};
#endif

#if defined(__AVX2__)
template <class Tp>
struct Avx2Ops {
  using T = Tp;
  using V = __m256i;
  using M = __m256i;
  static constexpr int L = 32 / sizeof(T);
  static constexpr bool kPermDna = false;
  static V load(const T* p) { return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p)); }
  static void store(T* p, V v) { _mm256_storeu_si256(reinterpret_cast<__m256i*>(p), v); }
  static void mask_store(T* p, M m, V v) { store(p, _mm256_blendv_epi8(load(p), v, m)); }
  static V set1(T x) {
    if constexpr (sizeof(T) == 1) return _mm256_set1_epi8(x);
    else if constexpr (sizeof(T) == 2) return _mm256_set1_epi16(x);
    else return _mm256_set1_epi32(x);
  }
  static V add(V a, V b) {
    if constexpr (sizeof(T) == 1) return _mm256_adds_epi8(a, b);
    else if constexpr (sizeof(T) == 2) return _mm256_adds_epi16(a, b);
    else return _mm256_add_epi32(a, b);
  }
  static V sub(V a, V b) {
    if constexpr (sizeof(T) == 1) return _mm256_subs_epi8(a, b);
    else if constexpr (sizeof(T) == 2) return _mm256_subs_epi16(a, b);
    else return _mm256_sub_epi32(a, b);
  }
  static V subw(V a, V b) {
    if constexpr (sizeof(T) == 1) return _mm256_sub_epi8(a, b);
    else if constexpr (sizeof(T) == 2) return _mm256_sub_epi16(a, b);
    else return _mm256_sub_epi32(a, b);
  }
  static V max(V a, V b) {
    if constexpr (sizeof(T) == 1) return _mm256_max_epi8(a, b);
    else if constexpr (sizeof(T) == 2) return _mm256_max_epi16(a, b);
    else return _mm256_max_epi32(a, b);
  }
  static V vor(V a, V b) { return _mm256_or_si256(a, b); }
  static M gt(V a, V b) {
    if constexpr (sizeof(T) == 1) return _mm256_cmpgt_epi8(a, b);
    else if constexpr (sizeof(T) == 2) return _mm256_cmpgt_epi16(a, b);
    else return _mm256_cmpgt_epi32(a, b);
  }
  static M eq(V a, V b) {
    if constexpr (sizeof(T) == 1) return _mm256_cmpeq_epi8(a, b);
    else if constexpr (sizeof(T) == 2) return _mm256_cmpeq_epi16(a, b);
    else return _mm256_cmpeq_epi32(a, b);
  }
  static M mor(M a, M b) { return _mm256_or_si256(a, b); }
  static V blend(M m, V a, V b) { return _mm256_blendv_epi8(a, b, m); }
  static bool any(M m) { return !_mm256_testz_si256(m, m); }
  static std::uint64_t bits(M m) {
    const unsigned b = static_cast<unsigned>(_mm256_movemask_epi8(m));
    if constexpr (sizeof(T) == 1) return b;
    std::uint64_t r = 0;
    for (int l = 0; l < L; ++l) r |= static_cast<std::uint64_t>((b >> (l * sizeof(T))) & 1u) << l;
    return r;
  }
  static V shift_in(V v, T x) {
    // [0 | low half] then a byte shift across the two 128-bit halves.
    const V t = _mm256_permute2x128_si256(v, v, 0x08);
    const V s = _mm256_alignr_epi8(v, t, 16 - sizeof(T));
    if constexpr (sizeof(T) == 1) return _mm256_insert_epi8(s, x, 0);
    else if constexpr (sizeof(T) == 2) return _mm256_insert_epi16(s, x, 0);
    else return _mm256_insert_epi32(s, x, 0);
  }
  static V shift_by(V v, int s, T x) {
    for (int k = 0; k < s; ++k) v = shift_in(v, x);
    return v;
  }
  static T hmax(V v) {
    alignas(64) T b[L];
    store(b, v);
    T r = b[0];
    for (int l = 1; l < L; ++l) r = b[l] > r ? b[l] : r;
    return r;
  }
  static T last(V v) {
    alignas(64) T b[L];
    store(b, v);
    return b[L - 1];
  }
  static V perm_dna(V, V) { return _mm256_setzero_si256(); }
};
#endif

#if defined(__AVX512BW__)
template <class Tp>
struct Avx512Ops {
  using T = Tp;
  using V = __m512i;
  using M = std::conditional_t<sizeof(Tp) == 1, __mmask64, std::conditional_t<sizeof(Tp) == 2, __mmask32, __mmask16>>;
  static constexpr int L = 64 / sizeof(T);
  // 16-bit lanes: vpermw looks a score up in a 32-entry table in one step.
  static constexpr bool kPermDna = sizeof(T) == 2;
  static V load(const T* p) { return _mm512_loadu_si512(p); }
  static void store(T* p, V v) { _mm512_storeu_si512(p, v); }
  static void mask_store(T* p, M m, V v) {
    if constexpr (sizeof(T) == 1) _mm512_mask_storeu_epi8(p, m, v);
    else if constexpr (sizeof(T) == 2) _mm512_mask_storeu_epi16(p, m, v);
    else _mm512_mask_storeu_epi32(p, m, v);
  }
  static V set1(T x) {
    if constexpr (sizeof(T) == 1) return _mm512_set1_epi8(x);
    else if constexpr (sizeof(T) == 2) return _mm512_set1_epi16(x);
    else return _mm512_set1_epi32(x);
  }
  static V add(V a, V b) {
    if constexpr (sizeof(T) == 1) return _mm512_adds_epi8(a, b);
    else if constexpr (sizeof(T) == 2) return _mm512_adds_epi16(a, b);
    else return _mm512_add_epi32(a, b);
  }
  static V sub(V a, V b) {
    if constexpr (sizeof(T) == 1) return _mm512_subs_epi8(a, b);
    else if constexpr (sizeof(T) == 2) return _mm512_subs_epi16(a, b);
    else return _mm512_sub_epi32(a, b);
  }
  static V subw(V a, V b) {
    if constexpr (sizeof(T) == 1) return _mm512_sub_epi8(a, b);
    else if constexpr (sizeof(T) == 2) return _mm512_sub_epi16(a, b);
    else return _mm512_sub_epi32(a, b);
  }
  static V max(V a, V b) {
    if constexpr (sizeof(T) == 1) return _mm512_max_epi8(a, b);
    else if constexpr (sizeof(T) == 2) return _mm512_max_epi16(a, b);
    else return _mm512_max_epi32(a, b);
  }
  static V vor(V a, V b) { return _mm512_or_si512(a, b); }
  static M gt(V a, V b) {
    if constexpr (sizeof(T) == 1) return _mm512_cmpgt_epi8_mask(a, b);
    else if constexpr (sizeof(T) == 2) return _mm512_cmpgt_epi16_mask(a, b);
    else return _mm512_cmpgt_epi32_mask(a, b);
  }
  static M eq(V a, V b) {
    if constexpr (sizeof(T) == 1) return _mm512_cmpeq_epi8_mask(a, b);
    else if constexpr (sizeof(T) == 2) return _mm512_cmpeq_epi16_mask(a, b);
    else return _mm512_cmpeq_epi32_mask(a, b);
  }
  static M mor(M a, M b) { return static_cast<M>(a | b); }
  static V blend(M m, V a, V b) {
    if constexpr (sizeof(T) == 1) return _mm512_mask_blend_epi8(m, a, b);
    else if constexpr (sizeof(T) == 2) return _mm512_mask_blend_epi16(m, a, b);
    else return _mm512_mask_blend_epi32(m, a, b);
  }
  static bool any(M m) { return m != 0; }
  static std::uint64_t bits(M m) { return static_cast<std::uint64_t>(m); }
  static V shift_in(V v, T x) {
    // 128-bit blocks [0, v0, v1, v2], then a byte shift across blocks.
    const V prev = _mm512_maskz_shuffle_i64x2(0xFC, v, v, _MM_SHUFFLE(2, 1, 0, 0));
    const V s = _mm512_alignr_epi8(v, prev, 16 - sizeof(T));
    if constexpr (sizeof(T) == 1) return _mm512_mask_set1_epi8(s, 1, x);
    else if constexpr (sizeof(T) == 2) return _mm512_mask_set1_epi16(s, 1, x);
    else return _mm512_mask_set1_epi32(s, 1, x);
  }
  static V shift_by(V v, int s, T x) {
    if constexpr (sizeof(T) == 1) {
      for (int k = 0; k < s; ++k) v = shift_in(v, x);
      return v;
    } else if constexpr (sizeof(T) == 2) {
      const V idx = _mm512_sub_epi16(_mm512_set_epi16(31, 30, 29, 28, 27, 26, 25, 24, 23, 22, 21, 20, 19, 18, 17, 16, 15,
                                                      14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0),
                                     _mm512_set1_epi16(static_cast<short>(s)));
      return _mm512_mask_permutexvar_epi16(set1(x), static_cast<__mmask32>(~0u << s), idx, v);
    } else {
      const V idx = _mm512_sub_epi32(_mm512_set_epi32(15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0),
                                     _mm512_set1_epi32(s));
      return _mm512_mask_permutexvar_epi32(set1(x), static_cast<__mmask16>(0xFFFFu << s), idx, v);
    }
  }
  static T hmax(V v) {
    // Halve the span each step: 256-bit halves, 128-bit quarters, then
    // within 128 bits by 64, 32, 16 and 8.
    v = max(v, _mm512_shuffle_i64x2(v, v, 0x4E));
    v = max(v, _mm512_shuffle_i64x2(v, v, 0xB1));
    v = max(v, _mm512_shuffle_epi32(v, static_cast<_MM_PERM_ENUM>(0x4E)));
    v = max(v, _mm512_shuffle_epi32(v, static_cast<_MM_PERM_ENUM>(0xB1)));
    if constexpr (sizeof(T) <= 2) v = max(v, _mm512_srli_epi32(v, 16));
    if constexpr (sizeof(T) == 1) v = max(v, _mm512_srli_epi16(v, 8));
    return static_cast<T>(_mm_cvtsi128_si32(_mm512_castsi512_si128(v)));
  }
  static T last(V v) {
    alignas(64) T b[L];
    store(b, v);
    return b[L - 1];
  }
  static V perm_dna(V idx, V table) { return _mm512_permutexvar_epi16(idx, table); }
};
#endif

}  // namespace
}  // namespace gpualign::cpu
