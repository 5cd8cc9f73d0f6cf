#pragma once
/// @file cost_model.hpp
/// The dispatcher's cost model: what a batch costs (cells, longest sequence,
/// host and device bytes) and how long each backend would take on it, from a
/// CalibrationProfile.  Routing picks the backend with the least predicted
/// time, so tiny batches run serially (starting threads, workers or a GPU
/// transfer would cost more than it saves) and large ones go to the GPU.

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "gpualign/alignment.hpp"
#include "gpualign/calibration_profile.hpp"
#include "gpualign/sequence.hpp"

namespace gpualign {

/// Where a batch runs.
enum class Backend : std::uint8_t {
  automatic,  ///< the cost model decides ("auto")
  serial,     ///< the CPU engine on the calling thread
  threads,    ///< the CPU engine on a pool of threads
  processes,  ///< the CPU engine in forked worker processes (isolation)
  gpu,        ///< the GPU engine
  hybrid,     ///< GPU and CPU threads together on different parts of the batch
};

/// "auto", "serial", "threads", "processes", "gpu", "hybrid".
std::string_view to_string(Backend b) noexcept;

/// Parses "auto", "serial", "cpu" (= threads), "threads"/"thread",
/// "processes"/"process", "gpu"/"cuda", "hybrid".  Throws gpualign::Error otherwise.
Backend parse_backend(std::string_view name);

/// What one batch costs.
struct BatchCost {
  std::uint64_t pairs = 0;
  std::uint64_t cells = 0;             ///< sum of |query| * |target|
  std::uint64_t max_pair_cells = 0;    ///< the costliest single pair
  std::int64_t longest_query = 0;
  std::int64_t longest_target = 0;
  std::uint64_t residues = 0;          ///< sum of |query| + |target|
  std::uint64_t host_bytes = 0;        ///< working bytes of all pairs on the host at once
  std::uint64_t max_pair_host_bytes = 0;
  std::uint64_t device_bytes = 0;      ///< device bytes to align the batch in one launch
  std::uint64_t max_pair_device_bytes = 0;
};

/// Device bytes the GPU needs for one pair: the sequences, per-column score
/// rows (two 32-bit values per target residue) and, for a CIGAR, a
/// checkpointed traceback window.
std::uint64_t estimate_device_bytes(const SequencePair& pair, const AlignOptions& options) noexcept;

/// Host bytes of the CPU engine for one pair: reference_host_bytes() plus
/// the sequences' copies.
std::uint64_t estimate_host_bytes(const SequencePair& pair, const AlignOptions& options) noexcept;

/// Measures a batch.
BatchCost measure_batch(std::span<const SequencePair> pairs, const AlignOptions& options);

/// What the machine offers a run.
struct Resources {
  std::size_t cpu_workers = 1;          ///< threads or processes for CPU work (>= 1)
  bool gpu_available = false;           ///< a usable GPU engine exists
  bool processes = false;               ///< CPU parallel work runs in forked processes (--pool process)
  std::uint64_t host_budget_bytes = 0;  ///< 0 = unlimited
  std::uint64_t device_budget_bytes = 0;  ///< 0 = unlimited
};

/// A routing decision with its reasons.
struct RouteDecision {
  Backend backend = Backend::serial;  ///< never automatic
  double predicted_seconds = 0;
  /// For hybrid: the share of cells planned for the GPU (the rest on CPU
  /// threads), from the measured rates.  1 for gpu, 0 for CPU backends.
  double gpu_share = 0;
  /// Predicted seconds of each backend (infinity where it cannot run),
  /// indexed by Backend.
  double predictions[6] = {};
  /// One line: why this backend.
  std::string reason;
};

/// Predicts and routes from a profile and the resources at hand.
class CostModel {
 public:
  /// A model of `profile` on `resources` (cpu_workers 0 counts as 1).
  CostModel(CalibrationProfile profile, Resources resources);

  /// Predicted seconds of `backend` on `cost`; infinity when it cannot run
  /// here (no GPU, a pair over the device budget); automatic predicts the
  /// routed choice.
  double predict_seconds(Backend backend, const BatchCost& cost) const;

  /// The backend with the least predicted time among serial, the CPU pool
  /// (threads, or processes when resources().processes), gpu and hybrid.
  /// A backend must beat serial by a margin (5%) to be chosen over it, so
  /// ties stay on the calling thread.
  RouteDecision route(const BatchCost& cost) const;

  /// The profile in use.
  const CalibrationProfile& profile() const noexcept { return profile_; }
  /// The resources in use.
  const Resources& resources() const noexcept { return resources_; }

 private:
  double cpu_work_seconds(const BatchCost& c) const;
  double gpu_seconds(const BatchCost& c, double share) const;

  CalibrationProfile profile_;
  Resources resources_;
};

}  // namespace gpualign
