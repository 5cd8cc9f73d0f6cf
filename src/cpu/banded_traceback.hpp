#pragma once
// Exact banded traceback of a global window whose optimum is already known.
// Internal to the cpu module (not a public header).

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "gpualign/cigar.hpp"
#include "gpualign/scoring.hpp"

namespace gpualign::cpu {

/// Buffers reused from one window to the next (one per engine, not shared
/// between threads).
struct BandedScratch {
  std::vector<std::int32_t> H, F;    ///< one row over the whole target, indexed by column
  std::vector<std::uint8_t> dir;     ///< direction bits of the band, row after row
  std::vector<std::int64_t> off;     ///< offset of each row's band in `dir`
  std::vector<std::int64_t> lo, hi;  ///< each row's band, columns [lo, hi]
  std::int64_t last_width = 0;       ///< band half-width w of the last banded pass (tests check doubling)
};

/// Default cap on the direction bytes of one band (beyond it the caller falls
/// back to the reference's checkpointed traceback).
inline constexpr std::size_t kBandedMaxBytes = std::size_t{256} << 20;

/// Globally aligns `a` (rows) against `b` (columns) inside a band around the
/// straight line from (0,0) to (|a|,|b|), doubling the band from `first_width`
/// until the banded optimum reaches `score`, the known global optimum of the
/// window; the traced path is then an optimal alignment (exact, no
/// heuristic).  Same recurrences and tie preferences as the reference
/// traceback (diagonal, then I, then D; extension on ties).  Writes `cigar`
/// and returns true; returns false, leaving `cigar` unspecified, when the band
/// would need more than `max_bytes`, when 32-bit scores could overflow, or
/// when even the whole matrix does not reach `score` (a caller's error).
bool banded_traceback(std::span<const std::uint8_t> a, std::span<const std::uint8_t> b, const ScoringScheme& sc,
                      std::int64_t score, Cigar& cigar, BandedScratch& scratch,
                      std::size_t max_bytes = kBandedMaxBytes, std::int64_t first_width = 64);

}  // namespace gpualign::cpu
