// calibrate_machine: measures the figures of a CalibrationProfile here.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <ctime>
#include <fstream>
#include <random>
#include <thread>

#include "gpualign/calibration_profile.hpp"
#include "gpualign/engine.hpp"
#include "gpualign/error.hpp"
#include "gpualign/execute_parallel.hpp"
#include "gpualign/parallel_aligner.hpp"
#include "gpualign/worker_defaults.hpp"
#include "gpualign/workloads.hpp"

namespace gpualign {
namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

// Median of `runs` timings of fn().
template <class F>
double median_time(int runs, F&& fn) {
  std::vector<double> t;
  for (int i = 0; i < runs; ++i) {
    const auto s = Clock::now();
    fn();
    t.push_back(seconds_since(s));
  }
  std::nth_element(t.begin(), t.begin() + static_cast<std::ptrdiff_t>(t.size() / 2), t.end());
  return t[t.size() / 2];
}

std::string cpu_model() {
  std::ifstream in("/proc/cpuinfo");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("model name", 0) == 0) {
      auto p = line.find(':');
      if (p != std::string::npos) return line.substr(p + 2);
    }
  return "unknown CPU";
}

std::string utc_now() {
  const std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

bool registered(const std::string& name) {
  const auto n = engine_names();
  return std::find(n.begin(), n.end(), name) != n.end();
}

// The first pairs of `w` whose cells reach `cells` (at least one pair).
std::vector<SequencePair> prefix_by_cells(const std::vector<SequencePair>& all, std::uint64_t cells) {
  std::vector<SequencePair> out;
  std::uint64_t c = 0;
  for (const auto& p : all) {
    if (!out.empty() && c >= cells) break;
    out.push_back(p);
    c += p.cells();
  }
  return out;
}

std::uint64_t cells_of(std::span<const SequencePair> ps) {
  std::uint64_t c = 0;
  for (const auto& p : ps) c += p.cells();
  return c;
}

}  // namespace

CalibrationProfile calibrate_machine(const CalibrateOptions& opt) {
  auto say = [&](const std::string& s) {
    if (opt.progress) opt.progress(s);
  };
  CalibrationProfile p;
  const std::size_t workers = opt.workers ? opt.workers : usable_cpus();
  p.machine = cpu_model() + ", " + std::to_string(usable_cpus()) + " usable CPUs";
  p.cpu_engine = !opt.cpu_engine.empty() ? opt.cpu_engine : (registered("cpu") ? "cpu" : "reference");
  const ScoringScheme dna = ScoringScheme::dna();
  const AlignOptions score_only{AlignMode::local, AlignOutput::score_end};
  const double target_s = std::max(0.02, opt.seconds_per_measurement);

  // 1. CPU rate on one thread: W1-like pairs, grown until a run takes target_s.
  auto engine = make_engine(p.cpu_engine);
  const Workload w1 = make_workload("W1", 11, 0.5);  // 10,000 pairs, ~1 Gcells
  const auto w1_pairs = w1.pairs();
  std::uint64_t want = 2'000'000;
  std::vector<SequencePair> sample;
  double t = 0;
  for (;;) {
    sample = prefix_by_cells(w1_pairs, want);
    t = median_time(1, [&] { engine->align(sample, dna, score_only); });
    if (t >= target_s || sample.size() == w1_pairs.size()) break;
    want = static_cast<std::uint64_t>(static_cast<double>(want) * std::min(8.0, 1.5 * target_s / std::max(t, 1e-4)));
  }
  t = median_time(3, [&] { engine->align(sample, dna, score_only); });
  const double rate0 = static_cast<double>(cells_of(sample)) / t;
  const std::uint64_t unit = cells_of(sample);

  // 2. Fixed cost per pair: many tiny pairs, where cells cost almost nothing.
  std::mt19937_64 rng(5);
  std::vector<Sequence> tiny;
  for (int i = 0; i < 4000; ++i) {
    std::string s(16, 'A');
    for (auto& ch : s) ch = "ACGT"[rng() % 4];
    tiny.emplace_back(std::to_string(i), s, Alphabet::dna);
  }
  std::vector<SequencePair> tiny_pairs;
  for (std::size_t i = 0; i + 1 < tiny.size(); i += 2) tiny_pairs.push_back({tiny[i].codes(), tiny[i + 1].codes()});
  const double tt = median_time(3, [&] { engine->align(tiny_pairs, dna, score_only); });
  p.cpu_pair_seconds =
      std::max(1e-8, (tt - static_cast<double>(cells_of(tiny_pairs)) / rate0) / static_cast<double>(tiny_pairs.size()));
  p.cpu_cells_per_second =
      static_cast<double>(unit) / std::max(1e-9, t - static_cast<double>(sample.size()) * p.cpu_pair_seconds);
  char buf[200];
  std::snprintf(buf, sizeof buf, "cpu engine '%s', 1 thread: %.3g GCUPS, %.3g us per pair", p.cpu_engine.c_str(),
                p.cpu_cells_per_second / 1e9, p.cpu_pair_seconds * 1e6);
  say(buf);

  // 3. Pool start costs: what a tiny batch (4 small pairs) costs through
  //    ParallelAligner beyond its serial time, and forking a worker.
  std::vector<SequencePair> four(tiny_pairs.begin(), tiny_pairs.begin() + 4);
  ParallelAlignerConfig tc;
  tc.num_workers = workers;
  tc.scoring = dna;
  tc.options = score_only;
  tc.engine = p.cpu_engine;
  ParallelAligner tiny_threads(tc);
  tiny_threads.align_pairs(four);  // warm the pool up
  const double t_four = median_time(21, [&] { engine->align(four, dna, score_only); });
  p.thread_start_seconds = std::max(2e-6, median_time(21, [&] { tiny_threads.align_pairs(four); }) - t_four);
  std::vector<int> items(workers, 1);
  auto trivial = [](int v) { return v + 1; };
  p.process_start_seconds = std::max(1e-5, median_time(3, [&] {
    execute_parallel(trivial, items, {.num_workers = workers, .pool_type = PoolType::process});
  }) / static_cast<double>(workers));
  std::snprintf(buf, sizeof buf, "pool start: threads %.3g ms per batch, processes %.3g ms per worker",
                p.thread_start_seconds * 1e3, p.process_start_seconds * 1e3);
  say(buf);

  // 4. Thread scaling on the same sample (enough pairs to split).
  if (workers > 1) {
    ParallelAlignerConfig pc;
    pc.num_workers = workers;
    pc.scoring = dna;
    pc.options = score_only;
    pc.engine = p.cpu_engine;
    ParallelAligner aligner(pc);
    const double tp = median_time(3, [&] { aligner.align_pairs(sample); });
    const double speedup = t / std::max(1e-9, tp - p.thread_start_seconds);
    p.thread_efficiency = std::clamp((speedup - 1) / static_cast<double>(workers - 1), 0.05, 1.0);
    std::snprintf(buf, sizeof buf, "threads: %zu workers, %.2fx over one (efficiency %.2f)", workers, speedup,
                  p.thread_efficiency);
    say(buf);
  } else {
    p.thread_efficiency = 1.0;
  }

  // 5. The GPU, when there is one: launch cost from one tiny pair, rate from
  //    a large batch.
  if (!opt.gpu_engine.empty() && registered(opt.gpu_engine)) {
    auto gpu = make_engine(opt.gpu_engine);
    if (gpu->available()) {
      std::vector<SequencePair> one(tiny_pairs.begin(), tiny_pairs.begin() + 1);
      gpu->align(one, dna, score_only);  // context creation, not a per-batch cost
      p.gpu_launch_seconds = std::max(1e-6, median_time(5, [&] { gpu->align(one, dna, score_only); }));
      const double tg_tiny = median_time(3, [&] { gpu->align(tiny_pairs, dna, score_only); });
      p.gpu_pair_seconds =
          std::max(1e-10, (tg_tiny - p.gpu_launch_seconds) / static_cast<double>(tiny_pairs.size()));
      const Workload w2 = make_workload("W2", 11, 0.05);  // 100 pairs, ~6 Gcells
      const auto w2_pairs = w2.pairs();
      const double tg = median_time(3, [&] { gpu->align(w2_pairs, dna, score_only); });
      const double cells = static_cast<double>(cells_of(w2_pairs));
      p.gpu_cells_per_second = cells / std::max(1e-9, tg - p.gpu_launch_seconds -
                                                          static_cast<double>(w2_pairs.size()) * p.gpu_pair_seconds);
      p.gpu_measured = true;
      std::snprintf(buf, sizeof buf, "gpu engine '%s': %.3g GCUPS, launch %.3g ms, %.3g us per pair",
                    opt.gpu_engine.c_str(), p.gpu_cells_per_second / 1e9, p.gpu_launch_seconds * 1e3,
                    p.gpu_pair_seconds * 1e6);
      say(buf);
    } else {
      say("gpu: none (" + gpu->unavailable_reason() + ")");
    }
  } else {
    say("gpu: none (engine '" + opt.gpu_engine + "' not built)");
  }
  p.created = utc_now();
  p.validate();
  return p;
}

}  // namespace gpualign
