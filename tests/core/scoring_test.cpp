#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>

#include "gpualign/error.hpp"
#include "gpualign/scoring.hpp"

using namespace gpualign;

TEST(Scoring, DnaDefaultsAndAmbiguity) {
  const auto s = ScoringScheme::dna();
  const auto A = encode_residue(Alphabet::dna, 'A'), C = encode_residue(Alphabet::dna, 'C');
  const auto N = encode_residue(Alphabet::dna, 'N'), R = encode_residue(Alphabet::dna, 'R');
  EXPECT_EQ(s.score(A, A), 2);
  EXPECT_EQ(s.score(A, C), -3);
  EXPECT_EQ(s.score(N, N), 0);
  EXPECT_EQ(s.score(N, A), 0);
  EXPECT_EQ(s.score(R, R), 0);
  EXPECT_EQ(s.gap_open(), 5);
  EXPECT_EQ(s.gap_extend(), 2);
  EXPECT_EQ(ScoringScheme::dna(2, -3, 5, 2, -1).score(N, N), -1);
}

TEST(Scoring, BuiltinProteinMatrices) {
  const auto b62 = ScoringScheme::protein("blosum62");
  const auto W = encode_residue(Alphabet::protein, 'W'), A = encode_residue(Alphabet::protein, 'A');
  EXPECT_EQ(b62.score(W, W), 11);
  EXPECT_EQ(b62.score(A, W), -3);
  EXPECT_EQ(b62.gap_open(), 11);
  EXPECT_EQ(b62.gap_extend(), 1);
  EXPECT_EQ(ScoringScheme::protein("PAM250").score(W, W), 17);
  EXPECT_EQ(ScoringScheme::protein("BLOSUM45").score(W, W), 15);
  EXPECT_EQ(ScoringScheme::protein("BLOSUM50").score(W, W), 15);
  EXPECT_EQ(ScoringScheme::protein("BLOSUM80").score(W, W), 16);
  EXPECT_THROW(ScoringScheme::protein("BLOSUM99"), Error);
}

TEST(Scoring, ValidateRejectsNonsense) {
  EXPECT_NO_THROW(ScoringScheme::dna().validate());
  EXPECT_THROW(ScoringScheme::dna(2, -3, 0, 2).validate(), Error);
  EXPECT_THROW(ScoringScheme::dna(2, -3, 5, -1).validate(), Error);
  EXPECT_THROW(ScoringScheme::dna(-3, 2, 5, 2).validate(), Error);
  EXPECT_THROW(ScoringScheme::dna(1, 1, 5, 2).validate(), Error);
  EXPECT_THROW(ScoringScheme::dna(2, -3, 2, 5).validate(), Error);  // extend above open
}

namespace {
std::string write_temp(const std::string& text) {
  char path[] = "/tmp/gpualign_matrix_XXXXXX";
  const int fd = mkstemp(path);
  EXPECT_GE(fd, 0);
  close(fd);
  std::ofstream(path) << text;
  return path;
}
}  // namespace

TEST(Scoring, MatrixFileInNcbiFormat) {
  const auto path = write_temp("# tiny\n   A  R  X\nA  4 -1  0\nR -1  5 -1\nX  0 -1 -1\n");
  const auto s = ScoringScheme::protein_from_file(path, 10, 1);
  const auto A = encode_residue(Alphabet::protein, 'A'), R = encode_residue(Alphabet::protein, 'R');
  const auto W = encode_residue(Alphabet::protein, 'W');
  EXPECT_EQ(s.score(A, A), 4);
  EXPECT_EQ(s.score(A, R), -1);
  EXPECT_EQ(s.score(W, A), 0);  // missing letter scores as X
  std::remove(path.c_str());
}

TEST(Scoring, MalformedMatrixFileNamesTheLine) {
  const auto path = write_temp("   A  R\nA  4 -1\nR -1 five\n");
  try {
    ScoringScheme::protein_from_file(path);
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("line 3"), std::string::npos) << e.what();
  }
  std::remove(path.c_str());
  EXPECT_THROW(ScoringScheme::protein_from_file("/nonexistent/matrix"), Error);
}
