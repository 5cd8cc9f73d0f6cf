// Dispatcher: results equal reference_align on random batches with every
// backend available here (serial, threads, processes, auto) and, through a
// fake GPU engine, gpu and hybrid; GPU out-of-memory splits and retries; a
// lost GPU falls back to the CPU with one warning and no lost results;
// budgets give per-pair statuses.
#include <atomic>
#include <random>
#include <stdexcept>

#include <gtest/gtest.h>

#include "gpualign/dispatcher.hpp"
#include "gpualign/engine.hpp"
#include "gpualign/reference_aligner.hpp"
#include "support/random_sequences.hpp"

namespace gpualign {
namespace {

struct Batch {
  std::vector<Sequence> seqs;
  std::vector<SequencePair> pairs;
};

Batch random_batch(std::uint64_t seed, std::size_t n, std::size_t max_len, Alphabet a = Alphabet::dna) {
  std::mt19937_64 rng(seed);
  Batch b;
  b.seqs.reserve(2 * n);
  for (std::size_t i = 0; i < n; ++i) {
    const std::size_t lq = 1 + rng() % max_len, lt = 1 + rng() % (2 * max_len);
    const std::string q = test::random_text(rng, a, lq, 0.02);
    std::string t = test::random_text(rng, a, lt / 3) + test::mutate(rng, a, q, 0.1) + test::random_text(rng, a, lt / 3);
    b.seqs.emplace_back("q" + std::to_string(i), q, a);
    b.seqs.emplace_back("t" + std::to_string(i), t, a);
  }
  for (std::size_t i = 0; i < n; ++i) b.pairs.push_back({b.seqs[2 * i].codes(), b.seqs[2 * i + 1].codes()});
  return b;
}

void expect_reference(const Batch& b, const std::vector<Alignment>& got, const ScoringScheme& s,
                      const AlignOptions& o, const std::string& what) {
  ASSERT_EQ(got.size(), b.pairs.size()) << what;
  for (std::size_t i = 0; i < got.size(); ++i) {
    const Alignment want = reference_align(b.pairs[i], s, o);
    ASSERT_EQ(got[i].status, AlignStatus::ok) << what << " pair " << i << ": " << got[i].message;
    EXPECT_EQ(got[i].score, want.score) << what << " pair " << i;
    EXPECT_EQ(got[i].qend, want.qend) << what << " pair " << i;
    EXPECT_EQ(got[i].tend, want.tend) << what << " pair " << i;
    if (o.output >= AlignOutput::begin_end) {
      EXPECT_EQ(got[i].qbeg, want.qbeg) << what << " pair " << i;
      EXPECT_EQ(got[i].tbeg, want.tbeg) << what << " pair " << i;
    }
    if (o.output == AlignOutput::cigar)
      EXPECT_EQ(rescore_cigar(got[i].cigar, b.pairs[i].query, b.pairs[i].target, got[i].qbeg, got[i].tbeg, s),
                want.score)
          << what << " pair " << i;
  }
}

// A stand-in GPU: the reference aligner, with failures on demand.
struct FakeGpuControl {
  std::atomic<std::size_t> max_pairs{0};     // more pairs per call: "out of memory" (0 = no limit)
  std::atomic<int> lose_after_calls{-1};     // calls before the device is "lost" (-1 = never)
  std::atomic<int> calls{0};
  std::atomic<std::uint64_t> pairs_done{0};
  void reset() {
    max_pairs = 0;
    lose_after_calls = -1;
    calls = 0;
    pairs_done = 0;
  }
};
FakeGpuControl g_gpu;

class FakeGpu final : public Engine {
 public:
  std::string_view name() const noexcept override { return "fake_gpu"; }
  void align(std::span<const SequencePair> pairs, const ScoringScheme& s, const AlignOptions& o,
             std::span<Alignment> out) override {
    const int call = g_gpu.calls++;
    if (g_gpu.lose_after_calls >= 0 && call >= g_gpu.lose_after_calls)
      throw Error("CUDA error: unspecified launch failure (device lost)");
    if (g_gpu.max_pairs && pairs.size() > g_gpu.max_pairs)
      throw Error("CUDA error: out of memory allocating " + std::to_string(pairs.size()) + " pairs");
    for (std::size_t i = 0; i < pairs.size(); ++i) out[i] = reference_align(pairs[i], s, o);
    g_gpu.pairs_done += pairs.size();
  }
  using Engine::align;
};

const bool kRegistered = [] {
  register_engine("fake_gpu", [] { return std::make_unique<FakeGpu>(); });
  return true;
}();

// A profile where the fake GPU looks fast, so auto routes large batches to it.
CalibrationProfile gpu_friendly() {
  CalibrationProfile p;
  p.gpu_cells_per_second = 1e13;
  p.gpu_launch_seconds = 1e-6;
  return p;
}

DispatcherConfig config(Backend b, AlignOptions o = {}, std::string gpu = "none") {
  DispatcherConfig c;
  c.scoring = ScoringScheme::dna();
  c.options = o;
  c.backend = b;
  c.num_workers = 2;
  c.profile = builtin_profile();
  c.gpu_engine = std::move(gpu);
  c.on_warning = [](const std::string&) {};
  return c;
}

TEST(Dispatcher, EveryCpuBackendMatchesTheReference) {
  const Batch b = random_batch(1, 60, 200);
  for (AlignOptions o : {AlignOptions{AlignMode::local, AlignOutput::cigar},
                         AlignOptions{AlignMode::global, AlignOutput::begin_end},
                         AlignOptions{AlignMode::semi_global, AlignOutput::score_end}}) {
    for (Backend be : {Backend::serial, Backend::threads, Backend::processes, Backend::automatic}) {
      Dispatcher d(config(be, o));
      expect_reference(b, d.align(b.pairs), ScoringScheme::dna(), o, std::string(to_string(be)) + " " + std::string(to_string(o.mode)));
      const DispatchStats s = d.stats();
      EXPECT_EQ(s.pairs, b.pairs.size());
      EXPECT_EQ(s.batches, 1u);
    }
  }
}

TEST(Dispatcher, ProteinAndEmptyBatches) {
  const Batch b = random_batch(2, 30, 150, Alphabet::protein);
  DispatcherConfig c = config(Backend::threads, {AlignMode::local, AlignOutput::cigar});
  c.scoring = ScoringScheme::protein();
  Dispatcher d(c);
  expect_reference(b, d.align(b.pairs), c.scoring, c.options, "protein threads");
  EXPECT_TRUE(d.align(std::span<const SequencePair>{}).empty());
}

TEST(Dispatcher, AutoRunsTinyBatchesSerially) {
  const Batch b = random_batch(3, 2, 20);
  Dispatcher d(config(Backend::automatic));
  EXPECT_EQ(d.plan(b.pairs).backend, Backend::serial);
  d.align(b.pairs);
  EXPECT_EQ(d.stats().backends(), "serial");
}

TEST(Dispatcher, NoGpuForcedGpuRunsOnTheCpuWithOneWarning) {
  const Batch b = random_batch(4, 20, 100);
  std::vector<std::string> warnings;
  DispatcherConfig c = config(Backend::gpu);
  c.on_warning = [&](const std::string& w) { warnings.push_back(w); };
  Dispatcher d(c);
  EXPECT_FALSE(d.gpu_available());
  expect_reference(b, d.align(b.pairs), c.scoring, c.options, "gpu forced, none");
  d.align(b.pairs);
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_NE(warnings[0].find("no usable GPU"), std::string::npos);
  EXPECT_EQ(d.stats().gpu_cells, 0u);
}

TEST(Dispatcher, AutoWithoutGpuSaysSoOnceAtTheFirstBatch) {
  const Batch b = random_batch(6, 20, 100);
  std::vector<std::string> notes;
  DispatcherConfig c = config(Backend::automatic);
  c.gpu_engine = "no-such-gpu-engine";
  c.on_warning = [&](const std::string& w) { notes.push_back(w); };
  Dispatcher d(c);
  EXPECT_TRUE(notes.empty()) << "said before any batch: " << notes.front();
  d.align(b.pairs);
  d.align(b.pairs);
  ASSERT_EQ(notes.size(), 1u);
  EXPECT_NE(notes[0].find("no usable GPU"), std::string::npos) << notes[0];
}

TEST(Dispatcher, FakeGpuBackendsMatchTheReference) {
  const Batch b = random_batch(5, 80, 150);
  for (Backend be : {Backend::gpu, Backend::hybrid, Backend::automatic}) {
    g_gpu.reset();
    DispatcherConfig c = config(be, {AlignMode::local, AlignOutput::cigar}, "fake_gpu");
    c.profile = gpu_friendly();
    Dispatcher d(c);
    ASSERT_TRUE(d.gpu_available());
    expect_reference(b, d.align(b.pairs), c.scoring, c.options, std::string(to_string(be)));
    EXPECT_GT(g_gpu.pairs_done.load(), 0u) << to_string(be);
    if (be == Backend::automatic) EXPECT_NE(d.stats().backends().find("gpu"), std::string::npos) << d.stats().backends();
  }
}

TEST(Dispatcher, HybridSharesWorkBetweenGpuAndCpu) {
  const Batch b = random_batch(6, 200, 120);
  g_gpu.reset();
  DispatcherConfig c = config(Backend::hybrid, {}, "fake_gpu");
  Dispatcher d(c);
  expect_reference(b, d.align(b.pairs), c.scoring, c.options, "hybrid");
  const DispatchStats s = d.stats();
  EXPECT_EQ(s.gpu_cells + s.cpu_cells, s.cells);
  EXPECT_GT(s.gpu_cells, 0u);
}

TEST(Dispatcher, GpuOutOfMemorySplitsAndRetries) {
  const Batch b = random_batch(7, 40, 100);
  g_gpu.reset();
  g_gpu.max_pairs = 3;
  DispatcherConfig c = config(Backend::gpu, {}, "fake_gpu");
  Dispatcher d(c);
  expect_reference(b, d.align(b.pairs), c.scoring, c.options, "gpu oom");
  const DispatchStats s = d.stats();
  EXPECT_GT(s.gpu_splits, 0u);
  EXPECT_EQ(g_gpu.pairs_done.load(), b.pairs.size());  // all done on the GPU after splitting
  EXPECT_EQ(s.gpu_fallback_pairs, 0u);
}

TEST(Dispatcher, LostGpuFallsBackToTheCpuWithoutLosingResults) {
  const Batch b = random_batch(8, 60, 100);
  for (Backend be : {Backend::gpu, Backend::hybrid}) {
    g_gpu.reset();
    // gpu: the second of several launches fails, mid-batch.  hybrid: the
    // first GPU launch fails, since how many launches the GPU feeder gets
    // before the CPU workers drain the queue depends on timing.
    g_gpu.lose_after_calls = be == Backend::gpu ? 1 : 0;
    std::vector<std::string> warnings;
    DispatcherConfig c = config(be, {AlignMode::local, AlignOutput::cigar}, "fake_gpu");
    c.device_budget_bytes = 20000;  // several launches
    c.on_warning = [&](const std::string& w) { warnings.push_back(w); };
    Dispatcher d(c);
    expect_reference(b, d.align(b.pairs), c.scoring, c.options, "lost gpu " + std::string(to_string(be)));
    if (be == Backend::hybrid && g_gpu.calls.load() == 0) {
      // The CPU workers took every pair before the feeder started (a loaded
      // machine): no loss to see, and nothing may have been said.
      EXPECT_TRUE(warnings.empty());
      continue;
    }
    EXPECT_FALSE(d.gpu_available());
    ASSERT_EQ(warnings.size(), 1u);
    EXPECT_NE(warnings[0].find("device lost"), std::string::npos);
    // The next batch runs on the CPU directly.
    expect_reference(b, d.align(b.pairs), c.scoring, c.options, "after loss");
    EXPECT_EQ(warnings.size(), 1u);
  }
}

TEST(Dispatcher, PairOverTheHostBudgetFailsAlone) {
  Batch b = random_batch(9, 10, 50);
  std::mt19937_64 rng(9);
  b.seqs.emplace_back("big_q", test::random_text(rng, Alphabet::dna, 3000), Alphabet::dna);
  b.seqs.emplace_back("big_t", test::random_text(rng, Alphabet::dna, 3000), Alphabet::dna);
  b.pairs.clear();
  for (std::size_t i = 0; i + 1 < b.seqs.size(); i += 2) b.pairs.push_back({b.seqs[i].codes(), b.seqs[i + 1].codes()});
  const AlignOptions o{AlignMode::local, AlignOutput::cigar};
  // The budget holds any small pair, not the big one, as the CPU engine estimates them.
  auto engine = make_engine(Dispatcher(config(Backend::serial)).cpu_engine_name());
  std::uint64_t small_max = 0;
  for (std::size_t i = 0; i + 1 < b.pairs.size(); ++i)
    small_max = std::max(small_max, engine->estimate_host_bytes(b.pairs[i], o));
  ASSERT_GT(engine->estimate_host_bytes(b.pairs.back(), o), small_max);
  MemoryBudget budget(small_max);
  for (Backend be : {Backend::serial, Backend::threads}) {
    DispatcherConfig c = config(be, o);
    c.host_budget = &budget;
    Dispatcher d(c);
    const auto r = d.align(b.pairs);
    for (std::size_t i = 0; i + 1 < r.size(); ++i) EXPECT_EQ(r[i].status, AlignStatus::ok) << i;
    EXPECT_EQ(r.back().status, AlignStatus::too_large) << to_string(be);
    EXPECT_LE(budget.peak(), budget.capacity());
  }
}

TEST(Dispatcher, UnknownEngineIsAnError) {
  DispatcherConfig c = config(Backend::serial);
  c.cpu_engine = "no_such_engine";
  EXPECT_THROW(Dispatcher{c}, Error);
}

}  // namespace
}  // namespace gpualign
