#pragma once
/// @file workloads.hpp
/// DESIGN.md's benchmark workloads, generated deterministically from a seed.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "gpualign/scoring.hpp"
#include "gpualign/sequence.hpp"

namespace gpualign {

/// A batch of pairs to align: query i against target i.
struct Workload {
  std::string name;               ///< "W1", "W2", "W3" or "P1"
  std::string description;        ///< what it stands for
  ScoringScheme scoring;          ///< DNA defaults, or BLOSUM62 11/1 for P1
  std::vector<Sequence> queries;  ///< features: copies of the target's middle with ~10% divergence
  std::vector<Sequence> targets;  ///< the copied region with random flanks

  /// Views of every pair (valid while the workload lives).
  std::vector<SequencePair> pairs() const;
  /// Sum of |query| * |target|.
  std::uint64_t cells() const;
};

/// Builds a workload: W1 many-small (20,000 pairs, 150-300 x 300-600),
/// W2 medium (2,000, 1-10 kb x 2-20 kb), W3 large (20, 10-20 kb x 50-100 kb),
/// P1 protein (5,000, 100-500 x 100-1,000 aa).  `scale` multiplies the pair
/// count (at least one pair); lengths never change.  The same name, seed and
/// scale always give the same sequences.  Throws gpualign::Error for an
/// unknown name.
Workload make_workload(std::string_view name, std::uint64_t seed = 1, double scale = 1.0);

/// "W1", "W2", "W3", "P1".
std::vector<std::string> workload_names();

}  // namespace gpualign
