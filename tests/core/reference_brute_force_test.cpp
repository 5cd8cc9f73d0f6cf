// The reference aligner against exhaustive enumeration of every alignment of
// tiny sequences: no dynamic programming on this side, only paths.
#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <limits>
#include <random>

#include "gpualign/reference_aligner.hpp"
#include "support/alignment_checks.hpp"
#include "support/random_sequences.hpp"

using namespace gpualign;

namespace {

using Codes = std::span<const std::uint8_t>;

// Best score over every path aligning all of a with all of b.  A path is a
// string of columns; each maximal run of I or D columns costs open+(k-1)*ext.
std::int64_t best_path(Codes a, Codes b, const ScoringScheme& s) {
  std::int64_t best = std::numeric_limits<std::int64_t>::min();
  std::function<void(std::size_t, std::size_t, char, std::int64_t)> walk = [&](std::size_t i, std::size_t j,
                                                                               char last, std::int64_t score) {
    if (i == a.size() && j == b.size()) {
      best = std::max(best, score);
      return;
    }
    if (i < a.size() && j < b.size()) walk(i + 1, j + 1, 'M', score + s.score(a[i], b[j]));
    if (i < a.size()) walk(i + 1, j, 'I', score - (last == 'I' ? s.gap_extend() : s.gap_open()));
    if (j < b.size()) walk(i, j + 1, 'D', score - (last == 'D' ? s.gap_extend() : s.gap_open()));
  };
  walk(0, 0, '-', 0);
  return best;
}

std::int64_t brute_force(Codes q, Codes t, const ScoringScheme& s, AlignMode mode) {
  switch (mode) {
    case AlignMode::global:
      return best_path(q, t, s);
    case AlignMode::semi_global: {
      std::int64_t best = std::numeric_limits<std::int64_t>::min();
      for (std::size_t c = 0; c <= t.size(); ++c)
        for (std::size_t d = c; d <= t.size(); ++d) best = std::max(best, best_path(q, t.subspan(c, d - c), s));
      return best;
    }
    case AlignMode::local: {
      std::int64_t best = 0;  // the empty alignment
      for (std::size_t a = 0; a < q.size(); ++a)
        for (std::size_t b = a + 1; b <= q.size(); ++b)
          for (std::size_t c = 0; c < t.size(); ++c)
            for (std::size_t d = c + 1; d <= t.size(); ++d)
              best = std::max(best, best_path(q.subspan(a, b - a), t.subspan(c, d - c), s));
      return best;
    }
  }
  return 0;
}

struct Case {
  const char* name;
  ScoringScheme scoring;
  Alphabet alphabet;
};

}  // namespace

TEST(ReferenceBruteForce, OptimalScoreOfEveryTinyPair) {
  std::mt19937_64 rng(20261126);
  const std::vector<Case> cases = {
      {"dna default", ScoringScheme::dna(), Alphabet::dna},
      {"dna cheap gaps", ScoringScheme::dna(1, -1, 2, 1), Alphabet::dna},
      {"dna open==extend", ScoringScheme::dna(3, -2, 2, 2), Alphabet::dna},
      {"blosum62", ScoringScheme::protein("BLOSUM62", 11, 1), Alphabet::protein},
      {"pam250 cheap", ScoringScheme::protein("PAM250", 3, 1), Alphabet::protein},
  };
  int checked = 0;
  for (const auto& c : cases) {
    for (AlignMode mode : {AlignMode::global, AlignMode::semi_global, AlignMode::local}) {
      const std::size_t max_len = mode == AlignMode::local ? 5 : 6;
      for (int rep = 0; rep < 40; ++rep) {
        const std::size_t m = rng() % (max_len + 1), n = rng() % (max_len + 1);
        Sequence q("q", test::random_text(rng, c.alphabet, m, 0.1), c.alphabet);
        Sequence t("t", rep % 3 ? test::mutate(rng, c.alphabet, q.text(), 0.3).substr(0, max_len)
                                : test::random_text(rng, c.alphabet, n, 0.1),
                   c.alphabet);
        const SequencePair p{q.codes(), t.codes()};
        const auto expected = brute_force(p.query, p.target, c.scoring, mode);
        const auto got = reference_align(p, c.scoring, {mode, AlignOutput::cigar});
        ASSERT_EQ(got.score, expected) << c.name << " " << to_string(mode) << " q=" << q.text() << " t=" << t.text();
        ASSERT_EQ(test::check_alignment(p, c.scoring, mode, got), "")
            << c.name << " " << to_string(mode) << " q=" << q.text() << " t=" << t.text();
        ++checked;
      }
    }
  }
  EXPECT_EQ(checked, 5 * 3 * 40);
}

TEST(ReferenceAligner, OutputLevelsAgree) {
  std::mt19937_64 rng(7);
  const auto s = ScoringScheme::dna();
  for (int rep = 0; rep < 200; ++rep) {
    Sequence q("q", test::random_text(rng, Alphabet::dna, rng() % 80), Alphabet::dna);
    Sequence t("t", test::mutate(rng, Alphabet::dna, q.text(), 0.2) + test::random_text(rng, Alphabet::dna, rng() % 40),
               Alphabet::dna);
    const SequencePair p{q.codes(), t.codes()};
    for (AlignMode mode : {AlignMode::global, AlignMode::semi_global, AlignMode::local}) {
      const auto a = reference_align(p, s, {mode, AlignOutput::score_end});
      const auto b = reference_align(p, s, {mode, AlignOutput::begin_end});
      const auto c = reference_align(p, s, {mode, AlignOutput::cigar});
      EXPECT_EQ(a.score, c.score);
      EXPECT_EQ(a.qend, c.qend);
      EXPECT_EQ(a.tend, c.tend);
      EXPECT_FALSE(a.has_begin);
      EXPECT_TRUE(a.cigar.empty());
      EXPECT_EQ(b.qbeg, c.qbeg);
      EXPECT_EQ(b.tbeg, c.tbeg);
      EXPECT_TRUE(b.cigar.empty());
      EXPECT_EQ(test::check_alignment(p, s, mode, c), "") << q.text() << " / " << t.text();
    }
  }
}

TEST(ReferenceAligner, EmptySequences) {
  const auto s = ScoringScheme::dna();
  Sequence e("e", "", Alphabet::dna), t("t", "ACGT", Alphabet::dna);
  EXPECT_EQ(reference_align({e.codes(), t.codes()}, s, {AlignMode::global}).score, -(5 + 3 * 2));
  EXPECT_EQ(reference_align({t.codes(), e.codes()}, s, {AlignMode::global}).score, -(5 + 3 * 2));
  EXPECT_EQ(reference_align({e.codes(), t.codes()}, s, {AlignMode::semi_global}).score, 0);
  EXPECT_EQ(reference_align({t.codes(), e.codes()}, s, {AlignMode::semi_global}).score, -(5 + 3 * 2));
  const auto l = reference_align({e.codes(), e.codes()}, s, {AlignMode::local});
  EXPECT_EQ(l.score, 0);
  EXPECT_TRUE(l.cigar.empty());
}
