// The CUDA engine against the exact reference on a GPU (label gpu).  Every
// test skips, saying why, where no usable device exists.  Batches mix every
// size class (inter and intra kernels, 16-bit and 32-bit, overflow reruns);
// lengths sit around the strip, tile and warp boundaries; outputs start
// poisoned so a result the engine forgot to write cannot pass.

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "cuda/cuda_engine.hpp"
#include "engine_checks.hpp"
#include "gpualign/engine.hpp"
#include "gpualign/workloads.hpp"

namespace gpualign {
namespace {

using test::Batch;
using test::check_batch;
using test::check_gpu_cigars;
using test::kModes;
using test::make_batch;
using test::mixed_dims;

std::unique_ptr<Engine> gpu_or_skip_reason(std::string& why) {
  auto e = make_engine("cuda");
  if (!e->available()) why = e->unavailable_reason();
  return e;
}

#define GPU_ENGINE_OR_SKIP(var)                                   \
  std::string why_;                                               \
  auto var = gpu_or_skip_reason(why_);                            \
  if (!why_.empty()) GTEST_SKIP() << "no usable GPU: " << why_

// The same for an engine of a given cuda::CudaTuning.
#define TUNED_GPU_ENGINE_OR_SKIP(var, tuning)                     \
  std::string why_;                                               \
  gpu_or_skip_reason(why_);                                       \
  if (!why_.empty()) GTEST_SKIP() << "no usable GPU: " << why_;   \
  cuda::CudaEngine var(tuning)

TEST(CudaEngineGpu, DnaAllModesAllOutputs) {
  GPU_ENGINE_OR_SKIP(e);
  const Batch b = make_batch(1, Alphabet::dna, mixed_dims(1, 120));
  for (AlignMode m : kModes)
    for (AlignOutput o : {AlignOutput::score_end, AlignOutput::begin_end, AlignOutput::cigar})
      check_batch(*e, b, ScoringScheme::dna(), m, o);
}

TEST(CudaEngineGpu, ProteinAllModes) {
  GPU_ENGINE_OR_SKIP(e);
  const Batch b = make_batch(2, Alphabet::protein, mixed_dims(2, 60));
  for (AlignMode m : kModes) check_batch(*e, b, ScoringScheme::protein(), m, AlignOutput::cigar);
}

TEST(CudaEngineGpu, SaturatingScoresRerunAt32Bit) {
  GPU_ENGINE_OR_SKIP(e);
  // Match 100: identical pairs past 16-bit range, next to pairs that fit.
  const Batch b = make_batch(3, Alphabet::dna, {{700, 700}, {3000, 3500}, {100, 150}, {40, 60}});
  for (AlignMode m : kModes) check_batch(*e, b, ScoringScheme::dna(100, -100, 150, 50), m, AlignOutput::begin_end);
  auto* ce = dynamic_cast<cuda::CudaEngine*>(e.get());
  ASSERT_NE(ce, nullptr);
}

TEST(CudaEngineGpu, LongPairAcrossManyTiles) {
  GPU_ENGINE_OR_SKIP(e);
  const Batch b = make_batch(4, Alphabet::dna, {{20000, 60000}, {9000, 9000}});
  check_batch(*e, b, ScoringScheme::dna(), AlignMode::local, AlignOutput::begin_end);
  check_batch(*e, b, ScoringScheme::dna(), AlignMode::semi_global, AlignOutput::score_end);
}

// The longest pairs, 100 kb x 1 Mb, are beyond the reference in a
// test's time, so this one is built with a known answer: the query is a
// piece of the target (at `at`) with isolated substitutions, 997 bases
// apart and 1,000 from its ends.  The best local alignment is that copy,
// straight down its diagonal: every stretch between substitutions adds
// ~2,000, and a substitution costs match - mismatch = 5 where any detour
// costs two gaps (>= 14).  So score = (m - k) * 2 - 3k, begin (0, at), end
// (m, at + m), unique.  ~200,000 is past 16-bit range: the 16-bit pass
// must detect it and rerun the pair at 32-bit.
TEST(CudaEngineGpu, LongestPairsHundredKbByOneMb) {
  GPU_ENGINE_OR_SKIP(e);
  std::mt19937 rng(29);
  const std::string acgt = "ACGT";
  std::string t(1000000, 'A');
  for (char& c : t) c = acgt[rng() & 3u];
  const int m = 100000, at = 654321;
  std::string q = t.substr(at, m);
  int subs = 0;
  for (int p = 1000; p + 1000 <= m; p += 997, ++subs)
    q[p] = acgt[(acgt.find(q[p]) + 1 + rng() % 3) & 3u];  // another base
  const Sequence qs("q", q, Alphabet::dna), ts("t", t, Alphabet::dna);
  const SequencePair pair{qs.codes(), ts.codes()};
  std::vector<Alignment> out(1);
  out[0].score = -12345;  // poisoned
  e->align(std::span<const SequencePair>(&pair, 1), ScoringScheme::dna(),
           AlignOptions{AlignMode::local, AlignOutput::begin_end}, out);
  EXPECT_EQ(out[0].status, AlignStatus::ok) << out[0].message;
  EXPECT_EQ(out[0].score, std::int64_t{m - subs} * 2 - std::int64_t{subs} * 3);
  EXPECT_EQ(out[0].qbeg, 0);
  EXPECT_EQ(out[0].qend, m);
  EXPECT_EQ(out[0].tbeg, at);
  EXPECT_EQ(out[0].tend, at + m);
  const auto* ce = dynamic_cast<const cuda::CudaEngine*>(e.get());
  ASSERT_NE(ce, nullptr);
  EXPECT_GE(ce->last_stats().reruns_32bit, 1u);  // the 16-bit pass overflowed
  EXPECT_EQ(ce->last_stats().cpu_pairs, 0u);
}

TEST(CudaEngineGpu, LongPairsOnShortTiles) {
  cuda::CudaTuning t;
  t.intra_rows = 4;  // 128-row tiles at 16-bit
  TUNED_GPU_ENGINE_OR_SKIP(e, t);
  // Sized for the reference's time (one core): ~1.5e8 cells a mode.
  const Batch b = make_batch(7, Alphabet::dna, {{9000, 12000}, {2049, 3000}, {129, 5000}, {4000, 127}, {3000, 3001}});
  for (AlignMode m : kModes) check_batch(e, b, ScoringScheme::dna(), m, AlignOutput::begin_end);
  const Batch p = make_batch(8, Alphabet::protein, {{3000, 2500}, {2100, 2600}});
  check_batch(e, p, ScoringScheme::protein(), AlignMode::local, AlignOutput::cigar);
}

// A tuning's engine on mixed DNA (seed, `dna_pairs` random pairs) and
// protein (seed + 1, 60) batches in every mode, then on the DNA past 16-bit
// range (32-bit reruns).
void check_mixed_batches(Engine& e, std::uint32_t seed, int dna_pairs, AlignOutput dna_out, AlignOutput protein_out) {
  const Batch b = make_batch(seed, Alphabet::dna, mixed_dims(seed, dna_pairs));
  const Batch p = make_batch(seed + 1, Alphabet::protein, mixed_dims(seed + 1, 60));
  for (AlignMode m : kModes) {
    check_batch(e, b, ScoringScheme::dna(), m, dna_out);
    check_batch(e, p, ScoringScheme::protein(), m, protein_out);
  }
  check_batch(e, b, ScoringScheme::dna(100, -100, 150, 50), AlignMode::local, AlignOutput::score_end);
}

TEST(CudaEngineGpu, PrefixMaximumF) {
  cuda::CudaTuning t;
  t.prefix_f = true;  // F as a prefix maximum (16-bit inter and whole-warp intra)
  t.short_kernel = cuda::CudaTuning::ShortKernel::threads;  // the inter kernel's prefix form too
  TUNED_GPU_ENGINE_OR_SKIP(e, t);
  check_mixed_batches(e, 9, 120, AlignOutput::begin_end, AlignOutput::cigar);
}

// Transposed problems (CudaTuning::transpose): every pair whose target is
// the longer, on the intra kernel's target rows (the default transposes
// only where it pays, and the tests above run it), and every pair as
// given; then low-complexity pairs, whose many equally good ends the tie
// rule decides, long (several tiles, several warps) and short.
TEST(CudaEngineGpu, TransposedAndAsGiven) {
  for (auto rule : {cuda::CudaTuning::Transpose::always, cuda::CudaTuning::Transpose::never}) {
    cuda::CudaTuning t;
    t.transpose = rule;
    TUNED_GPU_ENGINE_OR_SKIP(e, t);
    check_mixed_batches(e, 11, 120, AlignOutput::begin_end, AlignOutput::cigar);
    Batch r;
    const std::string motifs[] = {"ACGTTA", "AAC", "AGAGAT", "T"};
    for (int i = 0; i < 8; ++i) {
      const std::string& mo = motifs[i % 4];
      std::string q, tg;
      while (q.size() < static_cast<std::size_t>(40 + 500 * i)) q += mo;
      while (tg.size() < static_cast<std::size_t>(3000 + 1500 * i)) tg += tg.size() % 997 < mo.size() ? "G" : mo;
      r.seqs.emplace_back("q", q, Alphabet::dna);
      r.seqs.emplace_back("t", tg, Alphabet::dna);
    }
    for (std::size_t i = 0; i + 1 < r.seqs.size(); i += 2) r.pairs.push_back({r.seqs[i].codes(), r.seqs[i + 1].codes()});
    for (AlignMode m : kModes) {
      check_batch(e, r, ScoringScheme::dna(1, -1, 2, 1), m, AlignOutput::begin_end);
      if (rule == cuda::CudaTuning::Transpose::always && m != AlignMode::semi_global)
        EXPECT_GE(e.last_stats().transposed, r.pairs.size());
      else EXPECT_EQ(e.last_stats().transposed, 0u);
    }
  }
}

// Short pairs on the kernels that the default (whole warps) does not use.
class CudaEngineGpuShortKernel : public ::testing::TestWithParam<cuda::CudaTuning::ShortKernel> {};

TEST_P(CudaEngineGpuShortKernel, MatchesReference) {
  cuda::CudaTuning t;
  t.short_kernel = GetParam();
  TUNED_GPU_ENGINE_OR_SKIP(e, t);
  check_mixed_batches(e, 5, 150, AlignOutput::cigar, AlignOutput::begin_end);
}

INSTANTIATE_TEST_SUITE_P(Short, CudaEngineGpuShortKernel,
                         ::testing::Values(cuda::CudaTuning::ShortKernel::narrow_workers,
                                           cuda::CudaTuning::ShortKernel::threads),
                         [](const auto& i) {
                           return i.param == cuda::CudaTuning::ShortKernel::threads ? std::string("Threads")
                                                                                    : std::string("NarrowWorkers");
                         });

TEST(CudaEngineGpu, EmptyAndTinyPairs) {
  GPU_ENGINE_OR_SKIP(e);
  const Batch b = test::tiny_batch();
  for (AlignMode m : kModes) check_batch(*e, b, ScoringScheme::dna(), m, AlignOutput::cigar);
}

// --- CIGARs traced on the GPU ------------------------------------------------------

TEST(CudaEngineGpu, TracebackW1LikeOnTheGpu) {
  GPU_ENGINE_OR_SKIP(e);
  const Workload w = make_workload("W1", 21, 0.05);  // 1,000 pairs
  const auto pairs = w.pairs();
  for (AlignMode m : kModes) check_gpu_cigars(*e, pairs, w.scoring, m, true);
  check_gpu_cigars(*e, pairs, ScoringScheme::dna(1, -1, 2, 1), AlignMode::local, true);
}

TEST(CudaEngineGpu, TracebackP1LikeOnTheGpu) {
  GPU_ENGINE_OR_SKIP(e);
  const Workload w = make_workload("P1", 22, 0.06);  // 300 pairs
  const auto pairs = w.pairs();
  for (AlignMode m : kModes) check_gpu_cigars(*e, pairs, w.scoring, m, true);
}

TEST(CudaEngineGpu, TracebackMixedSizesAndEdges) {
  GPU_ENGINE_OR_SKIP(probe);
  // Pairs around strip, word and warp edges, tiny ones (local windows may be
  // empty: CPU), and two whose windows pass a 16 Mi-cell cap (CPU), in one
  // batch with the GPU windows.
  cuda::CudaTuning capped;
  capped.trace_max_cells = std::uint64_t{16} << 20;
  auto e = std::make_unique<cuda::CudaEngine>(capped);
  std::mt19937 rng(23);
  std::vector<std::pair<int, int>> dims = {{1, 1}, {1, 40}, {7, 9}, {8, 8}, {9, 30}, {31, 33}, {32, 32},
                                           {33, 70}, {63, 64}, {64, 64}, {65, 130}, {127, 128}, {129, 260}};
  for (int i = 0; i < 80; ++i) {
    const int m = 20 + static_cast<int>(rng() % 600);
    dims.push_back({m, m + static_cast<int>(rng() % (m + 1))});
  }
  dims.push_back({4500, 4700});
  dims.push_back({4300, 5000});
  const Batch b = make_batch(23, Alphabet::dna, dims);
  for (AlignMode m : kModes) check_gpu_cigars(*e, b.pairs, ScoringScheme::dna(), m, false);
  dims.resize(dims.size() - 2);
  const Batch p = make_batch(24, Alphabet::protein, dims);
  for (AlignMode m : kModes) check_gpu_cigars(*e, p.pairs, ScoringScheme::protein("BLOSUM62", 5, 2), m, false);
}

TEST(CudaEngineGpu, TracebackLargeWindowsOnTheGpu) {
  GPU_ENGINE_OR_SKIP(e);
  // W2-sized windows (~3.5e7 cells), under the default cap: a GPU warp each.
  const Batch b = make_batch(25, Alphabet::dna, {{5800, 6400}, {6000, 6100}, {3000, 7000}});
  check_gpu_cigars(*e, b.pairs, ScoringScheme::dna(), AlignMode::local, true);
  // The same with a thread each (the other traceback kernel).
  cuda::CudaTuning threads;
  threads.warp_trace_min_cells = ~std::uint64_t{0};
  cuda::CudaEngine t(threads);
  check_gpu_cigars(t, b.pairs, ScoringScheme::dna(), AlignMode::local, true);
}

TEST(CudaEngineGpu, TracebackW3SizedWindowsSharedByWarps) {
  GPU_ENGINE_OR_SKIP(e);
  // W3-sized windows (global: the whole pairs, ~1.2e8-1.7e8 cells, 40-47
  // tiles), under the default cap: several warps each, their tiles
  // pipelined, then one warp's cached walk back.
  const Batch b = make_batch(28, Alphabet::dna, {{12000, 14000}, {10000, 12500}});
  check_gpu_cigars(*e, b.pairs, ScoringScheme::dna(), AlignMode::global, true);
}

// Few and small enough for compute-sanitizer's racecheck, which did not get
// through TracebackEveryWindowAWarp in 40 s (scripts/gpu-sanitize.sh): the
// warp traceback's walk cache and its asynchronous copies on windows around
// the tile, strip and chunk edges.
TEST(CudaEngineGpu, TracebackAFewWindowsAWarp) {
  cuda::CudaTuning warps;
  warps.warp_trace_min_cells = 0;
  TUNED_GPU_ENGINE_OR_SKIP(e, warps);
  const Batch b = make_batch(30, Alphabet::dna, {{1, 1}, {40, 1}, {1, 40}, {31, 33}, {255, 257}, {257, 255}, {300, 700}});
  check_gpu_cigars(e, b.pairs, ScoringScheme::dna(), AlignMode::local, false);
}

TEST(CudaEngineGpu, TracebackEveryWindowAWarp) {
  GPU_ENGINE_OR_SKIP(probe);
  // Windows around the 256-row tile, the strip and the 32-column chunk, and
  // random ones, all on the warp traceback kernel.
  cuda::CudaTuning warps;
  warps.warp_trace_min_cells = 0;
  cuda::CudaEngine e(warps);
  std::mt19937 rng(26);
  std::vector<std::pair<int, int>> dims = {{1, 1},     {1, 40},    {40, 1},    {8, 8},     {31, 33},
                                           {255, 257}, {256, 256}, {257, 255}, {513, 100}, {100, 513}};
  for (int i = 0; i < 200; ++i) {
    const int m = 20 + static_cast<int>(rng() % 1500);
    dims.push_back({m, m + static_cast<int>(rng() % (m + 1))});
  }
  const Batch b = make_batch(26, Alphabet::dna, dims);
  for (AlignMode m : kModes) check_gpu_cigars(e, b.pairs, ScoringScheme::dna(), m, false);
  const Batch p = make_batch(27, Alphabet::protein, dims);
  check_gpu_cigars(e, p.pairs, ScoringScheme::protein(), AlignMode::local, false);
}

}  // namespace
}  // namespace gpualign
