// Scores never overflow silently: long identical and long gapped pairs, and
// scores past 2^31, come out exact.
#include <gtest/gtest.h>

#include <random>

#include "gpualign/reference_aligner.hpp"
#include "support/alignment_checks.hpp"
#include "support/random_sequences.hpp"

using namespace gpualign;

TEST(ReferenceOverflow, ExactTwentyKbMatch) {
  std::mt19937_64 rng(11);
  Sequence q("q", test::random_text(rng, Alphabet::dna, 20000), Alphabet::dna);
  const SequencePair p{q.codes(), q.codes()};
  const auto s = ScoringScheme::dna();
  for (AlignMode mode : {AlignMode::local, AlignMode::global, AlignMode::semi_global}) {
    const auto a = reference_align(p, s, {mode, AlignOutput::begin_end});
    EXPECT_EQ(a.score, 40000) << to_string(mode);
    EXPECT_EQ(a.qbeg, 0);
    EXPECT_EQ(a.qend, 20000);
    EXPECT_EQ(a.tbeg, 0);
    EXPECT_EQ(a.tend, 20000);
  }
}

TEST(ReferenceOverflow, ScoresPastTwoToThe31) {
  std::mt19937_64 rng(12);
  Sequence q("q", test::random_text(rng, Alphabet::dna, 3000), Alphabet::dna);
  const auto s = ScoringScheme::dna(1000000, -1000000, 2000000, 1000000);
  const auto a = reference_align({q.codes(), q.codes()}, s, {AlignMode::local, AlignOutput::cigar});
  EXPECT_EQ(a.score, std::int64_t{3000} * 1000000);
  EXPECT_EQ(a.cigar.to_string(), "3000=");
}

TEST(ReferenceOverflow, LongGapWithCigar) {
  std::mt19937_64 rng(13);
  const std::string x = test::random_text(rng, Alphabet::dna, 5000), y = test::random_text(rng, Alphabet::dna, 5000),
                    z = test::random_text(rng, Alphabet::dna, 5000);
  Sequence q("q", x + z, Alphabet::dna), t("t", x + y + z, Alphabet::dna);
  const SequencePair p{q.codes(), t.codes()};
  const auto s = ScoringScheme::dna();
  for (AlignMode mode : {AlignMode::global, AlignMode::semi_global}) {
    const auto a = reference_align(p, s, {mode, AlignOutput::cigar});
    EXPECT_EQ(a.score, 20000 - (5 + 4999 * 2)) << to_string(mode);
    EXPECT_EQ(test::check_alignment(p, s, mode, a), "");
    EXPECT_EQ(a.cigar.ops().size(), 3u) << a.cigar.to_string();  // 5000= 5000D 5000=, up to where the gap slides
  }
}
