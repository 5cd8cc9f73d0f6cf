#pragma once
/// @file dispatcher.hpp
/// The dispatcher: aligns a batch on the backend the cost model picks (or
/// the one forced), inside the host and device memory budgets.
///
///     gpualign::DispatcherConfig cfg;
///     cfg.scoring = gpualign::ScoringScheme::dna();
///     gpualign::Dispatcher d(cfg);                    // backend auto
///     std::vector<gpualign::Alignment> r = d.align(pairs);
///     std::printf("ran on %s\n", d.stats().backends().c_str());
///
/// Routing: tiny batches run on the calling thread; small and medium ones on
/// the CPU engine with threads (or forked processes with `cpu_pool =
/// PoolType::process`); large ones on the GPU engine, or on GPU and CPU
/// together (hybrid: both take chunks from one queue, the GPU the largest
/// first, the CPU the smallest, so neither idles while work is left).  A GPU
/// out-of-memory error splits the batch and retries; a lost GPU sends the
/// rest of the work to the CPU with one warning and no lost results.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "gpualign/alignment.hpp"
#include "gpualign/calibration_profile.hpp"
#include "gpualign/cost_model.hpp"
#include "gpualign/execute_parallel.hpp"
#include "gpualign/memory_budget.hpp"
#include "gpualign/scoring.hpp"
#include "gpualign/sequence.hpp"

namespace gpualign {

class TraceRecorder;

/// How a Dispatcher runs.
struct DispatcherConfig {
  ScoringScheme scoring = ScoringScheme::dna();
  AlignOptions options;
  /// automatic, or a forced backend (hybrid forces GPU + CPU threads).
  Backend backend = Backend::automatic;
  /// Pool for parallel CPU work under `automatic` (process = isolation).
  PoolType cpu_pool = PoolType::thread;
  /// CPU workers (threads or processes); 0 = usable CPUs.
  std::size_t num_workers = 0;
  /// Figures for the cost model; unset = load_profile_or_default().
  std::optional<CalibrationProfile> profile;
  /// Host budget shared with the caller; nullptr = a private default_memory_budget().
  MemoryBudget* host_budget = nullptr;
  /// Device bytes one GPU launch may use; 0 = 80% of the profile's
  /// device_memory_bytes, or unlimited when that is unknown.
  std::uint64_t device_budget_bytes = 0;
  /// CPU engine name; "" = "cpu" when registered, else "reference".
  std::string cpu_engine;
  /// GPU engine name (used only when registered and available()).
  std::string gpu_engine = "cuda";
  /// Receives warnings (GPU lost, GPU forced but absent), each text once per
  /// Dispatcher; unset = printed to stderr as "gpualign: warning: ...".
  std::function<void(const std::string&)> on_warning;
  /// When set, every batch and chunk is recorded on this timeline.
  TraceRecorder* trace = nullptr;
};

/// What a Dispatcher has done so far.
struct DispatchStats {
  std::uint64_t batches = 0;
  std::uint64_t pairs = 0;
  std::uint64_t cells = 0;
  /// Batches per backend, indexed by Backend (automatic stays 0).
  std::uint64_t batches_by_backend[6] = {};
  /// Cells aligned by the GPU engine and by the CPU engine.
  std::uint64_t gpu_cells = 0, cpu_cells = 0;
  /// GPU out-of-memory errors answered by splitting the batch.
  std::uint64_t gpu_splits = 0;
  /// Pairs re-run on the CPU after the GPU failed or was lost.
  std::uint64_t gpu_fallback_pairs = 0;
  /// Peak bytes reserved in the host budget.
  std::uint64_t peak_host_reserved = 0;
  /// Estimated device bytes of the largest GPU launch (estimate_device_bytes()
  /// summed over its pairs); 0 when the GPU did not run.
  std::uint64_t peak_device_bytes_estimated = 0;
  /// The backends used, most used first, joined by '+': "serial", "threads+serial".
  std::string backends() const;
};

/// Aligns batches on the best backend.  Not thread-safe: one batch at a
/// time per Dispatcher (its CPU work is parallel inside).
class Dispatcher {
 public:
  /// Resolves engines and loads the profile.  Throws gpualign::Error for an
  /// unknown engine name or a bad profile file.
  explicit Dispatcher(DispatcherConfig config);
  ~Dispatcher();
  Dispatcher(const Dispatcher&) = delete;
  Dispatcher& operator=(const Dispatcher&) = delete;

  /// Aligns `pairs` into `out` (same size), in input order.  A pair that
  /// cannot be aligned gets its own status (too_large: over every budget;
  /// failed: the engine or its worker failed); the others complete.
  void align(std::span<const SequencePair> pairs, std::span<Alignment> out);
  /// Convenience: returns the results.
  std::vector<Alignment> align(std::span<const SequencePair> pairs);

  /// The decision align() would take for `pairs` (forced backends included).
  RouteDecision plan(std::span<const SequencePair> pairs) const;

  /// The cost model (profile and resources).
  const CostModel& cost_model() const noexcept;
  /// Whether the GPU engine is usable (registered, available, not lost).
  bool gpu_available() const noexcept;
  /// Name of the CPU engine in use.
  const std::string& cpu_engine_name() const noexcept;
  /// Counters since construction.
  DispatchStats stats() const;
  /// Where the profile came from (a path or "built-in defaults").
  const std::string& profile_source() const noexcept;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace gpualign
