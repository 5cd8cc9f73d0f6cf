// The reference aligner against parasail's scalar functions: equal scores and
// equal end positions on thousands of random DNA and protein pairs.
#include <gtest/gtest.h>

#include <random>

#include "gpualign/reference_aligner.hpp"
#include "support/alignment_checks.hpp"
#include "support/random_sequences.hpp"

#ifdef GPUALIGN_HAVE_PARASAIL
#include <parasail.h>
#endif

using namespace gpualign;

#ifdef GPUALIGN_HAVE_PARASAIL
namespace {

// parasail matrix equal to ours: same letters, same values (so ambiguity
// letters score as ours do, N against N included).
parasail_matrix_t* parasail_copy_of(const ScoringScheme& s) {
  const std::string_view letters = s.alphabet() == Alphabet::dna ? kDnaLetters : kProteinLetters;
  parasail_matrix_t* m = parasail_matrix_create(std::string(letters).c_str(), 1, -1);
  for (int q = 0; q < s.size(); ++q)
    for (int t = 0; t < s.size(); ++t) parasail_matrix_set_value(m, q, t, s.score(q, t));
  return m;
}

// Log-uniform length in [1, max]: many short pairs, some long ones.
std::size_t random_length(std::mt19937_64& rng, std::size_t max) {
  std::uniform_real_distribution<double> u(0, std::log(static_cast<double>(max)));
  return std::max<std::size_t>(1, static_cast<std::size_t>(std::exp(u(rng))));
}

void cross_check(Alphabet alphabet, const ScoringScheme& s, AlignMode mode, int pairs, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  parasail_matrix_t* matrix = parasail_copy_of(s);
  for (int k = 0; k < pairs; ++k) {
    std::string qt = test::random_text(rng, alphabet, random_length(rng, 2000), 0.02);
    std::string tt;
    switch (k % 3) {
      case 0: tt = test::random_text(rng, alphabet, random_length(rng, 2000), 0.02); break;
      case 1: tt = test::mutate(rng, alphabet, qt, 0.1); break;
      default:
        tt = test::random_text(rng, alphabet, rng() % 300) + test::mutate(rng, alphabet, qt, 0.15) +
             test::random_text(rng, alphabet, rng() % 300);
    }
    if (tt.empty()) tt = "A";
    // parasail compares letters case-sensitively through its matrix map; give it upper case.
    std::string qu = qt, tu = tt;
    for (auto& c : qu) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    for (auto& c : tu) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    Sequence q("q", qt, alphabet), t("t", tt, alphabet);
    const SequencePair p{q.codes(), t.codes()};

    parasail_result_t* r = nullptr;
    const int qn = static_cast<int>(qu.size()), tn = static_cast<int>(tu.size());
    switch (mode) {
      case AlignMode::local: r = parasail_sw(qu.c_str(), qn, tu.c_str(), tn, s.gap_open(), s.gap_extend(), matrix); break;
      case AlignMode::global: r = parasail_nw(qu.c_str(), qn, tu.c_str(), tn, s.gap_open(), s.gap_extend(), matrix); break;
      case AlignMode::semi_global: r = parasail_sg_dx(qu.c_str(), qn, tu.c_str(), tn, s.gap_open(), s.gap_extend(), matrix); break;
    }
    const Alignment a = reference_align(p, s, {mode, AlignOutput::cigar});
    const std::string where = std::string(to_string(mode)) + " pair " + std::to_string(k) + " lengths " +
                              std::to_string(qn) + "x" + std::to_string(tn);
    ASSERT_EQ(a.score, r->score) << where;
    if (!(mode == AlignMode::local && a.score == 0)) {  // parasail reports (0,0) for an empty local alignment
      ASSERT_EQ(a.qend, r->end_query + 1) << where;
      ASSERT_EQ(a.tend, r->end_ref + 1) << where;
    }
    ASSERT_EQ(test::check_alignment(p, s, mode, a), "") << where;
    parasail_result_free(r);
  }
  parasail_matrix_free(matrix);
}

}  // namespace

TEST(ReferenceVsParasail, DnaLocal) { cross_check(Alphabet::dna, ScoringScheme::dna(), AlignMode::local, 700, 1); }
TEST(ReferenceVsParasail, DnaGlobal) { cross_check(Alphabet::dna, ScoringScheme::dna(), AlignMode::global, 700, 2); }
TEST(ReferenceVsParasail, DnaSemiGlobal) { cross_check(Alphabet::dna, ScoringScheme::dna(), AlignMode::semi_global, 700, 3); }
TEST(ReferenceVsParasail, DnaOtherScoring) {
  cross_check(Alphabet::dna, ScoringScheme::dna(1, -4, 6, 1, -1), AlignMode::local, 300, 4);
  cross_check(Alphabet::dna, ScoringScheme::dna(5, -4, 10, 1), AlignMode::semi_global, 300, 5);
}
TEST(ReferenceVsParasail, ProteinLocal) { cross_check(Alphabet::protein, ScoringScheme::protein(), AlignMode::local, 500, 6); }
TEST(ReferenceVsParasail, ProteinGlobal) { cross_check(Alphabet::protein, ScoringScheme::protein(), AlignMode::global, 500, 7); }
TEST(ReferenceVsParasail, ProteinSemiGlobal) {
  cross_check(Alphabet::protein, ScoringScheme::protein("BLOSUM50", 10, 2), AlignMode::semi_global, 500, 8);
}
#else
TEST(ReferenceVsParasail, Skipped) { GTEST_SKIP() << "parasail not installed (libparasail-dev): cross-check skipped"; }
#endif
