#pragma once
/// @file reference_aligner.hpp
/// The exact scalar reference aligner: the oracle every engine is tested against.

#include "gpualign/alignment.hpp"
#include "gpualign/scoring.hpp"
#include "gpualign/sequence.hpp"

namespace gpualign {

/// Aligns one pair exactly with Gotoh's affine-gap recurrences.
///
/// - Score-only (`AlignOutput::score_end`) uses O(min(m, n)) memory.
/// - Begin positions come from a reverse pass over the prefix ending at the
///   end cell; the CIGAR from a checkpointed traceback of the [begin, end)
///   window that keeps O((m + n) * sqrt(m)) cells, never m * n.
/// - Scores are computed in 32-bit when score_bound() allows, else 64-bit,
///   so they never overflow.
/// - Ties among equal end cells follow parasail's scalar functions: local
///   takes the smallest target end, then the smallest query end; semi-global
///   the smallest target end in the last query row.
///
/// Empty sequences are allowed: a local alignment then scores 0 at (0, 0).
Alignment reference_align(const SequencePair& pair, const ScoringScheme& scoring,
                          const AlignOptions& options);

}  // namespace gpualign
