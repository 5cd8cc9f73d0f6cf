// The benchmark suite: workloads x backends, timed, verified, reported.
#include "gpualign/bench_suite.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <thread>

#include <nlohmann/json.hpp>

#include "dispatch/bench_parasail.hpp"
#include "dispatch/peak_memory_sampler.hpp"
#include "gpualign/dispatcher.hpp"
#include "gpualign/engine.hpp"
#include "gpualign/error.hpp"
#include "gpualign/memory_budget.hpp"
#include "gpualign/parallel_aligner.hpp"
#include "gpualign/worker_defaults.hpp"
#include "gpualign/workloads.hpp"
#include "gpualign_build_config.hpp"
#if __has_include("gpualign/cpu_features.hpp")
#include "gpualign/cpu_features.hpp"
#define GPUALIGN_BENCH_HAS_SIMD 1
#endif

namespace gpualign {
namespace {

using Clock = std::chrono::steady_clock;
double seconds_since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

const std::vector<std::string> kBackends = {"serial", "threads", "processes", "gpu", "auto"};

bool registered(const std::string& name) {
  const auto n = engine_names();
  return std::find(n.begin(), n.end(), name) != n.end();
}

std::string serial_engine_name() { return registered("cpu") ? "cpu" : "reference"; }

std::string cpu_model() {
  std::ifstream in("/proc/cpuinfo");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("model name", 0) == 0) {
      auto p = line.find(':');
      if (p != std::string::npos) return line.substr(p + 2);
    }
  return "unknown";
}

// The GPU engine, or why there is none.
std::unique_ptr<Engine> gpu_engine(std::string* why) {
  if (!registered("cuda")) {
    *why = "CUDA engine not built";
    return nullptr;
  }
  auto e = make_engine("cuda");
  if (!e->available()) {
    *why = e->unavailable_reason();
    return nullptr;
  }
  return e;
}

// Quick mode: the serial run of each workload should take about this long,
// so the whole suite (serial, threads, processes, auto, parasail for four
// workloads) ends in about a minute on 2 cores.
constexpr double kQuickSerialSeconds = 2.0;

// Serial rate on a sample shaped like `name`'s pairs, truncated to bound
// the probe's time: cells per second.
double probe_rate(const std::string& name, const BenchOptions& opt, const ScoringScheme& scoring) {
  // Enough pairs to fill the CPU engine's SIMD lanes as the real run would.
  const double probe_scale = name == "W1" ? 0.01 : name == "P1" ? 0.04 : 0.001;
  const Workload w = make_workload(name, opt.seed + 1000, probe_scale);
  auto pairs = w.pairs();
  std::vector<SequencePair> probe;
  std::uint64_t cells = 0;
  for (const auto& p : pairs) {
    SequencePair q{p.query.subspan(0, std::min<std::size_t>(p.query.size(), 2000)),
                   p.target.subspan(0, std::min<std::size_t>(p.target.size(), 100000))};
    probe.push_back(q);
    cells += q.cells();
    if (cells > 16'000'000) break;
  }
  auto engine = make_engine(serial_engine_name());
  engine->align(probe, scoring, opt.options);  // warm up (tables, pages)
  const auto t0 = Clock::now();
  std::uint64_t done = 0;
  do {
    engine->align(probe, scoring, opt.options);
    done += cells;
  } while (seconds_since(t0) < 0.1);
  return static_cast<double>(done) / std::max(1e-6, seconds_since(t0));
}

double workload_scale(const std::string& name, const BenchOptions& opt, std::size_t threads) {
  if (opt.scale > 0) return opt.scale;
  if (!opt.quick) return 1.0;
  const Workload full_probe = make_workload(name, opt.seed, 0.0);  // one pair: its shape
  const double rate = probe_rate(name, opt, full_probe.scoring);
  // Mean cells per pair from the table in workloads.hpp (lengths are uniform).
  double mean_cells = 0, full_pairs = 0;
  if (name == "W1") mean_cells = 225.0 * 450, full_pairs = 20000;
  else if (name == "W2") mean_cells = 5500.0 * 11000, full_pairs = 2000;
  else if (name == "W3") mean_cells = 15000.0 * 75000, full_pairs = 20;
  else mean_cells = 300.0 * 550, full_pairs = 5000;
  const double pairs = kQuickSerialSeconds * rate / mean_cells;
  // At least two pairs per worker, so the parallel rows have work to share.
  const double min_pairs = static_cast<double>(2 * threads);
  return std::clamp(std::max(pairs, min_pairs), 1.0, full_pairs) / full_pairs;
}

struct Measured {
  double seconds = 0;
  std::uint64_t peak = 0;
  std::vector<Alignment> results;
  std::string chosen;
};

// Runs fn `repeat` times; median seconds, highest peak, the last results.
// A first run under a second is dominated by one-time costs (pool start-up,
// first-touch page faults) and by noise: it becomes an untimed warm-up, and
// at least three further runs are timed, so short rows compare fairly.
template <class F>
Measured measure(int repeat, F&& fn) {
  Measured m;
  std::vector<double> times;
  int runs = std::max(1, repeat);
  for (int r = 0; r < runs; ++r) {
    detail::PeakMemorySampler sampler;
    const auto t0 = Clock::now();
    fn(m);
    const double t = seconds_since(t0);
    m.peak = std::max(m.peak, sampler.stop());
    if (r == 0 && t < 1.0 && times.empty()) {
      runs = std::max(runs, 3) + 1;  // this run was the warm-up
      continue;
    }
    times.push_back(t);
  }
  std::sort(times.begin(), times.end());
  m.seconds = times[times.size() / 2];
  return m;
}

bool same_results(const std::vector<Alignment>& a, const std::vector<Alignment>& b, std::string* why) {
  if (a.size() != b.size()) {
    *why = "result counts differ";
    return false;
  }
  for (std::size_t i = 0; i < a.size(); ++i)
    if (a[i].status != b[i].status || a[i].score != b[i].score || a[i].qend != b[i].qend || a[i].tend != b[i].tend) {
      *why = "pair " + std::to_string(i) + ": score " + std::to_string(a[i].score) + " end (" +
             std::to_string(a[i].qend) + "," + std::to_string(a[i].tend) + ") vs serial " + std::to_string(b[i].score) +
             " (" + std::to_string(b[i].qend) + "," + std::to_string(b[i].tend) + ")";
      return false;
    }
  return true;
}

std::string human_count(double v) {
  char buf[32];
  if (v >= 1e9) std::snprintf(buf, sizeof buf, "%.2fG", v / 1e9);
  else if (v >= 1e6) std::snprintf(buf, sizeof buf, "%.2fM", v / 1e6);
  else if (v >= 1e3) std::snprintf(buf, sizeof buf, "%.1fk", v / 1e3);
  else std::snprintf(buf, sizeof buf, "%.0f", v);
  return buf;
}

}  // namespace

bool parasail_available() noexcept { return detail::parasail_linked(); }

MachineInfo describe_machine() {
  MachineInfo m;
  m.cpu = cpu_model();
  m.hardware_threads = std::thread::hardware_concurrency();
  m.usable_cpus = usable_cpus();
#ifdef GPUALIGN_BENCH_HAS_SIMD
  m.simd_level = std::string(to_string(active_simd_level()));
#else
  m.simd_level = "unknown";
#endif
  std::string why;
  if (auto g = gpu_engine(&why)) m.gpu = "cuda engine available";
  else m.gpu = "none (" + why + ")";
  m.memory_available_bytes = memory_available_to_process();
  m.memory_budget_bytes = default_memory_budget();
  m.version = GPUALIGN_VERSION_STRING;
  m.build = std::string(GPUALIGN_BUILD_TYPE) + ", " + GPUALIGN_CXX_COMPILER + ", CUDA " +
            (GPUALIGN_HAVE_CUDA ? std::string("on (") + GPUALIGN_CUDA_ARCHITECTURES + ")" : std::string("off")) +
            ", parasail " + (detail::parasail_linked() ? "linked" : "not linked");
  m.peak_memory_method =
      "resident set of this process (/proc/self/statm) plus the private memory of its worker processes "
      "(/proc/PID/smaps_rollup Private_Clean + Private_Dirty), sampled every 2 ms while the row runs; includes the "
      "workload's own sequences and heap kept from earlier rows; spikes shorter than 2 ms can be missed";
  return m;
}

std::string bench_table_header() {
  char buf[256];
  std::snprintf(buf, sizeof buf, "%-4s %-10s %3s %7s %8s %8s %8s %8s %-16s %10s %10s", "wl", "backend", "thr", "pairs",
                "cells", "seconds", "GCUPS", "speedup", "chosen", "peak_host", "peak_dev");
  return buf;
}

std::string format_bench_row(const BenchRow& r) {
  char buf[320];
  std::snprintf(buf, sizeof buf, "%-4s %-10s %3zu %7s %8s %8.3f %8.3f %7.2fx %-16s %10s %10s%s", r.workload.c_str(),
                r.backend.c_str(), r.threads, human_count(static_cast<double>(r.pairs)).c_str(),
                human_count(static_cast<double>(r.cells)).c_str(), r.seconds, r.gcups, r.speedup_vs_serial,
                r.chosen_backend.c_str(), format_byte_size(r.peak_host_bytes).c_str(),
                r.peak_device_bytes ? format_byte_size(r.peak_device_bytes).c_str() : "-",
                r.verified ? "" : "  MISMATCH");
  return buf;
}

std::string BenchReport::to_table() const {
  std::string s = bench_table_header() + "\n";
  for (const auto& r : rows) s += format_bench_row(r) + "\n";
  for (const auto& n : notes) s += "note: " + n + "\n";
  return s;
}

std::string BenchReport::to_json() const {
  using nlohmann::json;
  json j;
  j["machine"] = {{"cpu", machine.cpu},
                  {"hardware_threads", machine.hardware_threads},
                  {"usable_cpus", machine.usable_cpus},
                  {"simd_level", machine.simd_level},
                  {"gpu", machine.gpu},
                  {"memory_available_bytes", machine.memory_available_bytes},
                  {"memory_budget_bytes", machine.memory_budget_bytes},
                  {"version", machine.version},
                  {"build", machine.build},
                  {"profile", machine.profile},
                  {"peak_memory_method", machine.peak_memory_method}};
  json rs = json::array();
  for (const auto& r : rows)
    rs.push_back({{"workload", r.workload},
                  {"backend", r.backend},
                  {"threads", r.threads},
                  {"mode", r.mode},
                  {"traceback", r.traceback},
                  {"pairs", r.pairs},
                  {"cells", r.cells},
                  {"seconds", r.seconds},
                  {"gcups", r.gcups},
                  {"speedup_vs_serial", r.speedup_vs_serial},
                  {"chosen_backend", r.chosen_backend},
                  {"peak_host_bytes", r.peak_host_bytes},
                  {"peak_device_bytes", r.peak_device_bytes},
                  {"engine", r.engine},
                  {"verified", r.verified}});
  j["results"] = std::move(rs);
  j["notes"] = notes;
  return j.dump(2, ' ', false, json::error_handler_t::replace) + "\n";
}

BenchReport run_bench_suite(const BenchOptions& opt) {
  BenchReport report;
  report.machine = describe_machine();
  auto note = [&](const std::string& n) {
    report.notes.push_back(n);
    if (opt.on_note) opt.on_note(n);
  };

  std::vector<std::string> workloads = opt.workloads.empty() ? workload_names() : opt.workloads;
  const auto known = workload_names();
  for (const auto& w : workloads)
    if (std::find(known.begin(), known.end(), w) == known.end())
      throw Error("unknown workload '" + w + "' (use W1, W2, W3, P1)");
  std::vector<std::string> backends = opt.backends.empty() ? kBackends : opt.backends;
  for (auto& b : backends) {
    if (b == "thread") b = "threads";
    if (b == "process") b = "processes";
    if (b == "cuda") b = "gpu";
    if (b == "cpu") b = "threads";
    if (b != "parasail" && std::find(kBackends.begin(), kBackends.end(), b) == kBackends.end())
      throw Error("unknown backend '" + b + "' (use serial, threads, processes, gpu, auto, parasail)");
  }
  if (opt.compare_parasail && std::find(backends.begin(), backends.end(), "parasail") == backends.end())
    backends.push_back("parasail");
  if (std::find(backends.begin(), backends.end(), "parasail") != backends.end() && !detail::parasail_linked()) {
    note("parasail not installed: no parasail rows");
    backends.erase(std::remove(backends.begin(), backends.end(), "parasail"), backends.end());
  }
  // serial first: the others are verified against it and their speedup is over it.
  std::stable_partition(backends.begin(), backends.end(), [](const std::string& b) { return b == "serial"; });

  const std::size_t threads = opt.threads ? opt.threads : usable_cpus();
  std::string gpu_why;
  const bool have_gpu = gpu_engine(&gpu_why) != nullptr;
  if (std::find(backends.begin(), backends.end(), "gpu") != backends.end() && !have_gpu)
    note("gpu rows skipped: " + gpu_why);

  std::string profile_source;
  CalibrationProfile profile = opt.profile ? *opt.profile : load_profile_or_default({}, &profile_source);
  report.machine.profile = opt.profile ? "given" : profile_source;
  if (!opt.profile && !profile.measured()) {
    // No saved profile: measure briefly now, so that auto's choices fit this
    // machine (gpualign calibrate measures longer and saves the result).
    CalibrateOptions co;
    co.workers = threads;
    co.seconds_per_measurement = 0.1;
    profile = calibrate_machine(co);
    report.machine.profile = "measured at the start of this run (no saved profile; see gpualign calibrate)";
    note("no calibration profile saved: measured one for this run (gpualign calibrate saves one)");
  }
  const std::string serial_name = serial_engine_name();
  if (serial_name != "cpu") note("the SIMD CPU engine is not registered: serial, threads and processes use 'reference'");

  for (const auto& name : workloads) {
    const double scale = workload_scale(name, opt, threads);
    const Workload w = make_workload(name, opt.seed, scale);
    const std::vector<SequencePair> pairs = w.pairs();
    const std::uint64_t cells = w.cells();
    if (opt.quick) {
      char buf[160];
      std::snprintf(buf, sizeof buf, "%s scaled to %zu pairs (%.3g Gcells) for --quick", name.c_str(), pairs.size(),
                    static_cast<double>(cells) / 1e9);
      note(buf);
    }
    std::vector<Alignment> reference_results;
    double serial_seconds = 0;

    for (const auto& b : backends) {
      BenchRow row;
      row.workload = name;
      row.backend = b;
      row.mode = std::string(to_string(opt.options.mode));
      row.traceback = opt.options.output == AlignOutput::cigar;
      row.pairs = pairs.size();
      row.cells = cells;
      row.chosen_backend = b;
      row.threads = (b == "threads" || b == "processes" || b == "auto") ? threads : 1;
      row.engine = serial_name;
      Measured m;
      if (b == "serial") {
        auto engine = make_engine(serial_name);
        m = measure(opt.repeat, [&](Measured& out) { out.results = engine->align(pairs, w.scoring, opt.options); });
      } else if (b == "threads" || b == "processes") {
        ParallelAlignerConfig pc;
        pc.num_workers = threads;
        pc.pool_type = b == "threads" ? PoolType::thread : PoolType::process;
        pc.scoring = w.scoring;
        pc.options = opt.options;
        pc.engine = serial_name;
        ParallelAligner aligner(pc);
        m = measure(opt.repeat, [&](Measured& out) { out.results = aligner.align_pairs(pairs); });
      } else if (b == "gpu") {
        if (!have_gpu) continue;
        DispatcherConfig dc;
        dc.scoring = w.scoring;
        dc.options = opt.options;
        dc.backend = Backend::gpu;
        dc.num_workers = threads;
        dc.profile = profile;
        Dispatcher d(dc);
        row.engine = "cuda";
        m = measure(opt.repeat, [&](Measured& out) { out.results = d.align(pairs); });
        if (d.stats().gpu_fallback_pairs) row.chosen_backend = "gpu+cpu fallback";
        row.peak_device_bytes = d.stats().peak_device_bytes_estimated;
      } else if (b == "auto") {
        DispatcherConfig dc;
        dc.scoring = w.scoring;
        dc.options = opt.options;
        dc.backend = Backend::automatic;
        dc.num_workers = threads;
        dc.profile = profile;
        Dispatcher d(dc);
        m = measure(opt.repeat, [&](Measured& out) { out.results = d.align(pairs); });
        row.chosen_backend = d.stats().backends();
        row.peak_device_bytes = d.stats().peak_device_bytes_estimated;
        if (row.chosen_backend.find("gpu") != std::string::npos || row.chosen_backend.find("hybrid") != std::string::npos)
          row.engine = "cuda+" + serial_name;
      } else if (b == "parasail") {
        detail::ParasailRun pr;
        std::vector<double> times;
        m = measure(opt.repeat, [&](Measured&) {
          pr = detail::run_parasail(pairs, w.scoring, opt.options);
          times.push_back(pr.seconds);
        });
        if (times.size() > static_cast<std::size_t>(std::max(1, opt.repeat)))
          times.erase(times.begin());  // measure() took the first run as a warm-up
        std::sort(times.begin(), times.end());
        m.seconds = times[times.size() / 2];  // parasail's calls only, not the text conversion
        row.engine = "parasail " + pr.function;
        row.chosen_backend = "parasail";
        for (std::size_t i = 0; i < pairs.size() && !reference_results.empty(); ++i)
          if (pr.scores[i] != reference_results[i].score) {
            row.verified = false;
            note(name + " parasail: pair " + std::to_string(i) + " scores " + std::to_string(pr.scores[i]) +
                 ", serial " + std::to_string(reference_results[i].score));
            break;
          }
      }
      row.seconds = m.seconds;
      row.gcups = m.seconds > 0 ? static_cast<double>(cells) / m.seconds / 1e9 : 0;
      row.peak_host_bytes = m.peak;
      if (b == "serial") {
        serial_seconds = m.seconds;
        reference_results = std::move(m.results);
      } else if (b != "parasail" && !reference_results.empty()) {
        std::string why;
        if (!same_results(m.results, reference_results, &why)) {
          row.verified = false;
          note(name + " " + b + ": results differ from serial: " + why);
        }
      }
      row.speedup_vs_serial = serial_seconds > 0 && m.seconds > 0 ? serial_seconds / m.seconds : 0;
      if (row.peak_host_bytes > report.machine.memory_budget_bytes)
        note(name + " " + b + ": peak host memory " + format_byte_size(row.peak_host_bytes) + " is over the budget " +
             format_byte_size(report.machine.memory_budget_bytes));
      if (opt.on_row) opt.on_row(row);
      report.rows.push_back(std::move(row));
    }
  }
  return report;
}

}  // namespace gpualign
