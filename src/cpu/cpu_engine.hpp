#pragma once
// The CPU SIMD engine, as registered under "cpu".  This internal header adds
// the knobs tests use to reach every kernel and width on purpose.

#include <cstdint>
#include <memory>

#include "cpu/kernels.hpp"
#include "gpualign/engine.hpp"

namespace gpualign::cpu {

/// Which kernels and widths the engine starts from (tests force each one).
struct Tuning {
  enum class Kernel { automatic, inter, striped };
  Kernel kernel = Kernel::automatic;  ///< inter still needs a DNA scheme; else striped
  int first_width = 0;                ///< 0: by the score bound; 8, 16 or 32: start there
  bool banded = true;                 ///< CIGAR windows over kBandedMinCells: exact banded traceback first
};

/// CIGAR windows with more cells than this (too large for the traceback
/// kernel) go to the exact banded traceback (banded_traceback.hpp), the
/// reference's checkpointed traceback being the fallback.  Their CIGAR is
/// an optimal one, usually but not always the reference's own.
inline constexpr std::int64_t kBandedMinCells = std::int64_t{1} << 18;

/// A CPU engine with the given tuning ("cpu" uses the default).
std::unique_ptr<Engine> make_cpu_engine(Tuning tuning = {});

/// The kernel table of active_simd_level().
const KernelTable& active_kernels();

/// Flattens a scheme for the kernels (DNA class table included when the
/// matrix has the DNA class structure).
KernelParams make_kernel_params(const ScoringScheme& scoring, AlignMode mode);

}  // namespace gpualign::cpu
