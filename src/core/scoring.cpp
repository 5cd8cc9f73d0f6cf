#include "gpualign/scoring.hpp"

#include <algorithm>
#include <cctype>
#include <fstream>
#include <limits>
#include <sstream>

#include "core/builtin_matrices.hpp"
#include "gpualign/error.hpp"

namespace gpualign {

namespace {
std::string upper(std::string_view s) {
  std::string u(s);
  for (char& c : u) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return u;
}
}  // namespace

void ScoringScheme::finish() {
  max_ = *std::max_element(matrix_.begin(), matrix_.end());
  min_ = *std::min_element(matrix_.begin(), matrix_.end());
}

ScoringScheme ScoringScheme::dna(int match, int mismatch, int gap_open, int gap_extend, int ambiguous) {
  ScoringScheme s;
  s.alphabet_ = Alphabet::dna;
  s.name_ = "DNA";
  s.size_ = alphabet_size(Alphabet::dna);
  s.matrix_.assign(static_cast<std::size_t>(s.size_) * s.size_, ambiguous);
  for (int q = 0; q < kDnaFirstAmbiguous; ++q)
    for (int t = 0; t < kDnaFirstAmbiguous; ++t) s.matrix_[q * s.size_ + t] = q == t ? match : mismatch;
  s.gap_open_ = gap_open;
  s.gap_extend_ = gap_extend;
  s.match_ = match;
  s.mismatch_ = mismatch;
  s.ambiguous_ = ambiguous;
  s.finish();
  return s;
}

ScoringScheme ScoringScheme::protein(std::string_view matrix_name, int gap_open, int gap_extend) {
  const std::string wanted = upper(matrix_name);
  for (const auto& m : detail::builtin_matrices()) {
    if (m.name != wanted) continue;
    ScoringScheme s;
    s.alphabet_ = Alphabet::protein;
    s.name_ = std::string(m.name);
    s.size_ = alphabet_size(Alphabet::protein);
    s.matrix_.assign(m.values, m.values + s.size_ * s.size_);
    s.gap_open_ = gap_open;
    s.gap_extend_ = gap_extend;
    s.finish();
    return s;
  }
  std::string known;
  for (const auto& n : builtin_matrix_names()) known += (known.empty() ? "" : ", ") + n;
  throw Error("unknown substitution matrix '" + std::string(matrix_name) + "' (built in: " + known +
              "; or give a matrix file)");
}

ScoringScheme ScoringScheme::protein_from_file(const std::string& path, int gap_open, int gap_extend) {
  std::ifstream in(path);
  if (!in) throw Error("cannot open matrix file", path);
  const int n = alphabet_size(Alphabet::protein);
  constexpr int kUnset = std::numeric_limits<int>::min();
  std::vector<int> m(static_cast<std::size_t>(n) * n, kUnset);
  std::vector<int> columns;  // code of each header column
  std::string line;
  int line_no = 0, rows = 0;
  auto fail = [&](const std::string& why) { throw Error(why, path, "line " + std::to_string(line_no)); };
  while (std::getline(in, line)) {
    ++line_no;
    const auto first = line.find_first_not_of(" \t\r");
    if (first == std::string::npos || line[first] == '#') continue;
    std::istringstream fields(line);
    if (columns.empty()) {
      std::string letter;
      while (fields >> letter) {
        if (letter.size() != 1 || encode_residue(Alphabet::protein, letter[0]) < 0)
          fail("header column '" + letter + "' is not a protein letter");
        columns.push_back(encode_residue(Alphabet::protein, letter[0]));
      }
      continue;
    }
    std::string row_letter;
    fields >> row_letter;
    if (row_letter.size() != 1 || encode_residue(Alphabet::protein, row_letter[0]) < 0)
      fail("row label '" + row_letter + "' is not a protein letter");
    const int r = encode_residue(Alphabet::protein, row_letter[0]);
    for (std::size_t c = 0; c < columns.size(); ++c) {
      std::string value;
      if (!(fields >> value)) fail("row '" + row_letter + "' has fewer values than the header has letters");
      char* end = nullptr;
      const long v = std::strtol(value.c_str(), &end, 10);
      if (*end != '\0' || v < -1000 || v > 1000) fail("'" + value + "' is not an integer score");
      m[r * n + columns[c]] = static_cast<int>(v);
    }
    std::string extra;
    if (fields >> extra) fail("row '" + row_letter + "' has more values than the header has letters");
    ++rows;
  }
  if (columns.empty() || rows == 0) throw Error("no matrix found (expected NCBI format)", path);
  // Fill letters the file lacks from its X row/column, else its minimum.
  int lowest = std::numeric_limits<int>::max();
  for (int v : m)
    if (v != kUnset) lowest = std::min(lowest, v);
  const int x = static_cast<int>(kProteinLetters.find('X'));
  for (int q = 0; q < n; ++q)
    for (int t = 0; t < n; ++t) {
      int& v = m[q * n + t];
      if (v != kUnset) continue;
      if (m[x * n + t] != kUnset) v = m[x * n + t];
      else if (m[q * n + x] != kUnset) v = m[q * n + x];
      else v = lowest;
    }
  ScoringScheme s;
  s.alphabet_ = Alphabet::protein;
  s.name_ = path;
  s.size_ = n;
  s.matrix_ = std::move(m);
  s.gap_open_ = gap_open;
  s.gap_extend_ = gap_extend;
  s.finish();
  return s;
}

void ScoringScheme::validate() const {
  if (gap_open_ <= 0)
    throw Error("gap open penalty must be a positive number (got " + std::to_string(gap_open_) +
                "; a gap of length k costs open + (k-1)*extend)");
  if (gap_extend_ <= 0)
    throw Error("gap extend penalty must be a positive number (got " + std::to_string(gap_extend_) + ")");
  if (gap_extend_ > gap_open_)
    throw Error("gap extend penalty (" + std::to_string(gap_extend_) + ") must not exceed the gap open penalty (" +
                std::to_string(gap_open_) + ")");
  if (alphabet_ == Alphabet::dna) {
    if (match_ <= 0) throw Error("match score must be positive (got " + std::to_string(match_) + ")");
    if (match_ <= mismatch_)
      throw Error("match score (" + std::to_string(match_) + ") must be above the mismatch score (" +
                  std::to_string(mismatch_) + ")");
  } else if (max_ <= 0) {
    throw Error("substitution matrix '" + name_ + "' has no positive score");
  }
}

std::vector<std::string> builtin_matrix_names() {
  std::vector<std::string> names;
  for (const auto& m : detail::builtin_matrices()) names.emplace_back(m.name);
  return names;
}

std::int64_t score_bound(const ScoringScheme& s, std::int64_t m, std::int64_t n) noexcept {
  const std::int64_t sub = std::max<std::int64_t>(std::abs(s.max_score()), std::abs(s.min_score()));
  const std::int64_t gaps = static_cast<std::int64_t>(s.gap_open()) * 2 +
                            static_cast<std::int64_t>(s.gap_extend()) * (m + n);
  return sub * std::max(m, n) + gaps;
}

}  // namespace gpualign
