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
#include "gpualign/cigar.hpp"
#include "gpualign/engine.hpp"
#include "gpualign/error.hpp"
#include "gpualign/reference_aligner.hpp"
#include "gpualign/workloads.hpp"

namespace gpualign {
namespace {

std::unique_ptr<Engine> gpu_or_skip_reason(std::string& why) {
  auto e = make_engine("cuda");
  if (!e->available()) why = e->unavailable_reason();
  return e;
}

#define GPU_ENGINE_OR_SKIP(var)                                   \
  std::string why_;                                               \
  auto var = gpu_or_skip_reason(why_);                            \
  if (!why_.empty()) GTEST_SKIP() << "no usable GPU: " << why_

std::string random_text(std::mt19937& rng, Alphabet a, int len) {
  const std::string_view letters = a == Alphabet::dna ? std::string_view("ACGTACGTACGTACGTN") : kProteinLetters;
  std::uniform_int_distribution<int> d(0, static_cast<int>(letters.size()) - 1);
  std::string s(static_cast<std::size_t>(len), 'A');
  for (char& c : s) c = letters[static_cast<std::size_t>(d(rng))];
  return s;
}

std::string mutate(std::mt19937& rng, const std::string& src, Alphabet a) {
  std::string out;
  std::uniform_int_distribution<int> p(0, 99);
  const std::string other = random_text(rng, a, static_cast<int>(src.size()) + 2);
  for (std::size_t i = 0; i < src.size(); ++i) {
    const int r = p(rng);
    if (r < 7) out += other[i];
    else if (r < 9) continue;
    else if (r < 11) out += other[i + 1], out += src[i];
    else out += src[i];
  }
  return out.empty() ? std::string("A") : out;
}

struct Batch {
  std::vector<Sequence> seqs;
  std::vector<SequencePair> pairs;
};

Batch make_batch(std::uint32_t seed, Alphabet a, const std::vector<std::pair<int, int>>& dims) {
  std::mt19937 rng(seed);
  Batch b;
  b.seqs.reserve(dims.size() * 2);
  for (std::size_t i = 0; i < dims.size(); ++i) {
    const auto [m, n] = dims[i];
    const std::string t = random_text(rng, a, n);
    std::string q = (i % 4 == 3 || m > n) ? random_text(rng, a, m)
                                          : mutate(rng, t.substr(rng() % static_cast<unsigned>(n - m + 1), m), a);
    b.seqs.emplace_back("q", q, a);
    b.seqs.emplace_back("t", t, a);
  }
  for (std::size_t i = 0; i < dims.size(); ++i) b.pairs.push_back({b.seqs[2 * i].codes(), b.seqs[2 * i + 1].codes()});
  return b;
}

std::vector<std::pair<int, int>> mixed_dims(std::uint32_t seed, int count) {
  std::mt19937 rng(seed);
  std::vector<std::pair<int, int>> d;
  const int edges[] = {1, 7, 8, 9, 31, 32, 33, 255, 256, 257, 511, 512, 513, 2047, 2048, 2049};
  for (int e : edges) d.push_back({e, e + static_cast<int>(rng() % 40)});
  for (int i = 0; i < count; ++i) {
    const int cls = static_cast<int>(rng() % 10);
    const int m = cls < 7 ? 50 + static_cast<int>(rng() % 400) : 1000 + static_cast<int>(rng() % 5000);
    d.push_back({m, m + static_cast<int>(rng() % (2 * m))});
  }
  return d;
}

void check_batch(Engine& e, const Batch& b, const ScoringScheme& s, AlignMode mode, AlignOutput output) {
  const AlignOptions opt{mode, output};
  std::vector<Alignment> got(b.pairs.size());
  for (Alignment& a : got) {  // poison
    a.score = a.qbeg = a.qend = a.tbeg = a.tend = -777;
    a.cigar.push('X', 3);
  }
  e.align(b.pairs, s, opt, got);
  for (std::size_t i = 0; i < b.pairs.size(); ++i) {
    const Alignment ref = reference_align(b.pairs[i], s, opt);
    SCOPED_TRACE("pair " + std::to_string(i) + " " + std::to_string(b.pairs[i].query.size()) + "x" +
                 std::to_string(b.pairs[i].target.size()) + " " + std::string(to_string(mode)));
    ASSERT_EQ(got[i].status, AlignStatus::ok) << got[i].message;
    EXPECT_EQ(got[i].score, ref.score);
    EXPECT_EQ(got[i].qend, ref.qend);
    EXPECT_EQ(got[i].tend, ref.tend);
    if (output != AlignOutput::score_end) {
      EXPECT_EQ(got[i].qbeg, ref.qbeg);
      EXPECT_EQ(got[i].tbeg, ref.tbeg);
    }
    if (output == AlignOutput::cigar)
      EXPECT_EQ(rescore_cigar(got[i].cigar, b.pairs[i].query, b.pairs[i].target, got[i].qbeg, got[i].tbeg, s),
                ref.score);
  }
}

const AlignMode kModes[] = {AlignMode::local, AlignMode::global, AlignMode::semi_global};

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

TEST(CudaEngineGpu, EmptyAndTinyPairs) {
  GPU_ENGINE_OR_SKIP(e);
  const Sequence a("a", "", Alphabet::dna), c("c", "A", Alphabet::dna), g("g", "ACGT", Alphabet::dna);
  Batch b;
  b.pairs = {{a.codes(), g.codes()}, {g.codes(), a.codes()}, {c.codes(), c.codes()}, {c.codes(), g.codes()}};
  for (AlignMode m : kModes) check_batch(*e, b, ScoringScheme::dna(), m, AlignOutput::cigar);
}

// --- CIGARs traced on the GPU ------------------------------------------------------

// The engine's CIGARs (and ends) equal the reference's exactly, and the CPU
// engine's; the windows went to the GPU traceback (none fell back).
void check_gpu_cigars(Engine& e, std::span<const SequencePair> pairs, const ScoringScheme& s, AlignMode mode,
                      bool all_on_gpu) {
  const AlignOptions opt{mode, AlignOutput::cigar};
  std::vector<Alignment> got(pairs.size());
  for (Alignment& a : got) {  // poison
    a.score = a.qbeg = a.qend = a.tbeg = a.tend = -777;
    a.cigar.push('X', 3);
  }
  e.align(pairs, s, opt, got);
  auto* ce = dynamic_cast<cuda::CudaEngine*>(&e);
  ASSERT_NE(ce, nullptr);
  const cuda::CudaRunStats st = ce->last_stats();
  EXPECT_EQ(st.trace_fallbacks, 0u);
  if (all_on_gpu) EXPECT_EQ(st.trace_gpu_pairs, pairs.size());
  EXPECT_EQ(st.trace_gpu_pairs + st.trace_cpu_pairs + st.cpu_pairs, pairs.size());
  std::unique_ptr<Engine> cpu;
  try {
    cpu = make_engine("cpu");
  } catch (const Error&) {
  }
  std::vector<Alignment> by_cpu;
  if (cpu && cpu->available()) by_cpu = cpu->align(pairs, s, opt);
  for (std::size_t i = 0; i < pairs.size(); ++i) {
    const Alignment ref = reference_align(pairs[i], s, opt);
    SCOPED_TRACE("pair " + std::to_string(i) + " " + std::to_string(pairs[i].query.size()) + "x" +
                 std::to_string(pairs[i].target.size()) + " " + std::string(to_string(mode)));
    ASSERT_EQ(got[i].status, AlignStatus::ok) << got[i].message;
    EXPECT_EQ(got[i].score, ref.score);
    EXPECT_EQ(got[i].qbeg, ref.qbeg);
    EXPECT_EQ(got[i].qend, ref.qend);
    EXPECT_EQ(got[i].tbeg, ref.tbeg);
    EXPECT_EQ(got[i].tend, ref.tend);
    EXPECT_EQ(got[i].cigar.to_string(), ref.cigar.to_string());
    if (!by_cpu.empty()) EXPECT_EQ(got[i].cigar.to_string(), by_cpu[i].cigar.to_string());
  }
}

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
  GPU_ENGINE_OR_SKIP(e);
  // Pairs around strip, word and warp edges, tiny ones (local windows may be
  // empty: CPU), and two whose windows pass the 16 Mi-cell cap (CPU), in one
  // batch with the GPU windows.
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

}  // namespace
}  // namespace gpualign
