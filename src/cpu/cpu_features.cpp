// Runtime detection of the SIMD level, and the GPUALIGN_SIMD / force override.
// Detection asks the compiler's CPU model (__builtin_cpu_supports), which
// also checks that the OS saves the wide registers.

#include "gpualign/cpu_features.hpp"

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cstdlib>
#include <string>

#include "cpu/kernels.hpp"
#include "gpualign/error.hpp"

namespace gpualign {
namespace {

// The CPU's level, lowered to the best level this build has kernels for
// (a kernel table is only asked for once the CPU is known to run it).
SimdLevel detect() noexcept {
#if (defined(__x86_64__) || defined(__i386__)) && (defined(__GNUC__) || defined(__clang__))
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") && cpu::kernels_avx512())
    return SimdLevel::avx512;
  if (__builtin_cpu_supports("avx2") && cpu::kernels_avx2()) return SimdLevel::avx2;
  if (__builtin_cpu_supports("sse4.1") && cpu::kernels_sse41()) return SimdLevel::sse41;
#endif
  return SimdLevel::scalar;
}

// -1: no forced level.
std::atomic<int> g_forced{-1};

SimdLevel from_env(SimdLevel detected) noexcept {
  const char* env = std::getenv("GPUALIGN_SIMD");
  if (!env || !*env) return detected;
  try {
    return std::min(parse_simd_level(env), detected);
  } catch (...) {
    return detected;  // an unknown name does not stop the program; `info` shows the level in use
  }
}

}  // namespace

SimdLevel detected_simd_level() noexcept {
  static const SimdLevel level = detect();
  return level;
}

SimdLevel active_simd_level() noexcept {
  const int forced = g_forced.load(std::memory_order_relaxed);
  if (forced >= 0) return static_cast<SimdLevel>(forced);
  static const SimdLevel env_level = from_env(detected_simd_level());
  return env_level;
}

SimdLevel force_simd_level(SimdLevel level) noexcept {
  const SimdLevel l = std::min(level, detected_simd_level());
  g_forced.store(static_cast<int>(l), std::memory_order_relaxed);
  return l;
}

void reset_simd_level() noexcept { g_forced.store(-1, std::memory_order_relaxed); }

std::vector<SimdLevel> supported_simd_levels() {
  std::vector<SimdLevel> v;
  for (int l = 0; l <= static_cast<int>(detected_simd_level()); ++l) v.push_back(static_cast<SimdLevel>(l));
  return v;
}

std::string_view to_string(SimdLevel level) noexcept {
  switch (level) {
    case SimdLevel::scalar: return "scalar";
    case SimdLevel::sse41: return "sse41";
    case SimdLevel::avx2: return "avx2";
    case SimdLevel::avx512: return "avx512";
  }
  return "scalar";
}

SimdLevel parse_simd_level(std::string_view name) {
  std::string s;
  for (char c : name) s += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (s == "scalar" || s == "none" || s == "generic") return SimdLevel::scalar;
  if (s == "sse41" || s == "sse4.1" || s == "sse4_1" || s == "sse") return SimdLevel::sse41;
  if (s == "avx2") return SimdLevel::avx2;
  if (s == "avx512" || s == "avx512bw" || s == "avx-512") return SimdLevel::avx512;
  throw Error("unknown SIMD level '" + std::string(name) + "' (expected scalar, sse41, avx2 or avx512)");
}

}  // namespace gpualign
