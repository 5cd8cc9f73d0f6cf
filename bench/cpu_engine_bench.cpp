// The CPU engine against parasail and SSW on DESIGN.md's workloads, same
// pairs, same run.  Each benchmark reports GCUPS (cells of the full matrices
// per second / 1e9).  Scales (pairs kept of each workload) are small so that
// the whole run takes a minute or two; GPUALIGN_BENCH_SCALE multiplies them.

#include <benchmark/benchmark.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <thread>
#include <vector>

#include "gpualign/cpu_features.hpp"
#include "gpualign/gpualign.hpp"

#ifdef GPUALIGN_BENCH_PARASAIL
#include <parasail.h>
#endif
#ifdef GPUALIGN_BENCH_SSW
#include <ssw.h>
#endif

namespace {

using namespace gpualign;

struct Data {
  Workload w;
  std::vector<SequencePair> pairs;
  double gcells = 0;
};

const Data& workload_data(const std::string& name) {
  static std::map<std::string, std::unique_ptr<Data>> cache;
  auto& d = cache[name];
  if (!d) {
    const double base = name == "W1" ? 0.1 : name == "W2" ? 0.01 : name == "W3" ? 0.1 : 0.2;
    const char* env = std::getenv("GPUALIGN_BENCH_SCALE");
    const double scale = base * (env ? std::atof(env) : 1.0);
    d = std::make_unique<Data>(Data{make_workload(name, 1, scale), {}, 0});
    d->pairs = d->w.pairs();
    d->gcells = static_cast<double>(d->w.cells()) / 1e9;
  }
  return *d;
}

void report(benchmark::State& st, const Data& d) {
  st.counters["GCUPS"] = benchmark::Counter(d.gcells, benchmark::Counter::kIsIterationInvariantRate);
  st.counters["pairs"] = static_cast<double>(d.pairs.size());
}

// The CPU engine on `threads` threads, one engine each.  The pairs, costliest
// first, are taken a few at a time by whichever thread is free, so that a
// few large pairs (W2's and W3's vary ~100x in cells) do not leave most
// threads idle at the end: dealt round-robin, W3's 20 pairs on 16 threads
// ran at 56 GCUPS against 7.9 on one (kernels/PERFORMANCE.md, "Second GPU
// run"), a weak baseline for "the GPU against the CPU engine".
void bm_cpu(benchmark::State& st, std::string name, AlignMode mode, AlignOutput out, int threads) {
  const Data& d = workload_data(name);
  std::vector<SequencePair> sorted = d.pairs;
  std::stable_sort(sorted.begin(), sorted.end(), [](const SequencePair& a, const SequencePair& b) {
    return a.query.size() * a.target.size() > b.query.size() * b.target.size();
  });
  // Chunks of about an eighth of a thread's share: small enough to balance,
  // large enough that a call's overhead does not count on W1's short pairs.
  const std::size_t chunk = std::max<std::size_t>(1, sorted.size() / (static_cast<std::size_t>(threads) * 8));
  std::vector<std::unique_ptr<Engine>> engines;
  for (int t = 0; t < threads; ++t) engines.push_back(make_engine("cpu"));
  const AlignOptions opt{mode, out};
  for (auto _ : st) {
    std::atomic<std::size_t> next{0};
    auto work = [&](int t) {
      for (std::size_t at; (at = next.fetch_add(chunk)) < sorted.size();) {
        const std::span<const SequencePair> part(sorted.data() + at, std::min(chunk, sorted.size() - at));
        benchmark::DoNotOptimize(engines[static_cast<std::size_t>(t)]->align(part, d.w.scoring, opt));
      }
    };
    std::vector<std::thread> pool;
    for (int t = 1; t < threads; ++t) pool.emplace_back(work, t);
    work(0);
    for (auto& th : pool) th.join();
  }
  st.SetLabel(std::string(to_string(active_simd_level())));
  report(st, d);
}

#ifdef GPUALIGN_BENCH_PARASAIL
using PFn = parasail_result_t* (*)(const parasail_profile_t*, const char*, int, int, int);
using PProf = parasail_profile_t* (*)(const char*, int, const parasail_matrix_t*);

const parasail_matrix_t* parasail_matrix_for(const Data& d) {
  static parasail_matrix_t* dna = parasail_matrix_create("ACGTN", d.w.scoring.dna_match(), d.w.scoring.dna_mismatch());
  return d.w.scoring.alphabet() == Alphabet::dna ? dna : parasail_matrix_lookup("blosum62");
}

// A parasail profile function: profile built per query, as the engine does.
void bm_parasail(benchmark::State& st, std::string name, PProf make_profile, PFn fn) {
  const Data& d = workload_data(name);
  const auto* matrix = parasail_matrix_for(d);
  const int open = d.w.scoring.gap_open(), ext = d.w.scoring.gap_extend();
  long long sum = 0;
  for (auto _ : st) {
    for (std::size_t i = 0; i < d.pairs.size(); ++i) {
      const auto& q = d.w.queries[i].text();
      const auto& t = d.w.targets[i].text();
      parasail_profile_t* p = make_profile(q.c_str(), static_cast<int>(q.size()), matrix);
      parasail_result_t* r = fn(p, t.c_str(), static_cast<int>(t.size()), open, ext);
      sum += parasail_result_get_score(r);
      parasail_result_free(r);
      parasail_profile_free(p);
    }
  }
  benchmark::DoNotOptimize(sum);
  report(st, d);
}

// parasail's trace functions plus the CIGAR they produce.
void bm_parasail_trace(benchmark::State& st, std::string name) {
  const Data& d = workload_data(name);
  const auto* matrix = parasail_matrix_for(d);
  const int open = d.w.scoring.gap_open(), ext = d.w.scoring.gap_extend();
  long long sum = 0;
  for (auto _ : st) {
    for (std::size_t i = 0; i < d.pairs.size(); ++i) {
      const auto& q = d.w.queries[i].text();
      const auto& t = d.w.targets[i].text();
      parasail_result_t* r = parasail_sw_trace_striped_sat(q.c_str(), static_cast<int>(q.size()), t.c_str(),
                                                          static_cast<int>(t.size()), open, ext, matrix);
      parasail_cigar_t* c = parasail_result_get_cigar(r, q.c_str(), static_cast<int>(q.size()), t.c_str(),
                                                      static_cast<int>(t.size()), matrix);
      sum += parasail_result_get_score(r);
      parasail_cigar_free(c);
      parasail_result_free(r);
    }
  }
  benchmark::DoNotOptimize(sum);
  report(st, d);
}
#endif

#ifdef GPUALIGN_BENCH_SSW
// SSW with or without its CIGAR, on our codes and our matrix.
void bm_ssw(benchmark::State& st, std::string name, bool cigar) {
  const Data& d = workload_data(name);
  const auto& sc = d.w.scoring;
  std::vector<std::int8_t> mat(sc.matrix().begin(), sc.matrix().end());
  long long sum = 0;
  for (auto _ : st) {
    for (std::size_t i = 0; i < d.pairs.size(); ++i) {
      const auto q = d.pairs[i].query;
      const auto t = d.pairs[i].target;
      s_profile* p = ssw_init(reinterpret_cast<const std::int8_t*>(q.data()), static_cast<std::int32_t>(q.size()),
                              mat.data(), sc.size(), 2);
      s_align* a = ssw_align(p, reinterpret_cast<const std::int8_t*>(t.data()), static_cast<std::int32_t>(t.size()),
                             static_cast<std::uint8_t>(sc.gap_open()), static_cast<std::uint8_t>(sc.gap_extend()),
                             cigar ? 1 : 0, 0, 0, 15);
      sum += a->score1;
      align_destroy(a);
      init_destroy(p);
    }
  }
  benchmark::DoNotOptimize(sum);
  report(st, d);
}
#endif

void register_all() {
  const unsigned hw = std::max(2u, std::thread::hardware_concurrency());
  for (std::string w : {"W1", "W2", "W3", "P1"}) {
    std::vector<int> counts{1, 2};
    if (hw > 2) counts.push_back(static_cast<int>(hw));
    // One thread: rates from CPU time, like the parasail and SSW rows (this
    // machine is shared); several threads: from wall time.
    for (int th : counts) {
      auto* b = benchmark::RegisterBenchmark(("cpu/" + w + "/local/score/threads:" + std::to_string(th)).c_str(), bm_cpu,
                                             w, AlignMode::local, AlignOutput::score_end, th);
      b->Unit(benchmark::kMillisecond)->MinTime(0.3);
      if (th > 1) b->UseRealTime();
    }
#ifdef GPUALIGN_BENCH_PARASAIL
    benchmark::RegisterBenchmark(("parasail_sw_striped_profile_sat/" + w).c_str(), bm_parasail, w,
                                 parasail_profile_create_sat, parasail_sw_striped_profile_sat)
        ->Unit(benchmark::kMillisecond)->MinTime(0.3);
    benchmark::RegisterBenchmark(("parasail_sw_striped_profile_16/" + w).c_str(), bm_parasail, w,
                                 parasail_profile_create_16, parasail_sw_striped_profile_16)
        ->Unit(benchmark::kMillisecond)->MinTime(0.3);
    benchmark::RegisterBenchmark(("parasail_sw_scan_profile_16/" + w).c_str(), bm_parasail, w,
                                 parasail_profile_create_16, parasail_sw_scan_profile_16)
        ->Unit(benchmark::kMillisecond)->MinTime(0.3);
#endif
#ifdef GPUALIGN_BENCH_SSW
    benchmark::RegisterBenchmark(("ssw/" + w + "/score").c_str(), bm_ssw, w, false)->Unit(benchmark::kMillisecond);
#endif
    if (w == "W1" || w == "W2") {
      // begin_end beside cigar: the difference is the window tracebacks' cost.
      benchmark::RegisterBenchmark(("cpu/" + w + "/local/begin_end/threads:1").c_str(), bm_cpu, w, AlignMode::local,
                                   AlignOutput::begin_end, 1)
          ->Unit(benchmark::kMillisecond);
      benchmark::RegisterBenchmark(("cpu/" + w + "/local/cigar/threads:1").c_str(), bm_cpu, w, AlignMode::local,
                                   AlignOutput::cigar, 1)
          ->Unit(benchmark::kMillisecond);
#ifdef GPUALIGN_BENCH_PARASAIL
      benchmark::RegisterBenchmark(("parasail_sw_trace_striped_sat/" + w).c_str(), bm_parasail_trace, w)
          ->Unit(benchmark::kMillisecond);
#endif
#ifdef GPUALIGN_BENCH_SSW
      benchmark::RegisterBenchmark(("ssw/" + w + "/cigar").c_str(), bm_ssw, w, true)->Unit(benchmark::kMillisecond);
#endif
    }
    if (w == "W1" || w == "P1") {
      benchmark::RegisterBenchmark(("cpu/" + w + "/global/score/threads:1").c_str(), bm_cpu, w, AlignMode::global,
                                   AlignOutput::score_end, 1)
          ->Unit(benchmark::kMillisecond);
      benchmark::RegisterBenchmark(("cpu/" + w + "/semi-global/score/threads:1").c_str(), bm_cpu, w,
                                   AlignMode::semi_global, AlignOutput::score_end, 1)
          ->Unit(benchmark::kMillisecond);
#ifdef GPUALIGN_BENCH_PARASAIL
      benchmark::RegisterBenchmark(("parasail_nw_striped_profile_sat/" + w).c_str(), bm_parasail, w,
                                   parasail_profile_create_sat, parasail_nw_striped_profile_sat)
          ->Unit(benchmark::kMillisecond);
      benchmark::RegisterBenchmark(("parasail_sg_dx_striped_profile_sat/" + w).c_str(), bm_parasail, w,
                                   parasail_profile_create_sat, parasail_sg_dx_striped_profile_sat)
          ->Unit(benchmark::kMillisecond);
#endif
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  register_all();
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
