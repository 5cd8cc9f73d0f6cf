#pragma once
/// @file scoring.hpp
/// Substitution scores and affine gap costs.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "gpualign/alphabet.hpp"

namespace gpualign {

/// How pairs are scored: a substitution matrix over alphabet codes and affine
/// gaps.  A gap of length k costs `gap_open + (k-1) * gap_extend`; both are
/// given as positive numbers (parasail's, SSW's and EMBOSS's convention).
/// From minimap2/BLAST penalties `q + k*e`: gap_open = q+e, gap_extend = e.
class ScoringScheme {
 public:
  /// DNA: `match` on equal bases, `mismatch` otherwise, `ambiguous` (default
  /// 0) whenever either letter is N or another IUPAC code, N against N
  /// included.  Defaults: 2, -3, open 5, extend 2.
  static ScoringScheme dna(int match = 2, int mismatch = -3, int gap_open = 5, int gap_extend = 2,
                           int ambiguous = 0);

  /// Protein with a built-in matrix: BLOSUM45, BLOSUM50, BLOSUM62, BLOSUM80 or
  /// PAM250 (case-insensitive).  Throws gpualign::Error for other names.
  static ScoringScheme protein(std::string_view matrix_name = "BLOSUM62", int gap_open = 11,
                               int gap_extend = 1);

  /// Protein with a matrix file in NCBI format ('#' comments, a header row of
  /// letters, then one row per letter).  Letters missing from the file score
  /// as the file's X or '*' entries where present, else as the matrix
  /// minimum.  Throws gpualign::Error naming the file and line when malformed.
  static ScoringScheme protein_from_file(const std::string& path, int gap_open = 11,
                                         int gap_extend = 1);

  /// Throws gpualign::Error when the scheme makes no sense: gap costs not
  /// positive, extend above open, a DNA match score not above the mismatch.
  void validate() const;

  Alphabet alphabet() const noexcept { return alphabet_; }
  int gap_open() const noexcept { return gap_open_; }
  int gap_extend() const noexcept { return gap_extend_; }
  /// "DNA" or the matrix's name.
  const std::string& name() const noexcept { return name_; }
  /// Number of codes; the matrix is size() x size(), row = query code.
  int size() const noexcept { return size_; }
  /// Score of aligning query code `q` with target code `t`.
  int score(std::uint8_t q, std::uint8_t t) const noexcept { return matrix_[q * size_ + t]; }
  /// The whole row-major matrix.
  const std::vector<int>& matrix() const noexcept { return matrix_; }
  /// Largest and smallest matrix entries.
  int max_score() const noexcept { return max_; }
  int min_score() const noexcept { return min_; }

  /// For DNA schemes: the parameters they were made from.
  int dna_match() const noexcept { return match_; }
  int dna_mismatch() const noexcept { return mismatch_; }
  int dna_ambiguous() const noexcept { return ambiguous_; }

 private:
  ScoringScheme() = default;
  void finish();  // computes min/max

  Alphabet alphabet_ = Alphabet::dna;
  std::string name_;
  int size_ = 0;
  std::vector<int> matrix_;
  int gap_open_ = 0, gap_extend_ = 0;
  int max_ = 0, min_ = 0;
  int match_ = 0, mismatch_ = 0, ambiguous_ = 0;
};

/// Names of the built-in protein matrices.
std::vector<std::string> builtin_matrix_names();

/// Largest |score| any alignment of lengths m x n can reach, with margin for
/// gaps: the bound engines use to pick a score width that cannot overflow.
std::int64_t score_bound(const ScoringScheme& s, std::int64_t m, std::int64_t n) noexcept;

}  // namespace gpualign
