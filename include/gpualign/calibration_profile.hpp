#pragma once
/// @file calibration_profile.hpp
/// What the dispatcher knows about this machine: measured throughput and
/// fixed costs of each backend, saved by `gpualign calibrate` as a small JSON
/// file and read back by every run.  Built-in defaults apply without one.
///
/// The file (`default_profile_path()`, overridable with `--profile FILE`):
///
///     {"format": "gpualign-profile", "version": 1,
///      "machine": "Intel Xeon ..., 2 usable CPUs", "created": "2026-11-26T17:00:00Z",
///      "cpu_engine": "cpu",
///      "cpu_cells_per_second": 4.1e9,      // one thread, score-only local
///      "cpu_pair_seconds": 1.5e-6,         // fixed cost per pair on the CPU
///      "thread_efficiency": 0.95,          // speedup per added thread (0..1]
///      "thread_start_seconds": 6e-5,       // handing a batch to the thread pool and joining it
///      "process_start_seconds": 2.5e-3,    // forking one worker process and collecting its results
///      "gpu_measured": false,
///      "gpu_cells_per_second": 3e11, "gpu_pair_seconds": 2e-8,
///      "gpu_launch_seconds": 1e-4,         // per batch: launches and synchronisation
///      "gpu_transfer_bytes_per_second": 2e10,
///      "device_memory_bytes": 0}
///
/// Unknown keys are ignored (newer files stay readable); missing keys take the
/// built-in defaults; a value of the wrong type or out of range is an error.

#include <cstdint>
#include <functional>
#include <string>

namespace gpualign {

/// Measured (or default) performance figures of this machine.
struct CalibrationProfile {
  /// Description of the machine the figures were measured on.
  std::string machine = "built-in defaults";
  /// When they were measured (ISO 8601, UTC); empty for defaults.
  std::string created;
  /// The CPU engine that was measured ("cpu" or "reference").
  std::string cpu_engine;
  // The CPU defaults are rounded figures of the SIMD engine measured by
  // calibrate_machine() on a 2-core AVX-512 Xeon (2026-11).
  /// CPU engine throughput on one thread, DP cells per second.
  double cpu_cells_per_second = 3.0e9;
  /// CPU fixed cost per pair (setup, query profile), seconds.
  double cpu_pair_seconds = 2.0e-7;
  /// Fraction of a thread's rate each added thread contributes (0, 1].
  double thread_efficiency = 0.9;
  /// Cost of handing one batch to the thread pool and waiting for it, seconds.
  double thread_start_seconds = 1.0e-4;
  /// Cost of forking one worker process and collecting its results, seconds.
  double process_start_seconds = 1.0e-3;
  /// Whether the GPU figures below were measured (else they are defaults).
  bool gpu_measured = false;
  /// GPU engine throughput, DP cells per second.
  double gpu_cells_per_second = 3.0e11;
  /// GPU fixed cost per pair, seconds.
  double gpu_pair_seconds = 2.0e-8;
  /// GPU fixed cost per batch (kernel launches, synchronisation), seconds.
  double gpu_launch_seconds = 1.0e-4;
  /// Host <-> device copy rate, bytes per second.
  double gpu_transfer_bytes_per_second = 2.0e10;
  /// Device memory found when calibrating (0 = unknown / no device).
  std::uint64_t device_memory_bytes = 0;

  /// Whether the figures come from `calibrate_machine()` rather than the defaults.
  bool measured() const noexcept { return !created.empty(); }
  /// Throws gpualign::Error (naming the field) when a figure is not positive
  /// and finite, or thread_efficiency is outside (0, 1].
  void validate() const;
};

/// The built-in defaults (a CalibrationProfile as constructed).
CalibrationProfile builtin_profile();

/// Where `gpualign calibrate` saves the profile: $GPUALIGN_PROFILE when set,
/// else $XDG_CACHE_HOME/gpualign/profile.json, else
/// $HOME/.cache/gpualign/profile.json (empty when neither variable is set).
std::string default_profile_path();

/// The profile as JSON text (the format shown above).
std::string profile_to_json(const CalibrationProfile& profile);

/// Parses JSON text; throws gpualign::Error naming `source` and the problem
/// (not JSON, not a profile, a bad field) on bad input.
CalibrationProfile profile_from_json(const std::string& text, const std::string& source = "profile");

/// Writes `profile` to `path` atomically (temporary file, then rename),
/// creating missing parent folders.  Throws gpualign::Error on failure.
void save_profile(const CalibrationProfile& profile, const std::string& path);

/// Reads a profile file; throws gpualign::Error naming the file when it is
/// missing, unreadable or malformed.
CalibrationProfile load_profile(const std::string& path);

/// The profile a run uses: `path` when not empty (errors propagate: the user
/// named it); else the file at default_profile_path() when it exists and
/// parses; else builtin_profile().  `source`, when given, receives where the
/// figures came from (a path, "built-in defaults", or "built-in defaults
/// (PATH unreadable: why)").
CalibrationProfile load_profile_or_default(const std::string& path = {}, std::string* source = nullptr);

/// How calibrate_machine() runs.
struct CalibrateOptions {
  /// CPU engine to measure ("" = "cpu" when registered, else "reference").
  std::string cpu_engine;
  /// GPU engine to measure when available.
  std::string gpu_engine = "cuda";
  /// Worker threads/processes for the parallel measurements (0 = usable CPUs).
  std::size_t workers = 0;
  /// Seconds to aim for per measurement (the whole run takes ~10x this).
  double seconds_per_measurement = 0.5;
  /// Called with a line of text as each measurement ends (may be empty).
  std::function<void(const std::string&)> progress;
};

/// Measures this machine: the CPU engine on one thread (rate and per-pair
/// cost), thread and process pool start costs and scaling, and the GPU
/// engine when one is available.  Takes a few seconds.
CalibrationProfile calibrate_machine(const CalibrateOptions& options = {});

}  // namespace gpualign
