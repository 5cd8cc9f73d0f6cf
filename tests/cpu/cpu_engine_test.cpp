// The CPU engine against the exact reference aligner: every SIMD level this
// machine supports (each forced in turn), both kernels, every starting
// width, all modes, DNA and protein.  Results must be identical: score, end,
// begin and CIGAR (the engine takes begins and CIGARs by the reference's own
// method, so even ties resolve the same way), except that CIGARs of windows
// over kBandedMinCells (banded traceback) need only be valid and optimal.

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "cpu/cpu_engine.hpp"
#include "gpualign/cpu_features.hpp"
#include "gpualign/gpualign.hpp"
#include "support/alignment_checks.hpp"

namespace gpualign {
namespace {

using Codes = std::vector<std::uint8_t>;

struct Pairs {
  std::vector<Codes> q, t;
  std::vector<SequencePair> views() const {
    std::vector<SequencePair> v;
    for (std::size_t i = 0; i < q.size(); ++i) v.push_back({q[i], t[i]});
    return v;
  }
  void add(Codes a, Codes b) {
    q.push_back(std::move(a));
    t.push_back(std::move(b));
  }
};

// Random residues; DNA mostly ACGT with some N and IUPAC letters.
Codes random_codes(std::mt19937_64& rng, Alphabet a, std::size_t len, double ambiguous = 0.03) {
  Codes c(len);
  std::uniform_real_distribution<double> u(0, 1);
  for (auto& x : c) {
    if (a == Alphabet::dna)
      x = static_cast<std::uint8_t>(u(rng) < ambiguous ? 4 + rng() % 11 : rng() % 4);
    else
      x = static_cast<std::uint8_t>(u(rng) < ambiguous ? 20 + rng() % 4 : rng() % 20);
  }
  return c;
}

// A relative of `src`: ~rate substitutions and short indels.
Codes mutate(std::mt19937_64& rng, Alphabet a, const Codes& src, double rate) {
  Codes out;
  std::uniform_real_distribution<double> u(0, 1);
  const int size = alphabet_size(a) < 20 ? 4 : 20;
  for (std::size_t i = 0; i < src.size(); ++i) {
    const double r = u(rng);
    if (r < rate / 3) out.push_back(static_cast<std::uint8_t>(rng() % size));
    else if (r < rate / 2) { /* deletion */ }
    else if (r < rate * 2 / 3) {
      for (int k = 0, n = 1 + static_cast<int>(rng() % 4); k < n; ++k) out.push_back(static_cast<std::uint8_t>(rng() % size));
      out.push_back(src[i]);
    } else out.push_back(src[i]);
  }
  return out;
}

// Every size class: empty and tiny, lane-width boundaries (16/32/64 lanes of
// 8/16/32-bit vectors), random small, related pairs with flanks, a few
// medium ones.
Pairs make_pairs(Alphabet a, std::uint64_t seed, bool medium) {
  std::mt19937_64 rng(seed);
  Pairs p;
  for (std::size_t m : {0, 1, 2, 3})
    for (std::size_t n : {0, 1, 2, 5}) p.add(random_codes(rng, a, m), random_codes(rng, a, n));
  for (std::size_t m : {4, 8, 15, 16, 17, 31, 32, 33, 63, 64, 65, 127, 128, 129}) {
    const Codes q = random_codes(rng, a, m);
    p.add(q, random_codes(rng, a, 1 + rng() % 70));
    Codes t = random_codes(rng, a, rng() % 40);
    const Codes mid = mutate(rng, a, q, 0.1);
    t.insert(t.end(), mid.begin(), mid.end());
    const Codes tail = random_codes(rng, a, rng() % 40);
    t.insert(t.end(), tail.begin(), tail.end());
    p.add(q, t);
  }
  for (int k = 0; k < 60; ++k) {
    const std::size_t m = 1 + rng() % 300;
    const Codes q = random_codes(rng, a, m);
    if (k % 3 == 0) {
      p.add(q, random_codes(rng, a, 1 + rng() % 400));
    } else {
      Codes t = random_codes(rng, a, rng() % 150);
      const Codes mid = mutate(rng, a, q, k % 2 ? 0.1 : 0.3);
      t.insert(t.end(), mid.begin(), mid.end());
      const Codes tail = random_codes(rng, a, rng() % 150);
      t.insert(t.end(), tail.begin(), tail.end());
      p.add(q, t);
    }
  }
  if (medium) {
    for (int k = 0; k < 3; ++k) {
      const Codes q = random_codes(rng, a, 600 + rng() % 1500);
      Codes t = random_codes(rng, a, rng() % 800);
      const Codes mid = mutate(rng, a, q, 0.1);
      t.insert(t.end(), mid.begin(), mid.end());
      p.add(q, t);
    }
  }
  return p;
}

std::vector<Alignment> reference_all(const std::vector<SequencePair>& v, const ScoringScheme& sc, AlignOptions o) {
  std::vector<Alignment> r;
  for (const auto& p : v) r.push_back(reference_align(p, sc, o));
  return r;
}

void expect_same(const std::vector<SequencePair>& v, const ScoringScheme& sc, AlignOptions o,
                 const std::vector<Alignment>& want, const std::vector<Alignment>& got, const std::string& what) {
  ASSERT_EQ(want.size(), got.size());
  int failures = 0;
  for (std::size_t i = 0; i < v.size() && failures < 5; ++i) {
    const auto& w = want[i];
    const auto& g = got[i];
    const std::string where = what + " pair " + std::to_string(i) + " (" + std::to_string(v[i].query.size()) + " x " +
                              std::to_string(v[i].target.size()) + ")";
    bool ok = g.status == AlignStatus::ok && g.score == w.score && g.qend == w.qend && g.tend == w.tend;
    if (o.output != AlignOutput::score_end) ok = ok && g.has_begin && g.qbeg == w.qbeg && g.tbeg == w.tbeg;
    if (o.output == AlignOutput::cigar) {
      // Windows over kBandedMinCells take the banded traceback: an optimal
      // CIGAR, not necessarily the reference's (banded_traceback_test.cpp).
      if ((w.qend - w.qbeg) * (w.tend - w.tbeg) > cpu::kBandedMinCells)
        ok = ok && test::check_alignment(v[i], sc, o.mode, g).empty();
      else
        ok = ok && g.cigar == w.cigar;
      if (ok) EXPECT_EQ(rescore_cigar(g.cigar, v[i].query, v[i].target, g.qbeg, g.tbeg, sc), g.score) << where;
    }
    if (!ok) {
      ++failures;
      ADD_FAILURE() << where << ": got score " << g.score << " q[" << g.qbeg << "," << g.qend << ") t[" << g.tbeg
                    << "," << g.tend << ") " << g.cigar.to_string() << " " << g.message << "; want " << w.score
                    << " q[" << w.qbeg << "," << w.qend << ") t[" << w.tbeg << "," << w.tend << ") "
                    << w.cigar.to_string();
    }
  }
}

struct LevelGuard {
  ~LevelGuard() { reset_simd_level(); }
};

// Runs every supported level x kernel x starting width against `want`.
void check_all(const Pairs& pairs, const ScoringScheme& sc, AlignOptions o, const std::string& what,
               bool all_widths = true) {
  const auto v = pairs.views();
  const auto want = reference_all(v, sc, o);
  LevelGuard guard;
  for (SimdLevel level : supported_simd_levels()) {
    ASSERT_EQ(force_simd_level(level), level);
    using K = cpu::Tuning::Kernel;
    for (K kernel : {K::automatic, K::inter, K::striped}) {
      for (int width : {0, 8, 16, 32}) {
        if (!all_widths && width != 0) continue;
        auto engine = cpu::make_cpu_engine(cpu::Tuning{kernel, width});
        const auto got = engine->align(v, sc, o);
        expect_same(v, sc, o, want, got,
                    what + " " + std::string(to_string(level)) + " kernel " + std::to_string(static_cast<int>(kernel)) +
                        " width " + std::to_string(width) + " mode " + std::string(to_string(o.mode)));
        if (::testing::Test::HasFailure()) return;
      }
    }
  }
}

TEST(CpuEngine, Registered) {
  auto e = make_engine("cpu");
  EXPECT_EQ(e->name(), "cpu");
  EXPECT_TRUE(e->available());
}

TEST(CpuEngine, LevelsAndForcing) {
  LevelGuard guard;
  const auto levels = supported_simd_levels();
  ASSERT_FALSE(levels.empty());
  EXPECT_EQ(levels.front(), SimdLevel::scalar);
  EXPECT_EQ(levels.back(), detected_simd_level());
  EXPECT_EQ(force_simd_level(SimdLevel::scalar), SimdLevel::scalar);
  EXPECT_EQ(active_simd_level(), SimdLevel::scalar);
  EXPECT_STREQ(cpu::active_kernels().name, "scalar");
  // Never above what the CPU has.
  EXPECT_EQ(force_simd_level(SimdLevel::avx512), detected_simd_level());
  EXPECT_EQ(parse_simd_level("AVX2"), SimdLevel::avx2);
  EXPECT_EQ(parse_simd_level("sse4.1"), SimdLevel::sse41);
  EXPECT_THROW(parse_simd_level("mmx"), Error);
  for (SimdLevel l : levels) EXPECT_EQ(parse_simd_level(to_string(l)), l);
}

TEST(CpuEngine, DnaAllModes) {
  const auto sc = ScoringScheme::dna();
  const Pairs p = make_pairs(Alphabet::dna, 11, true);
  // Starting widths matter most in local mode (8-bit exists only there).
  for (AlignMode mode : {AlignMode::local, AlignMode::global, AlignMode::semi_global})
    check_all(p, sc, AlignOptions{mode, AlignOutput::cigar}, "dna", mode == AlignMode::local);
}

TEST(CpuEngine, ProteinAllModes) {
  const auto sc = ScoringScheme::protein("BLOSUM62", 11, 1);
  const Pairs p = make_pairs(Alphabet::protein, 12, true);
  for (AlignMode mode : {AlignMode::local, AlignMode::global, AlignMode::semi_global})
    check_all(p, sc, AlignOptions{mode, AlignOutput::cigar}, "blosum62", false);
}

TEST(CpuEngine, OtherSchemes) {
  // Cheap gaps (adjacent I and D beat a mismatch), a positive ambiguity
  // score (inter-sequence lanes cannot pad with it), PAM250.
  const Pairs d = make_pairs(Alphabet::dna, 13, false);
  for (AlignMode mode : {AlignMode::local, AlignMode::global, AlignMode::semi_global}) {
    check_all(d, ScoringScheme::dna(1, -9, 2, 1), AlignOptions{mode, AlignOutput::cigar}, "cheap gaps", false);
    check_all(d, ScoringScheme::dna(2, -3, 5, 2, 1), AlignOptions{mode, AlignOutput::cigar}, "N scores +1", false);
  }
  const Pairs p = make_pairs(Alphabet::protein, 14, false);
  check_all(p, ScoringScheme::protein("PAM250", 10, 2), AlignOptions{AlignMode::local, AlignOutput::cigar}, "pam250",
            false);
}

TEST(CpuEngine, OutputLevels) {
  const auto sc = ScoringScheme::dna();
  const Pairs p = make_pairs(Alphabet::dna, 15, false);
  for (AlignMode mode : {AlignMode::local, AlignMode::semi_global})
    for (AlignOutput out : {AlignOutput::score_end, AlignOutput::begin_end})
      check_all(p, sc, AlignOptions{mode, out}, "output", false);
}

// Pairs made to pass 8 and 16 bits: long identical runs with large match
// scores (local), long gaps with large gap costs (global, semi-global).
TEST(CpuEngine, Saturation) {
  std::mt19937_64 rng(16);
  Pairs p;
  for (std::size_t len : {40, 70, 200}) {  // 2 * len passes 127 from 64 on
    const Codes q = random_codes(rng, Alphabet::dna, len, 0);
    p.add(q, q);
    Codes t = random_codes(rng, Alphabet::dna, 30, 0);
    t.insert(t.end(), q.begin(), q.end());
    p.add(q, t);
  }
  check_all(p, ScoringScheme::dna(), AlignOptions{AlignMode::local, AlignOutput::cigar}, "sat8");

  Pairs big;
  for (std::size_t len : {100, 400, 700}) {  // 100 * len passes 32767 from 328 on
    const Codes q = random_codes(rng, Alphabet::dna, len, 0);
    big.add(q, q);
    Codes t = random_codes(rng, Alphabet::dna, 50, 0);
    t.insert(t.end(), q.begin(), q.end());
    big.add(q, t);
    big.add(random_codes(rng, Alphabet::dna, 20, 0), t);                        // long target gaps
    big.add(random_codes(rng, Alphabet::dna, len, 0), random_codes(rng, Alphabet::dna, 3, 0));  // long query gaps
  }
  const auto heavy = ScoringScheme::dna(100, -100, 150, 40);
  for (AlignMode mode : {AlignMode::local, AlignMode::global, AlignMode::semi_global})
    check_all(big, heavy, AlignOptions{mode, AlignOutput::cigar}, "sat16");
}

// Inter-sequence lane groups: enough pairs to fill groups of 16, 32 and 64
// lanes and leave the last one partly filled; targets of every length mod 4
// (the kernel takes target columns 4, 2 and 1 at a time); queries around
// lane counts and around multiples of 127 rows (8-bit lanes count rows in
// chunks of 127); a two-letter alphabet for many tied cells, so that the
// tie-break (first cell, column-major) is exercised inside a pass and
// across chunks; N and IUPAC letters; small scores that fit 8 bits and
// larger ones that overflow them.
TEST(CpuEngine, InterGroups) {
  std::mt19937_64 rng(18);
  auto lowc = [&](std::size_t n) {
    Codes c(n);
    for (auto& x : c) x = static_cast<std::uint8_t>(rng() % 2 ? 0 : 2);
    if (n > 0 && rng() % 4 == 0) c[rng() % n] = static_cast<std::uint8_t>(4 + rng() % 11);
    return c;
  };
  Pairs p;
  for (std::size_t n = 1; n <= 13; ++n)
    for (std::size_t m : {1, 2, 3, 5, 15, 16, 17, 31, 32, 33}) p.add(lowc(m), lowc(n));
  for (std::size_t m : {63, 64, 65, 126, 127, 128, 129, 253, 254, 255, 256, 300}) {
    const Codes q = random_codes(rng, Alphabet::dna, m);
    for (int k = 0; k < 5; ++k) {
      Codes t = random_codes(rng, Alphabet::dna, rng() % 30);
      const Codes mid = mutate(rng, Alphabet::dna, q, 0.15);
      t.insert(t.end(), mid.begin(), mid.end());
      const Codes tail = random_codes(rng, Alphabet::dna, rng() % 7);
      t.insert(t.end(), tail.begin(), tail.end());
      p.add(q, t);
    }
    p.add(lowc(m), lowc(1 + rng() % 9));
    p.add(lowc(m), lowc(m + rng() % 5));
  }
  for (AlignMode mode : {AlignMode::local, AlignMode::global, AlignMode::semi_global}) {
    check_all(p, ScoringScheme::dna(), AlignOptions{mode, AlignOutput::begin_end}, "inter groups");
    check_all(p, ScoringScheme::dna(1, -1, 2, 1), AlignOptions{mode, AlignOutput::score_end}, "inter groups 1/-1/2/1");
  }
}

// Queries longer than the striped kernel's row block (2048 rows) run as
// several blocks handing their bottom row down: lengths at and around block
// multiples, a long query insertion (a vertical gap, F) straddling a block
// boundary, and an optimum lying in a later block.  Striped kernel only
// (no other takes them), 16- and 32-bit, every level, begins included (the
// reverse pass is striped too).
TEST(CpuEngine, StripedBlocks) {
  std::mt19937_64 rng(17);
  Pairs p;
  for (std::size_t m : {2048, 2049, 4111}) {
    const Codes q = random_codes(rng, Alphabet::dna, m);
    Codes t = random_codes(rng, Alphabet::dna, rng() % 300);
    const Codes mid = mutate(rng, Alphabet::dna, q, 0.1);
    t.insert(t.end(), mid.begin(), mid.end());
    const Codes tail = random_codes(rng, Alphabet::dna, rng() % 300);
    t.insert(t.end(), tail.begin(), tail.end());
    p.add(q, t);
  }
  {
    // Target = A + B, query = A + 400 inserted + B with the insertion over
    // row 2048; then a query whose only good match is in its last block.
    const Codes a = random_codes(rng, Alphabet::dna, 1900), b = random_codes(rng, Alphabet::dna, 900);
    Codes q = a, t = a;
    const Codes ins = random_codes(rng, Alphabet::dna, 400);
    q.insert(q.end(), ins.begin(), ins.end());
    q.insert(q.end(), b.begin(), b.end());
    t.insert(t.end(), b.begin(), b.end());
    p.add(q, t);
    Codes q2 = random_codes(rng, Alphabet::dna, 4500);
    const Codes tail(q2.end() - 300, q2.end());
    p.add(q2, mutate(rng, Alphabet::dna, tail, 0.05));
  }
  const auto v = p.views();
  LevelGuard guard;
  for (const auto& sc : {ScoringScheme::dna(), ScoringScheme::dna(1, -1, 2, 1)}) {  // the second keeps global in 16 bits
    for (AlignMode mode : {AlignMode::local, AlignMode::global, AlignMode::semi_global}) {
      const AlignOptions o{mode, AlignOutput::begin_end};
      const auto want = reference_all(v, sc, o);
      for (SimdLevel level : supported_simd_levels()) {
        ASSERT_EQ(force_simd_level(level), level);
        for (int width : {16, 32}) {
          auto engine = cpu::make_cpu_engine(cpu::Tuning{cpu::Tuning::Kernel::striped, width});
          expect_same(v, sc, o, want, engine->align(v, sc, o),
                      "blocks " + std::string(to_string(level)) + " width " + std::to_string(width) + " mode " +
                          std::string(to_string(mode)));
          if (::testing::Test::HasFailure()) return;
        }
      }
    }
  }
}

// The striped kernel alone, every level and starting width, against the
// reference.
void check_striped(const Pairs& pairs, const ScoringScheme& sc, AlignOptions o, const std::string& what) {
  const auto v = pairs.views();
  const auto want = reference_all(v, sc, o);
  LevelGuard guard;
  for (SimdLevel level : supported_simd_levels()) {
    ASSERT_EQ(force_simd_level(level), level);
    for (int width : {0, 16, 32}) {
      auto engine = cpu::make_cpu_engine(cpu::Tuning{cpu::Tuning::Kernel::striped, width});
      expect_same(v, sc, o, want, engine->align(v, sc, o),
                  what + " " + std::string(to_string(level)) + " width " + std::to_string(width) + " mode " +
                      std::string(to_string(o.mode)));
      if (::testing::Test::HasFailure()) return;
    }
  }
}

// The striped kernel's 16-bit pass wraps instead of saturating only while
// its lowest value (about -(bound + 3 * open + S * extend)) stays in range;
// huge gap costs take the saturating pass, costs near the limit the
// wrapping one.
TEST(CpuEngine, StripedGapCostLimits) {
  const Pairs d = make_pairs(Alphabet::dna, 18, false);
  for (AlignMode mode : {AlignMode::local, AlignMode::global, AlignMode::semi_global}) {
    const AlignOptions o{mode, AlignOutput::begin_end};
    check_striped(d, ScoringScheme::dna(1, -1, 8000, 10), o, "open 8000");   // global in 16 bits, saturating pass
    check_striped(d, ScoringScheme::dna(1, -1, 4000, 10), o, "open 4000");   // global in 16 bits, wrapping pass
    check_striped(d, ScoringScheme::dna(2, -3, 12000, 3000), o, "ext 3000");  // local: saturating pass
  }
  const Pairs p = make_pairs(Alphabet::protein, 19, false);
  check_striped(p, ScoringScheme::protein("BLOSUM62", 9000, 9000), AlignOptions{AlignMode::local, AlignOutput::begin_end},
                "blosum62 huge gaps");
}

// Constants that do not fit a narrow width (gap costs over 127 or 32767,
// substitution scores under -128): every kernel and starting width must move
// to a width that holds them (8-bit lanes once scored a 1x1 pair 96 with
// open 200).
TEST(CpuEngine, ConstantsWiderThanTheWidth) {
  const Pairs d = make_pairs(Alphabet::dna, 21, false);
  Pairs tiny;
  tiny.add(Codes{0}, Codes{0});
  tiny.add(Codes{0}, Codes{1});
  tiny.add(Codes{0, 1, 2}, Codes{0, 2});
  for (AlignMode mode : {AlignMode::local, AlignMode::global, AlignMode::semi_global}) {
    const AlignOptions o{mode, AlignOutput::begin_end};
    for (const auto& sc : {ScoringScheme::dna(2, -3, 200, 2), ScoringScheme::dna(2, -3, 200, 150),
                           ScoringScheme::dna(2, -300, 5, 2), ScoringScheme::dna(200, -3, 5, 2),
                           ScoringScheme::dna(2, -3, 40000, 2), ScoringScheme::dna(2, -40000, 5, 2)}) {
      const std::string what = "match " + std::to_string(sc.dna_match()) + " mismatch " +
                               std::to_string(sc.dna_mismatch()) + " open " + std::to_string(sc.gap_open()) +
                               " ext " + std::to_string(sc.gap_extend());
      check_all(tiny, sc, o, what + " tiny");
      check_all(d, sc, o, what);
    }
  }
}

// Protein queries over the striped kernel's row block: long related pairs
// (F runs far down from every good cell), a long insertion over row 2048.
TEST(CpuEngine, StripedBlocksProtein) {
  std::mt19937_64 rng(20);
  Pairs p;
  for (std::size_t m : {2047, 2100}) {
    const Codes q = random_codes(rng, Alphabet::protein, m);
    Codes t = random_codes(rng, Alphabet::protein, rng() % 200);
    const Codes mid = mutate(rng, Alphabet::protein, q, 0.15);
    t.insert(t.end(), mid.begin(), mid.end());
    p.add(q, t);
  }
  {
    const Codes a = random_codes(rng, Alphabet::protein, 1950), b = random_codes(rng, Alphabet::protein, 700);
    Codes q = a, t = a;
    const Codes ins = random_codes(rng, Alphabet::protein, 300);
    q.insert(q.end(), ins.begin(), ins.end());
    q.insert(q.end(), b.begin(), b.end());
    t.insert(t.end(), b.begin(), b.end());
    p.add(q, t);
  }
  const auto v = p.views();
  const auto sc = ScoringScheme::protein("BLOSUM62", 11, 1);
  LevelGuard guard;
  for (AlignMode mode : {AlignMode::local, AlignMode::global, AlignMode::semi_global}) {
    const AlignOptions o{mode, AlignOutput::begin_end};
    const auto want = reference_all(v, sc, o);
    for (SimdLevel level : supported_simd_levels()) {
      ASSERT_EQ(force_simd_level(level), level);
      for (int width : {16, 32}) {
        auto engine = cpu::make_cpu_engine(cpu::Tuning{cpu::Tuning::Kernel::striped, width});
        expect_same(v, sc, o, want, engine->align(v, sc, o),
                    "protein blocks " + std::string(to_string(level)) + " width " + std::to_string(width) + " mode " +
                        std::string(to_string(mode)));
        if (::testing::Test::HasFailure()) return;
      }
    }
  }
}

// The kernels themselves must flag saturation (else the rerun never happens).
TEST(CpuEngine, KernelsReportOverflow) {
  const Codes q(300, 0);  // 300 x 'A': local score 600 with match 2
  const SequencePair pair{q, q};
  const auto sc8 = ScoringScheme::dna(), sc16 = ScoringScheme::dna(200, -3, 5, 2);  // kernels keep pointers
  const auto kp8 = cpu::make_kernel_params(sc8, AlignMode::local);
  const auto kp16 = cpu::make_kernel_params(sc16, AlignMode::local);
  LevelGuard guard;
  for (SimdLevel level : supported_simd_levels()) {
    force_simd_level(level);
    const auto& kt = cpu::active_kernels();
    cpu::Scratch scratch;
    const std::uint32_t order = 0;
    cpu::EndCell e;
    kt.inter8(kp8, &pair, &order, 1, &e, scratch);
    EXPECT_TRUE(e.overflow) << to_string(level);
    kt.inter16(kp16, &pair, &order, 1, &e, scratch);
    EXPECT_TRUE(e.overflow) << to_string(level);
    kt.striped16(kp16, pair, e, scratch);
    EXPECT_TRUE(e.overflow) << to_string(level);
    kt.striped32(kp16, pair, e, scratch);
    EXPECT_FALSE(e.overflow) << to_string(level);
    EXPECT_EQ(e.score, 60000) << to_string(level);
  }
}

TEST(CpuEngine, ThrowsOnMismatchedOutput) {
  auto e = make_engine("cpu");
  const Codes q(5, 1);
  std::vector<SequencePair> v{{q, q}};
  std::vector<Alignment> out(2);
  EXPECT_THROW(e->align(v, ScoringScheme::dna(), AlignOptions{}, out), Error);
}

}  // namespace
}  // namespace gpualign
