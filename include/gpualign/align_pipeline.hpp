#pragma once
/// @file align_pipeline.hpp
/// run_align_job() as a streaming pipeline with its knobs: read -> align ->
/// write stages on a HierarchicalExecutor joined by bounded queues (memory
/// stays flat however large the input), the dispatcher choosing each
/// batch's backend, and an optional timeline of the run.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>

#include "gpualign/align_job.hpp"

namespace gpualign {

/// How run_align_pipeline() runs (what AlignJob does not say).
struct PipelineOptions {
  /// "auto" (the cost model decides per batch), "cpu", "gpu", "serial",
  /// "threads", "processes" or "hybrid"; see parse_backend().  A job whose
  /// `engine` is "cuda" forces "gpu".
  std::string backend = "auto";
  /// When not empty: the run's timeline in Chrome trace-event JSON (stages,
  /// batches, the engine of each, waits on the queues) is written here, and
  /// the stage graph in Graphviz DOT to this path + ".dot".
  std::string trace_path;
  /// Calibration profile for the cost model; "" = load_profile_or_default().
  std::string profile_path;
  /// Batches allowed to wait between two stages (>= 1).
  std::size_t queue_depth = 2;
  /// Host memory budget in bytes for the alignment work; 0 = default_memory_budget().
  std::uint64_t memory_budget = 0;
};

/// Runs `job` as a pipeline: one task reads queries and forms batches of
/// about job.batch_cells cells, one aligns each batch through a Dispatcher,
/// one writes the results in input order.  At most `queue_depth` batches
/// wait between stages, so peak memory depends on the batch size, not on
/// the input size.  Errors as run_align_job(): the first error of any stage
/// is rethrown unchanged, the other stages stop, and no output file is left.
AlignSummary run_align_pipeline(const AlignJob& job, const PipelineOptions& pipeline,
                                const std::function<void(const AlignProgress&)>& progress = {});

}  // namespace gpualign
