#pragma once
/// @file align_job.hpp
/// `gpualign align` as a library call: read features and references, align
/// every pair in bounded batches, write the results in input order.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "gpualign/alignment.hpp"
#include "gpualign/alignment_writer.hpp"
#include "gpualign/feature_parser.hpp"
#include "gpualign/scoring.hpp"

namespace gpualign {

/// Everything one alignment run needs, as data.
struct AlignJob {
  std::string reference_path;   ///< FASTA/FASTQ of targets (for features: the indexed genome)
  std::string query_path;       ///< FASTA/FASTQ of features; empty when `features_path` is set
  std::string features_path;    ///< BED or GFF3 coordinates on the reference
  FeatureFormat features_format = FeatureFormat::automatic;
  std::string feature_type;     ///< GFF3 type filter ("gene", "CDS"); empty = all
  Alphabet alphabet = Alphabet::dna;
  std::optional<ScoringScheme> scoring;  ///< default: DNA 2/-3/5/2 or BLOSUM62 11/1
  AlignOptions options;         ///< mode and how much to compute
  bool both_strands = false;    ///< DNA: also align each query's reverse complement (strand '-')
  bool pairs = false;           ///< align query record i with reference record i only
  bool best = false;            ///< keep only the best-scoring target (and strand) per query
  std::string output_path = "-";
  OutputFormat format = OutputFormat::tsv;
  WriterOptions writer;
  std::size_t threads = 0;      ///< 0 = the usable cores
  std::string pool = "thread";  ///< "thread" or "process"
  std::string engine;           ///< "" = best available
  /// Bound on one batch: pairs are gathered until their cells reach this, so
  /// memory and latency stay bounded however large the input is.
  std::uint64_t batch_cells = std::uint64_t{1} << 28;
};

/// Progress of a running job (reported after each batch).
struct AlignProgress {
  std::int64_t queries = 0;     ///< queries read so far
  std::int64_t alignments = 0;  ///< pairs aligned so far
  std::uint64_t cells = 0;      ///< DP cells of those pairs
  double seconds = 0;           ///< since the job started
  /// Share of the query input read when the last written batch was read
  /// (0..1), -1 when unknown (standard input, a pipe).  With `seconds` it
  /// gives an ETA: see eta_seconds().
  double fraction = -1;
};

/// Seconds left by linear extrapolation of `p` (seconds * (1 - f) / f), or
/// -1 when it cannot be told yet: the input size is unknown or less than 1%
/// of it is done.
double eta_seconds(const AlignProgress& p) noexcept;

/// What a finished job did.
struct AlignSummary {
  std::int64_t queries = 0;
  std::int64_t targets = 0;
  std::int64_t alignments = 0;  ///< pairs aligned
  std::int64_t written = 0;     ///< records written (fewer with `best`)
  std::int64_t failed = 0;      ///< pairs whose status is not ok
  std::uint64_t cells = 0;
  double seconds = 0;
};

/// Runs the job.  Bad input raises gpualign::Error naming the file, the
/// record or line and the problem, before or during the run; the output
/// file then does not exist (it is written to a temporary file and renamed
/// only on success).
AlignSummary run_align_job(const AlignJob& job, const std::function<void(const AlignProgress&)>& progress = {});

}  // namespace gpualign
