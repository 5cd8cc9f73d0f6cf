#pragma once
/// @file cpu_features.hpp
/// SIMD levels of the CPU engine: which one the processor allows, which one
/// is in use, and how to force a lower one for testing.

#include <string_view>
#include <vector>

namespace gpualign {

/// Instruction-set levels the CPU engine has kernels for, lowest first.
enum class SimdLevel : int {
  scalar = 0,  ///< portable C++, any machine (the only level off x86-64)
  sse41 = 1,   ///< SSE4.1, 128-bit vectors
  avx2 = 2,    ///< AVX2, 256-bit vectors
  avx512 = 3,  ///< AVX-512BW, 512-bit vectors
};

/// The best level this processor (and this build) supports.
SimdLevel detected_simd_level() noexcept;

/// The level the CPU engine uses now: the detected one, lowered by the
/// environment variable GPUALIGN_SIMD (scalar|sse41|avx2|avx512) when set,
/// or by force_simd_level().  Never above detected_simd_level().
SimdLevel active_simd_level() noexcept;

/// Forces the CPU engine to `level` (clamped to detected_simd_level()) for
/// the whole process, overriding GPUALIGN_SIMD; returns the level in effect.
/// Meant for tests and benchmarks; engines read it at each align() call.
SimdLevel force_simd_level(SimdLevel level) noexcept;

/// Undoes force_simd_level(): back to GPUALIGN_SIMD or the detected level.
void reset_simd_level() noexcept;

/// Every level up to detected_simd_level(), lowest first: what tests run.
std::vector<SimdLevel> supported_simd_levels();

/// "scalar", "sse41", "avx2", "avx512".
std::string_view to_string(SimdLevel level) noexcept;

/// Parses the names above (also "sse4.1", "avx512bw", "none"); throws
/// gpualign::Error on anything else.
SimdLevel parse_simd_level(std::string_view name);

}  // namespace gpualign
