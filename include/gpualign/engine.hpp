#pragma once
/// @file engine.hpp
/// The one engine interface every backend implements, and the engine registry.

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "gpualign/alignment.hpp"
#include "gpualign/scoring.hpp"
#include "gpualign/sequence.hpp"

namespace gpualign {

/// An alignment engine: aligns a batch of pairs with one scoring scheme and
/// one set of options.  Implementations: "reference" (scalar, the oracle),
/// "cpu" (SIMD), "cuda" (GPU).  An engine is used from one thread at a time;
/// make one per worker.
class Engine {
 public:
  virtual ~Engine() = default;

  /// Short name, as registered ("reference", "cpu", "cuda").
  virtual std::string_view name() const noexcept = 0;

  /// Whether the engine can run here (a CUDA engine without a device cannot).
  virtual bool available() const noexcept { return true; }

  /// Why the engine is unavailable, or empty.
  virtual std::string unavailable_reason() const { return {}; }

  /// Aligns `pairs[i]` into `out[i]` (same size).  A pair that cannot be
  /// aligned gets its own status; the others still complete.  Throws only for
  /// errors that concern the whole batch (a scheme this engine cannot use).
  virtual void align(std::span<const SequencePair> pairs, const ScoringScheme& scoring,
                     const AlignOptions& options, std::span<Alignment> out) = 0;

  /// Host bytes the engine needs at once to align `pair` (buffers, traceback
  /// space): what a MemoryBudget reserves before the work starts.
  virtual std::uint64_t estimate_host_bytes(const SequencePair& pair,
                                            const AlignOptions& options) const;

  /// Convenience: aligns a batch and returns the results.
  std::vector<Alignment> align(std::span<const SequencePair> pairs, const ScoringScheme& scoring,
                               const AlignOptions& options);
};

/// Makes a new engine instance.
using EngineFactory = std::function<std::unique_ptr<Engine>()>;

/// Registers a factory under `name` (replacing any earlier one).  Engines
/// built into the library register themselves; users may add their own.
void register_engine(std::string name, EngineFactory factory);

/// A new engine by name; throws gpualign::Error for an unknown name.
std::unique_ptr<Engine> make_engine(std::string_view name);

/// Names of the registered engines, sorted.
std::vector<std::string> engine_names();

/// Bytes of the scalar reference aligner's working memory for one pair.
std::uint64_t reference_host_bytes(const SequencePair& pair, const AlignOptions& options) noexcept;

}  // namespace gpualign
