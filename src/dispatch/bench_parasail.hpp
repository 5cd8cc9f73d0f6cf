#pragma once
// parasail as a benchmark peer: its striped, saturation-checked functions
// (8-bit, then 16, then 32 when a score overflows) on the same pairs.
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "gpualign/alignment.hpp"
#include "gpualign/scoring.hpp"
#include "gpualign/sequence.hpp"

namespace gpualign::detail {

/// Whether parasail was linked into this build.
bool parasail_linked() noexcept;

/// One timed parasail pass over a batch.
struct ParasailRun {
  std::string function;               ///< e.g. "sw_striped_sat"
  double seconds = 0;                 ///< the alignment calls only (not the text conversion)
  std::vector<std::int64_t> scores;   ///< one per pair
};

/// Aligns every pair on the calling thread with parasail's function for
/// `options` (sw / nw / sg_dx, _trace with a CIGAR).  Throws gpualign::Error
/// when parasail is not linked.
ParasailRun run_parasail(std::span<const SequencePair> pairs, const ScoringScheme& scoring,
                         const AlignOptions& options);

}  // namespace gpualign::detail
