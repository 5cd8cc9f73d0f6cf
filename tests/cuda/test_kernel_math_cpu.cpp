// CPU checks of the CUDA engine's math (label cpu, runs in every build): the
// __host__ __device__ recurrences, the packed 16-bit emulation of the DPX
// operations, and both kernels' tilings (the inter-sequence strip loop, the
// intra-sequence warp wavefront on a fiber warp emulator), compared with the
// exact reference aligner on random pairs in every mode.

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "gpualign/reference_aligner.hpp"
#include "kernel_emulation.hpp"

namespace gpualign {
namespace {

using test::Kernel;

// --- packed 16-bit operations --------------------------------------------------

TEST(PackedS16x2, EmulationMatchesPerHalfwordSemantics) {
  std::mt19937 rng(7);
  std::uniform_int_distribution<int> d(-32768, 32767);
  for (int it = 0; it < 20000; ++it) {
    const int a0 = d(rng), a1 = d(rng), b0 = d(rng), b1 = d(rng), c0 = d(rng), c1 = d(rng);
    const auto a = kern::pk(a0, a1), b = kern::pk(b0, b1), c = kern::pk(c0, c1);
    auto wrap = [](int v) { return static_cast<int>(static_cast<std::int16_t>(static_cast<std::uint16_t>(v))); };
    ASSERT_EQ(kern::pk_lo(a), a0);
    ASSERT_EQ(kern::pk_hi(a), a1);
    ASSERT_EQ(kern::add2(a, b), kern::pk(wrap(a0 + b0), wrap(a1 + b1)));
    ASSERT_EQ(kern::sub2(a, b), kern::pk(wrap(a0 - b0), wrap(a1 - b1)));
    ASSERT_EQ(kern::max2(a, b), kern::pk(std::max(a0, b0), std::max(a1, b1)));
    ASSERT_EQ(kern::max3(a, b, c), kern::pk(std::max({a0, b0, c0}), std::max({a1, b1, c1})));
    ASSERT_EQ(kern::addmax(a, b, c), kern::pk(std::max(wrap(a0 + b0), c0), std::max(wrap(a1 + b1), c1)));
  }
}

TEST(PackedS16x2, OpsTraitsAgreeWithScalarOnInRangeValues) {
  using P = kern::OpsS16x2;
  using S = kern::OpsI32;
  std::mt19937 rng(11);
  std::uniform_int_distribution<int> d(-10000, 10000);
  for (int it = 0; it < 5000; ++it) {
    const int a0 = d(rng), a1 = d(rng), b0 = d(rng), b1 = d(rng), c0 = d(rng), c1 = d(rng);
    const auto r = P::addmax(P::make(a0, a1), P::make(b0, b1), P::make(c0, c1));
    ASSERT_EQ(P::get(r, 0), S::addmax(a0, b0, c0));
    ASSERT_EQ(P::get(r, 1), S::addmax(a1, b1, c1));
  }
}

// --- random pairs ----------------------------------------------------------------

struct Batch {
  std::vector<Sequence> seqs;
  std::vector<SequencePair> pairs;
};

std::string random_text(std::mt19937& rng, Alphabet a, int len, bool ambiguous) {
  const std::string_view letters = a == Alphabet::dna ? (ambiguous ? "ACGTACGTACGTNRY" : "ACGT") : kProteinLetters;
  std::uniform_int_distribution<int> d(0, static_cast<int>(letters.size()) - 1);
  std::string s(static_cast<std::size_t>(len), 'A');
  for (char& c : s) c = letters[static_cast<std::size_t>(d(rng))];
  return s;
}

// Query copied from the target with ~15% edits, so alignments are long and
// end positions are interesting; plus unrelated pairs.
std::string mutate(std::mt19937& rng, const std::string& src, Alphabet a) {
  std::string out;
  std::uniform_int_distribution<int> p(0, 99);
  const std::string other = random_text(rng, a, static_cast<int>(src.size()) + 8, false);
  for (std::size_t i = 0; i < src.size(); ++i) {
    const int r = p(rng);
    if (r < 8) out += other[i];
    else if (r < 11) continue;
    else if (r < 14) out += other[i + 1], out += src[i];
    else out += src[i];
  }
  return out;
}

Batch make_batch(std::uint32_t seed, Alphabet a, const std::vector<std::pair<int, int>>& dims) {
  std::mt19937 rng(seed);
  Batch b;
  b.seqs.reserve(dims.size() * 2);
  for (std::size_t i = 0; i < dims.size(); ++i) {
    const auto [m, n] = dims[i];
    const std::string t = random_text(rng, a, n, i % 3 == 0);
    std::string q;
    if (i % 4 == 3 || m > n) {
      q = random_text(rng, a, m, i % 5 == 0);
    } else {
      std::uniform_int_distribution<int> off(0, std::max(0, n - m));
      q = mutate(rng, t.substr(static_cast<std::size_t>(off(rng)), static_cast<std::size_t>(m)), a);
      if (q.empty()) q = "A";
    }
    b.seqs.emplace_back("q" + std::to_string(i), q, a);
    b.seqs.emplace_back("t" + std::to_string(i), t, a);
  }
  for (std::size_t i = 0; i < dims.size(); ++i) b.pairs.push_back({b.seqs[2 * i].codes(), b.seqs[2 * i + 1].codes()});
  return b;
}

void expect_ends_match(const Batch& b, const ScoringScheme& s, AlignMode mode, Kernel k, bool sixteen,
                       int capacity = 3) {
  const auto ends = test::emulate_ends(b.pairs, s, mode, k, sixteen, capacity);
  for (std::size_t i = 0; i < b.pairs.size(); ++i) {
    const Alignment ref = reference_align(b.pairs[i], s, AlignOptions{mode, AlignOutput::score_end});
    SCOPED_TRACE("pair " + std::to_string(i) + " " + std::to_string(b.pairs[i].query.size()) + "x" +
                 std::to_string(b.pairs[i].target.size()) + " mode " + std::string(to_string(mode)) +
                 (sixteen ? " 16-bit" : " 32-bit"));
    EXPECT_FALSE(ends[i].overflow);
    EXPECT_EQ(ends[i].score, ref.score);
    EXPECT_EQ(ends[i].qend, ref.qend);
    EXPECT_EQ(ends[i].tend, ref.tend);
  }
}

const AlignMode kModes[] = {AlignMode::local, AlignMode::global, AlignMode::semi_global};

// Sizes around the strip (8 rows), word (4/8 codes), warp (32) boundaries.
std::vector<std::pair<int, int>> inter_dims() {
  return {{1, 1}, {1, 9},   {7, 7},   {8, 8},   {9, 31},  {15, 40}, {16, 33},  {17, 64}, {31, 65},
          {32, 32}, {33, 90}, {40, 20}, {63, 100}, {64, 64}, {65, 129}, {100, 250}, {150, 300}, {120, 119},
          {5, 200}, {200, 5}, {2, 3},   {77, 78},  {48, 160}, {96, 96},  {129, 200}, {33, 33}, {70, 300},
          {10, 11}, {11, 10}, {3, 300}, {250, 400}, {12, 13}, {13, 12},  {44, 45}};
}

class InterKernelCpu : public ::testing::TestWithParam<int> {};

TEST_P(InterKernelCpu, DnaMatchesReference) {
  const bool sixteen = GetParam() == 16;
  const Batch b = make_batch(101, Alphabet::dna, inter_dims());
  for (AlignMode m : kModes) expect_ends_match(b, ScoringScheme::dna(), m, Kernel::inter, sixteen);
}

TEST_P(InterKernelCpu, ProteinMatchesReference) {
  const bool sixteen = GetParam() == 16;
  const Batch b = make_batch(202, Alphabet::protein, inter_dims());
  for (AlignMode m : kModes) expect_ends_match(b, ScoringScheme::protein(), m, Kernel::inter, sixteen);
}

TEST_P(InterKernelCpu, OtherScoringMatchesReference) {
  const bool sixteen = GetParam() == 16;
  const Batch b = make_batch(303, Alphabet::dna, inter_dims());
  for (AlignMode m : kModes) expect_ends_match(b, ScoringScheme::dna(1, -1, 2, 1, -1), m, Kernel::inter, sixteen);
  const Batch p = make_batch(304, Alphabet::protein, inter_dims());
  for (AlignMode m : kModes)
    expect_ends_match(p, ScoringScheme::protein("PAM250", 10, 10), m, Kernel::inter, sixteen);
}

INSTANTIATE_TEST_SUITE_P(Width, InterKernelCpu, ::testing::Values(32, 16));

// Intra: sizes around the 256-row tile and 32-column chunk boundaries; a
// worker capacity of 3 makes several warps pipeline the tiles of one slot.
std::vector<std::pair<int, int>> intra_dims() {
  return {{1, 40}, {31, 33}, {255, 300}, {256, 256}, {257, 320}, {300, 33}, {520, 64}, {513, 700}, {90, 31}, {64, 1}};
}

class IntraKernelCpu : public ::testing::TestWithParam<int> {};

TEST_P(IntraKernelCpu, DnaMatchesReference) {
  const bool sixteen = GetParam() == 16;
  const Batch b = make_batch(404, Alphabet::dna, intra_dims());
  for (AlignMode m : kModes) expect_ends_match(b, ScoringScheme::dna(), m, Kernel::intra, sixteen);
}

TEST_P(IntraKernelCpu, ProteinMatchesReference) {
  const bool sixteen = GetParam() == 16;
  const Batch b = make_batch(505, Alphabet::protein, {{300, 280}, {257, 200}, {40, 90}, {600, 100}});
  for (AlignMode m : kModes) expect_ends_match(b, ScoringScheme::protein(), m, Kernel::intra, sixteen, 5);
}

TEST_P(IntraKernelCpu, OneWorkerPerSlot) {
  const bool sixteen = GetParam() == 16;
  const Batch b = make_batch(606, Alphabet::dna, {{600, 300}, {270, 290}});
  for (AlignMode m : kModes) expect_ends_match(b, ScoringScheme::dna(), m, Kernel::intra, sixteen, 1);
}

INSTANTIATE_TEST_SUITE_P(Width, IntraKernelCpu, ::testing::Values(32, 16));

// --- begins: the same kernel on reversed prefixes --------------------------------

TEST(KernelBeginsCpu, ReversePassGivesReferenceBegins) {
  const Batch b = make_batch(707, Alphabet::dna, inter_dims());
  const ScoringScheme s = ScoringScheme::dna();
  for (AlignMode m : {AlignMode::local, AlignMode::semi_global}) {
    const auto fwd = test::emulate_ends(b.pairs, s, m, Kernel::inter, true);
    std::vector<std::vector<std::uint8_t>> rq(b.pairs.size()), rt(b.pairs.size());
    std::vector<SequencePair> rev;
    for (std::size_t i = 0; i < b.pairs.size(); ++i) {
      rq[i].assign(b.pairs[i].query.begin(), b.pairs[i].query.begin() + fwd[i].qend);
      rt[i].assign(b.pairs[i].target.begin(), b.pairs[i].target.begin() + fwd[i].tend);
      std::reverse(rq[i].begin(), rq[i].end());
      std::reverse(rt[i].begin(), rt[i].end());
      rev.push_back({rq[i], rt[i]});
    }
    // Empty reversed prefixes (local score 0, or semi-global at column 0) are
    // the engine's CPU path; align them with the reference here.
    for (std::size_t i = 0; i < b.pairs.size(); ++i) {
      const Alignment ref = reference_align(b.pairs[i], s, AlignOptions{m, AlignOutput::begin_end});
      long long qb, tb;
      if (rq[i].empty() || rt[i].empty()) {
        const Alignment r = reference_align(rev[i], s, AlignOptions{m, AlignOutput::score_end});
        qb = fwd[i].qend - r.qend;
        tb = fwd[i].tend - r.tend;
      } else {
        const SequencePair one[] = {rev[i]};
        const auto back = test::emulate_ends(one, s, m, Kernel::intra, false, 2);
        EXPECT_EQ(back[0].score, fwd[i].score) << "pair " << i;
        qb = fwd[i].qend - back[0].qend;
        tb = fwd[i].tend - back[0].tend;
      }
      EXPECT_EQ(qb, ref.qbeg) << "pair " << i << " mode " << to_string(m);
      EXPECT_EQ(tb, ref.tbeg) << "pair " << i << " mode " << to_string(m);
    }
  }
}

// --- 16-bit overflow ----------------------------------------------------------------

TEST(Overflow16Cpu, HighScoresAreFlaggedAndExactAt32Bit) {
  // Match 100 on identical 700-mers: local score 70000, past any 16-bit range.
  const ScoringScheme s = ScoringScheme::dna(100, -100, 150, 50);
  std::mt19937 rng(9);
  const std::string t = random_text(rng, Alphabet::dna, 700, false);
  std::vector<Sequence> seqs{{"q", t, Alphabet::dna}, {"t", t, Alphabet::dna},
                             {"q2", t.substr(0, 100), Alphabet::dna}, {"t2", t.substr(0, 150), Alphabet::dna}};
  const std::vector<SequencePair> pairs{{seqs[0].codes(), seqs[1].codes()}, {seqs[2].codes(), seqs[3].codes()}};
  for (Kernel k : {Kernel::inter, Kernel::intra}) {
    const auto e16 = test::emulate_ends(pairs, s, AlignMode::local, k, true);
    EXPECT_TRUE(e16[0].overflow);
    EXPECT_FALSE(e16[1].overflow);  // 10000 fits
    const auto e32 = test::emulate_ends(pairs, s, AlignMode::local, k, false);
    for (std::size_t i = 0; i < pairs.size(); ++i) {
      const Alignment ref = reference_align(pairs[i], s, AlignOptions{AlignMode::local, AlignOutput::score_end});
      EXPECT_FALSE(e32[i].overflow);
      EXPECT_EQ(e32[i].score, ref.score);
      EXPECT_EQ(e32[i].qend, ref.qend);
      EXPECT_EQ(e32[i].tend, ref.tend);
    }
    EXPECT_EQ(e16[1].score, 10000);
  }
}

TEST(Overflow16Cpu, LongGlobalPairsAreNot16BitEligible) {
  const kern::PlanScoring ps = test::plan_scoring(ScoringScheme::dna(), AlignMode::global);
  int bias = 0;
  EXPECT_TRUE(kern::bias16(ps, 300, 600, bias));
  EXPECT_FALSE(kern::bias16(ps, 10000, 20000, bias));
  const kern::PlanScoring pl = test::plan_scoring(ScoringScheme::dna(), AlignMode::local);
  EXPECT_TRUE(kern::bias16(pl, 100000, 1000000, bias));
}

}  // namespace
}  // namespace gpualign
