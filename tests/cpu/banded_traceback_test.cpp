// The exact banded traceback against the reference aligner.  A banded CIGAR
// may differ from the reference's when equally good paths tie, so what must
// hold is what DESIGN.md requires: the same score, begins and ends as the
// reference, a CIGAR that re-scores to the score and spans the window, and
// the mode's end rules (check_alignment).  Cases: W2-like related pairs,
// long indels that force the band to double, very unequal sides (M << N,
// M >> N), empty windows, the memory cap, and a wrong score.

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "cpu/banded_traceback.hpp"
#include "cpu/cpu_engine.hpp"
#include "gpualign/gpualign.hpp"
#include "support/alignment_checks.hpp"

namespace gpualign {
namespace {

using Codes = std::vector<std::uint8_t>;

Codes random_codes(std::mt19937_64& rng, std::size_t len, int alphabet = 4) {
  Codes c(len);
  for (auto& x : c) x = static_cast<std::uint8_t>(rng() % alphabet);
  return c;
}

// ~rate divergence: substitutions and 1-5 bp indels, like the W2 workload.
Codes mutate(std::mt19937_64& rng, const Codes& src, double rate, int alphabet = 4) {
  Codes out;
  std::uniform_real_distribution<double> u(0, 1);
  for (std::size_t i = 0; i < src.size(); ++i) {
    const double r = u(rng);
    if (r < rate * 0.6) {
      out.push_back(static_cast<std::uint8_t>(rng() % alphabet));
    } else if (r < rate * 0.8) {
      i += rng() % 5;  // deletion of 1-5
    } else if (r < rate) {
      for (int k = 0, n = 1 + static_cast<int>(rng() % 5); k < n; ++k)
        out.push_back(static_cast<std::uint8_t>(rng() % alphabet));
      out.push_back(src[i]);
    } else {
      out.push_back(src[i]);
    }
  }
  return out;
}

Codes cat(std::initializer_list<Codes> parts) {
  Codes out;
  for (const auto& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}

// Global alignment of a x b by the banded traceback, checked against the
// reference; returns whether the CIGAR is the reference's own (not required).
bool check_window(const Codes& a, const Codes& b, const ScoringScheme& sc, std::int64_t first_width,
                  const std::string& what, std::int64_t min_width = 0) {
  const SequencePair p{a, b};
  const Alignment want = reference_align(p, sc, AlignOptions{AlignMode::global, AlignOutput::cigar});
  cpu::BandedScratch scratch;
  Alignment got = want;
  got.cigar.clear();
  const bool ok = cpu::banded_traceback(a, b, sc, want.score, got.cigar, scratch, cpu::kBandedMaxBytes, first_width);
  EXPECT_TRUE(ok) << what << " S=" << want.score << " " << want.cigar.to_string().substr(0, 200);
  if (a.size() > 0) EXPECT_GE(scratch.last_width, min_width) << what << ": the band should have doubled; S=" << want.score << " " << want.cigar.to_string().substr(0, 300);
  EXPECT_EQ(test::check_alignment(p, sc, AlignMode::global, got), "") << what;
  return got.cigar == want.cigar;
}

TEST(BandedTraceback, RelatedPairs) {
  std::mt19937_64 rng(21);
  int same = 0, total = 0;
  for (double rate : {0.05, 0.1, 0.2}) {
    for (int k = 0; k < 4; ++k) {
      const Codes q = random_codes(rng, 500 + rng() % 2500);
      const Codes t = mutate(rng, q, rate);
      same += check_window(q, t, ScoringScheme::dna(), 64, "rate " + std::to_string(rate)) ? 1 : 0;
      ++total;
    }
  }
  // Same recurrences and preferences: the CIGAR is usually the reference's.
  // (Reported, not asserted: equal-score paths may split differently.)
  RecordProperty("same_cigar", std::to_string(same) + "/" + std::to_string(total));
}

TEST(BandedTraceback, LongIndelsForceDoubling) {
  std::mt19937_64 rng(22);
  const Codes a = random_codes(rng, 1200), b = random_codes(rng, 900), ins = random_codes(rng, 700);
  // A 700-bp insertion, in the middle, at the start and at the end; and the
  // same as a deletion (target side).  The path leaves a 64-wide band.
  check_window(cat({a, ins, b}), cat({a, b}), ScoringScheme::dna(), 64, "insertion mid", 128);
  check_window(cat({ins, a, b}), cat({a, b}), ScoringScheme::dna(), 64, "insertion start", 128);
  check_window(cat({a, b, ins}), cat({a, b}), ScoringScheme::dna(), 64, "insertion end", 128);
  check_window(cat({a, b}), cat({a, ins, b}), ScoringScheme::dna(), 64, "deletion mid", 128);
  // Two opposite indels that cancel at the ends: the diagonal is exact at
  // both ends but the path wanders 700 columns away in between.
  // (a long b and a short insertion, so that the gapped path beats the
  // near-diagonal one through unrelated sequence).
  const Codes b2 = random_codes(rng, 2500), ins2 = random_codes(rng, 300);
  check_window(cat({a, ins2, b2}), cat({a, b2, ins2}), ScoringScheme::dna(), 64, "opposite indels", 256);
  // Band starting at 1: many doublings.
  const Codes q = random_codes(rng, 800);
  check_window(q, mutate(rng, q, 0.15), ScoringScheme::dna(), 1, "width 1", 2);
  // Cheap gaps make gappy optima.
  check_window(q, mutate(rng, q, 0.3), ScoringScheme::dna(1, -9, 2, 1), 2, "cheap gaps");
}

TEST(BandedTraceback, UnequalSidesAndEdges) {
  std::mt19937_64 rng(23);
  const auto sc = ScoringScheme::dna();
  for (std::size_t m : {1, 2, 5, 40}) {
    check_window(random_codes(rng, m), random_codes(rng, 3000), sc, 64, "M << N, m " + std::to_string(m));
    check_window(random_codes(rng, 3000), random_codes(rng, m), sc, 64, "M >> N, n " + std::to_string(m));
    check_window(random_codes(rng, m), random_codes(rng, m), sc, 1, "tiny " + std::to_string(m));
  }
  // Empty windows.
  check_window({}, {}, sc, 64, "0 x 0");
  check_window({}, random_codes(rng, 17), sc, 64, "0 x 17");
  check_window(random_codes(rng, 17), {}, sc, 64, "17 x 0");
  // Protein, BLOSUM62.
  const auto blosum = ScoringScheme::protein();
  const Codes pq = random_codes(rng, 900, 20);
  check_window(pq, mutate(rng, pq, 0.2, 20), blosum, 64, "protein");
}

TEST(BandedTraceback, RefusesWhatItCannotDo) {
  std::mt19937_64 rng(24);
  const Codes q = random_codes(rng, 600);
  const Codes t = mutate(rng, q, 0.1);
  const auto sc = ScoringScheme::dna();
  const Alignment want = reference_align(SequencePair{q, t}, sc, AlignOptions{AlignMode::global, AlignOutput::score_end});
  cpu::BandedScratch scratch;
  Cigar c;
  // A score above the optimum is never reached, even by the whole matrix.
  EXPECT_FALSE(cpu::banded_traceback(q, t, sc, want.score + 1, c, scratch));
  // A cap smaller than one band.
  EXPECT_FALSE(cpu::banded_traceback(q, t, sc, want.score, c, scratch, 1000));
  EXPECT_TRUE(cpu::banded_traceback(q, t, sc, want.score, c, scratch));
}

// Through the engine: windows over kBandedMinCells take the banded path.
// Scores, ends and begins equal the reference's; CIGARs satisfy DESIGN.md.
TEST(BandedTraceback, EngineAllModes) {
  std::mt19937_64 rng(25);
  std::vector<Codes> qs, ts;
  auto add = [&](Codes q, Codes t) {
    qs.push_back(std::move(q));
    ts.push_back(std::move(t));
  };
  for (int k = 0; k < 4; ++k) {  // W2-like: a diverged copy inside flanks
    const Codes q = random_codes(rng, 1000 + rng() % 2000);
    add(q, cat({random_codes(rng, rng() % 1500), mutate(rng, q, 0.1), random_codes(rng, rng() % 1500)}));
  }
  {
    const Codes a = random_codes(rng, 900), b = random_codes(rng, 700), ins = random_codes(rng, 600);
    add(cat({a, ins, b}), cat({random_codes(rng, 200), a, b, random_codes(rng, 200)}));  // long I
    add(cat({a, b}), cat({a, ins, b}));                                                   // long D
  }
  std::vector<SequencePair> v;
  for (std::size_t i = 0; i < qs.size(); ++i) v.push_back({qs[i], ts[i]});
  for (const auto& sc : {ScoringScheme::dna(), ScoringScheme::dna(1, -1, 2, 1)}) {
    for (AlignMode mode : {AlignMode::local, AlignMode::global, AlignMode::semi_global}) {
      const AlignOptions o{mode, AlignOutput::cigar};
      auto engine = cpu::make_cpu_engine(cpu::Tuning{});
      const auto got = engine->align(v, sc, o);
      for (std::size_t i = 0; i < v.size(); ++i) {
        const Alignment want = reference_align(v[i], sc, AlignOptions{mode, AlignOutput::begin_end});
        const std::string where = "pair " + std::to_string(i) + " mode " + std::string(to_string(mode));
        EXPECT_GT((want.qend - want.qbeg) * (want.tend - want.tbeg), cpu::kBandedMinCells) << where;
        EXPECT_EQ(got[i].score, want.score) << where;
        EXPECT_EQ(got[i].qbeg, want.qbeg) << where;
        EXPECT_EQ(got[i].qend, want.qend) << where;
        EXPECT_EQ(got[i].tbeg, want.tbeg) << where;
        EXPECT_EQ(got[i].tend, want.tend) << where;
        EXPECT_EQ(test::check_alignment(v[i], sc, mode, got[i]), "") << where;
      }
    }
  }
}

}  // namespace
}  // namespace gpualign
