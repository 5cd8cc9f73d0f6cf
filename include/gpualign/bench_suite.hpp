#pragma once
/// @file bench_suite.hpp
/// The benchmark suite behind `gpualign bench`: DESIGN.md's workloads run
/// through each backend (serial, threads, processes, gpu, auto, and
/// optionally parasail), reported as a table or as JSON
/// `{"machine": {...}, "results": [row, ...]}`.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "gpualign/alignment.hpp"
#include "gpualign/calibration_profile.hpp"

namespace gpualign {

/// How the suite runs.
struct BenchOptions {
  /// Workload names (W1, W2, W3, P1); empty = all.
  std::vector<std::string> workloads;
  /// Backends: serial, threads, processes, gpu, auto; empty = all of them.
  /// "parasail" may be listed too (same as compare_parasail).
  std::vector<std::string> backends;
  /// Threads or processes for the parallel rows; 0 = usable CPUs.
  std::size_t threads = 0;
  /// Scale pair counts down so the whole suite takes about a minute on 2 cores.
  bool quick = false;
  /// Pair-count multiplier; 0 = 1 (full), or chosen per workload when quick.
  double scale = 0;
  /// Runs per row; the median time is reported.
  int repeat = 1;
  /// Adds parasail's rows (its fastest exact function) when it is linked.
  bool compare_parasail = false;
  /// Alignment mode and output level (default: local, score and end only).
  AlignOptions options{AlignMode::local, AlignOutput::score_end};
  /// Workload seed.
  std::uint64_t seed = 1;
  /// Profile for the dispatcher; unset = load_profile_or_default().
  std::optional<CalibrationProfile> profile;
  /// Called as each row finishes (for live output); may be unset.
  std::function<void(const struct BenchRow&)> on_row;
  /// Called with a note (skipped backends, workload sizes); may be unset.
  std::function<void(const std::string&)> on_note;
};

/// One measured (workload, backend) combination.  Field names match the JSON.
struct BenchRow {
  std::string workload;
  std::string backend;         ///< serial, threads, processes, gpu, auto, parasail
  std::size_t threads = 1;
  std::string mode;            ///< local, global, semi-global
  bool traceback = false;      ///< CIGARs computed
  std::uint64_t pairs = 0;
  std::uint64_t cells = 0;
  double seconds = 0;          ///< median wall time
  double gcups = 0;            ///< cells / seconds / 1e9
  double speedup_vs_serial = 0;  ///< serial seconds / seconds (0 without a serial row)
  std::string chosen_backend;  ///< what ran: the dispatcher's choice for auto
  /// Peak during the row: this process's resident bytes plus its worker
  /// processes' private bytes (see MachineInfo::peak_memory_method).
  std::uint64_t peak_host_bytes = 0;
  /// Estimated device bytes of the largest GPU launch (the engine interface
  /// cannot report measured device memory); 0 when the GPU did not run.
  std::uint64_t peak_device_bytes = 0;
  std::string engine;          ///< engine name ("cpu", "reference", "cuda", parasail's function)
  bool verified = true;        ///< scores equal the serial row's
};

/// The machine a run measured.
struct MachineInfo {
  std::string cpu;             ///< model name
  std::size_t hardware_threads = 0;
  std::size_t usable_cpus = 0;
  std::string simd_level;      ///< the CPU engine's active level
  std::string gpu;             ///< "none (reason)" or the device
  std::uint64_t memory_available_bytes = 0;
  std::uint64_t memory_budget_bytes = 0;
  std::string version;
  std::string build;           ///< build type, compiler, CUDA on/off, parasail linked
  std::string profile;         ///< where the dispatcher's profile came from
  std::string peak_memory_method;  ///< how peak_host_bytes was measured
};

/// What a suite run produced.
struct BenchReport {
  MachineInfo machine;
  std::vector<BenchRow> rows;
  std::vector<std::string> notes;  ///< skipped backends and other remarks

  /// `{"machine": {...}, "results": [row, ...], "notes": [...]}`, pretty-printed.
  std::string to_json() const;
  /// A fixed-width table: workload, backend, pairs, cells, seconds, GCUPS,
  /// speedup, chosen, peak host, peak device; notes below it.
  std::string to_table() const;
};

/// Describes this machine and build.
MachineInfo describe_machine();

/// Whether parasail was linked into this build.
bool parasail_available() noexcept;

/// Runs the suite.  Throws gpualign::Error for an unknown workload or
/// backend name.  A backend whose results differ from the serial run keeps
/// its row with verified = false and a note saying where.
BenchReport run_bench_suite(const BenchOptions& options);

/// Formats one row as a table line (the same columns as to_table()).
std::string format_bench_row(const BenchRow& row);
/// The table's header line.
std::string bench_table_header();

}  // namespace gpualign
