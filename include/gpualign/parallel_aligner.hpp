#pragma once
/// @file parallel_aligner.hpp
/// Aligns many pairs on a pool of threads or forked processes, in
/// cost-balanced batches under a memory budget, with the best engine there is.
///
///     gpualign::ParallelAligner aligner({.num_workers = 2, .batch_size = 0,
///                                        .pool_type = gpualign::PoolType::process});
///     std::vector<gpualign::Alignment> hits = aligner.align_features(features, reference);

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "gpualign/alignment.hpp"
#include "gpualign/execute_parallel.hpp"
#include "gpualign/scoring.hpp"
#include "gpualign/sequence.hpp"

namespace gpualign {

/// How a ParallelAligner runs.
struct ParallelAlignerConfig {
  /// Concurrent workers; 0 = default_workers(WorkloadKind::cpu_bound).
  std::size_t num_workers = 0;
  /// Pairs per batch; 0 = by feature length as the tuning guide has it
  /// (see ParallelAligner::auto_batch_size()).
  std::size_t batch_size = 0;
  /// Threads or forked worker processes (isolation: a crashing pair fails alone).
  PoolType pool_type = PoolType::thread;
  /// Scoring; DNA 2/-3/5/2 by default.
  ScoringScheme scoring = ScoringScheme::dna();
  /// Mode and how much to compute.
  AlignOptions options{};
  /// Engine name as registered; "" = the best available (best_engine_name()).
  std::string engine{};
  /// Host memory budget in bytes for the batches in flight; 0 = default_memory_budget().
  std::uint64_t memory_budget = 0;
  /// Process pool only: seconds after which a batch is killed and retried,
  /// then failed; 0 = no limit.
  double batch_timeout_s = 0;
};

/// Aligns batches of pairs in parallel; results come back one per pair, in
/// input order.  A pair that cannot be aligned gets its own status
/// (too_large when it alone exceeds the memory budget, failed with a message
/// when its engine threw or its worker process died); the others complete.
class ParallelAligner {
 public:
  /// Checks the configuration (scoring, engine name) and keeps it; throws
  /// gpualign::Error when either is unusable.
  explicit ParallelAligner(ParallelAlignerConfig config = {});

  /// Aligns every feature (as query) against `reference` (as target).
  /// Throws gpualign::Error when a feature's alphabet differs from the
  /// scoring scheme's, or when the run as a whole is interrupted.
  std::vector<Alignment> align_features(std::span<const Sequence> features, const Sequence& reference);

  /// Aligns every pair (query against target).  The sequences must outlive the call.
  std::vector<Alignment> align_pairs(std::span<const SequencePair> pairs);

  /// The configuration in use.
  const ParallelAlignerConfig& config() const noexcept { return config_; }
  /// The engine used: config().engine, or best_engine_name() when that is empty.
  const std::string& engine_name() const noexcept { return engine_; }

  /// The guide's batch size for features of `feature_length` residues:
  /// < 1 kb: 100 down to 50; 1-10 kb: 50 down to 20; > 10 kb: 20 down to 5
  /// (reached at 100 kb), falling linearly with the length inside each band.
  static std::size_t auto_batch_size(std::int64_t feature_length) noexcept;

  /// "cpu" when the SIMD engine is registered, else "reference".  (The CUDA
  /// engine and the dispatcher plug in here later.)
  static std::string best_engine_name();

 private:
  ParallelAlignerConfig config_;
  std::string engine_;
};

namespace detail {

/// Pair indices grouped into ParallelAligner batches, costliest batch first.
struct AlignmentBatches {
  std::vector<std::vector<std::size_t>> batches;  ///< pair indices; each pair in at most one batch
  std::vector<std::size_t> too_large;             ///< pairs whose estimate alone exceeds the budget
};

/// Groups pairs into batches: pairs sorted by cells (|query|*|target|),
/// largest first; a batch closes at `batch_size` pairs (0 = auto_batch_size()
/// of its longest query), at about total cells / (workers * 4), or when its
/// summed `bytes` would pass `capacity`.  Pairs with bytes > capacity are
/// listed in too_large instead.
AlignmentBatches plan_alignment_batches(std::span<const SequencePair> pairs, std::size_t batch_size,
                                        std::size_t workers, std::span<const std::uint64_t> bytes,
                                        std::uint64_t capacity);

}  // namespace detail
}  // namespace gpualign
