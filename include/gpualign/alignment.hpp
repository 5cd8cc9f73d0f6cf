#pragma once
/// @file alignment.hpp
/// Alignment modes, options and results.

#include <cstdint>
#include <string>
#include <string_view>

#include "gpualign/cigar.hpp"

namespace gpualign {

/// Which alignment problem to solve.
enum class AlignMode : std::uint8_t {
  local,        ///< Smith-Waterman: best-scoring pair of substrings
  global,       ///< Needleman-Wunsch: both sequences end to end
  semi_global,  ///< query end to end, leading and trailing target gaps free (parasail sg_dx)
};

/// How much of the result to compute.  Each level includes the ones above.
enum class AlignOutput : std::uint8_t {
  score_end,  ///< score and end positions only: one forward pass
  begin_end,  ///< plus begin positions: a reverse pass over the prefix
  cigar,      ///< plus the CIGAR: a traceback inside the [begin, end) window
};

/// Options of one alignment run, as data.
struct AlignOptions {
  AlignMode mode = AlignMode::local;
  AlignOutput output = AlignOutput::cigar;
};

/// Per-pair outcome; one pair that fails does not fail its batch.
enum class AlignStatus : std::uint8_t {
  ok,         ///< every requested field is valid
  too_large,  ///< the pair fits no memory budget of any engine
  failed,     ///< the engine or its worker failed on this pair (see message)
};

/// Result of aligning one pair.  Coordinates are 0-based, half-open.
struct Alignment {
  AlignStatus status = AlignStatus::ok;
  std::string message;       ///< why, when status != ok
  std::int64_t score = 0;
  std::int64_t qbeg = 0;     ///< valid when output >= begin_end
  std::int64_t qend = 0;
  std::int64_t tbeg = 0;     ///< valid when output >= begin_end
  std::int64_t tend = 0;
  bool has_begin = false;    ///< qbeg/tbeg were computed
  Cigar cigar;               ///< filled when output == cigar

  /// Fraction of alignment columns that are `=`; 0 without a CIGAR.
  double identity() const noexcept {
    const auto cols = cigar.columns();
    return cols ? static_cast<double>(cigar.matches()) / static_cast<double>(cols) : 0.0;
  }
  /// Number of alignment columns (= X I D); 0 without a CIGAR.
  std::int64_t length() const noexcept { return cigar.columns(); }
};

/// "local", "global", "semi-global".
std::string_view to_string(AlignMode m) noexcept;
/// Parses the names above (also "semi_global", "sw", "nw", "sg").  Throws
/// gpualign::Error on anything else.
AlignMode parse_align_mode(std::string_view name);

}  // namespace gpualign
