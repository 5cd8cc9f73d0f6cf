#pragma once
// Score arithmetic for the kernels: plain 32-bit, or two signed 16-bit lanes
// packed in one 32-bit word (`s16x2`), each lane an independent problem.
//
// On the GPU the packed operations are the DPX intrinsics (__viaddmax_s16x2,
// __vimax3_s16x2: one instruction each on sm_90, emulated by the CUDA headers
// on sm_80).  On the host (CPU tests) emu_* below implement the same
// semantics: per-halfword wrapping add/subtract and signed max.  The kernels
// never rely on wrapping: they keep every value inside int16 and report a
// pair as overflowed (rerun at 32-bit) before a value could leave the range.

#include <cstdint>

#include "hd.hpp"

namespace gpualign::kern {

GPUALIGN_HD std::uint32_t pk(int lo, int hi) {
  return (static_cast<std::uint32_t>(lo) & 0xFFFFu) | (static_cast<std::uint32_t>(hi) << 16);
}
GPUALIGN_HD int pk_lo(std::uint32_t v) { return static_cast<std::int16_t>(static_cast<std::uint16_t>(v & 0xFFFFu)); }
GPUALIGN_HD int pk_hi(std::uint32_t v) { return static_cast<std::int16_t>(static_cast<std::uint16_t>(v >> 16)); }

// Host reference semantics of the packed operations.
GPUALIGN_HD std::uint32_t emu_add2(std::uint32_t a, std::uint32_t b) {
  return pk(pk_lo(a) + pk_lo(b), pk_hi(a) + pk_hi(b));
}
GPUALIGN_HD std::uint32_t emu_sub2(std::uint32_t a, std::uint32_t b) {
  return pk(pk_lo(a) - pk_lo(b), pk_hi(a) - pk_hi(b));
}
GPUALIGN_HD int imax(int a, int b) { return a > b ? a : b; }
GPUALIGN_HD std::uint32_t emu_max2(std::uint32_t a, std::uint32_t b) {
  return pk(imax(pk_lo(a), pk_lo(b)), imax(pk_hi(a), pk_hi(b)));
}
GPUALIGN_HD std::uint32_t emu_max3(std::uint32_t a, std::uint32_t b, std::uint32_t c) {
  return emu_max2(emu_max2(a, b), c);
}
// max(a + b, c) per halfword, the add wrapping (as add.s16x2 does).
GPUALIGN_HD std::uint32_t emu_addmax(std::uint32_t a, std::uint32_t b, std::uint32_t c) {
  return emu_max2(emu_add2(a, b), c);
}

GPUALIGN_HD std::uint32_t add2(std::uint32_t a, std::uint32_t b) {
#if defined(__CUDA_ARCH__)
  return __vadd2(a, b);
#else
  return emu_add2(a, b);
#endif
}
GPUALIGN_HD std::uint32_t sub2(std::uint32_t a, std::uint32_t b) {
#if defined(__CUDA_ARCH__)
  return __vsub2(a, b);
#else
  return emu_sub2(a, b);
#endif
}
GPUALIGN_HD std::uint32_t max2(std::uint32_t a, std::uint32_t b) {
#if defined(__CUDA_ARCH__)
  return __vmaxs2(a, b);
#else
  return emu_max2(a, b);
#endif
}
GPUALIGN_HD std::uint32_t max3(std::uint32_t a, std::uint32_t b, std::uint32_t c) {
#if defined(__CUDA_ARCH__)
  return __vimax3_s16x2(a, b, c);
#else
  return emu_max3(a, b, c);
#endif
}
GPUALIGN_HD std::uint32_t addmax(std::uint32_t a, std::uint32_t b, std::uint32_t c) {
#if defined(__CUDA_ARCH__)
  return __viaddmax_s16x2(a, b, c);
#else
  return emu_addmax(a, b, c);
#endif
}

// Byte permute with sign replication (PTX prmt.b32, default mode): byte k
// of the result is byte (sel >> 4k) & 7 of the pair {b, a} (a holds bytes
// 0-3, b bytes 4-7) or, when bit 3 of that nibble is set, that byte's sign
// bit copied to all 8 bits.  (__byte_perm ignores bit 3, hence the PTX.)
GPUALIGN_HD std::uint32_t emu_prmt(std::uint32_t a, std::uint32_t b, std::uint32_t sel) {
  const std::uint64_t src = static_cast<std::uint64_t>(a) | (static_cast<std::uint64_t>(b) << 32);
  std::uint32_t r = 0;
  for (int k = 0; k < 4; ++k) {
    const unsigned n = (sel >> (4 * k)) & 15u;
    std::uint32_t byte = static_cast<std::uint32_t>(src >> (8 * (n & 7u))) & 0xFFu;
    if (n & 8u) byte = (byte & 0x80u) ? 0xFFu : 0u;
    r |= byte << (8 * k);
  }
  return r;
}
GPUALIGN_HD std::uint32_t prmt(std::uint32_t a, std::uint32_t b, std::uint32_t sel) {
#if defined(__CUDA_ARCH__)
  std::uint32_t r;
  asm("prmt.b32 %0, %1, %2, %3;" : "=r"(r) : "r"(a), "r"(b), "r"(sel));
  return r;
#else
  return emu_prmt(a, b, sel);
#endif
}

/// Plain 32-bit scores: one problem per register.
struct OpsI32 {
  using V = std::int32_t;
  static constexpr int kLanes = 1;
  GPUALIGN_HD static V add(V a, V b) { return a + b; }
  GPUALIGN_HD static V sub(V a, V b) { return a - b; }
  GPUALIGN_HD static V max(V a, V b) { return a > b ? a : b; }
  GPUALIGN_HD static V max3(V a, V b, V c) { return max(max(a, b), c); }
  GPUALIGN_HD static V addmax(V a, V b, V c) { return max(a + b, c); }
  GPUALIGN_HD static V make(int lo, int /*hi*/) { return lo; }
  GPUALIGN_HD static int get(V v, int /*lane*/) { return v; }
  GPUALIGN_HD static std::uint32_t bits(V v) { return static_cast<std::uint32_t>(v); }
  GPUALIGN_HD static V from_bits(std::uint32_t b) { return static_cast<V>(b); }
};

/// Two 16-bit problems per register (DPX on sm_90).
struct OpsS16x2 {
  using V = std::uint32_t;
  static constexpr int kLanes = 2;
  GPUALIGN_HD static V add(V a, V b) { return add2(a, b); }
  GPUALIGN_HD static V sub(V a, V b) { return sub2(a, b); }
  GPUALIGN_HD static V max(V a, V b) { return max2(a, b); }
  GPUALIGN_HD static V max3(V a, V b, V c) { return kern::max3(a, b, c); }
  GPUALIGN_HD static V addmax(V a, V b, V c) { return kern::addmax(a, b, c); }
  GPUALIGN_HD static V make(int lo, int hi) { return pk(lo, hi); }
  GPUALIGN_HD static int get(V v, int lane) { return lane == 0 ? pk_lo(v) : pk_hi(v); }
  GPUALIGN_HD static std::uint32_t bits(V v) { return v; }
  GPUALIGN_HD static V from_bits(std::uint32_t b) { return b; }
};

}  // namespace gpualign::kern
