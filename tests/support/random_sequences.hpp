#pragma once
// Test support: random sequences and related pairs, shared by every module's tests.
#include <cstdint>
#include <random>
#include <string>

#include "gpualign/alphabet.hpp"

namespace gpualign::test {

// A random string of `n` residues; `ambiguous` is the chance of an ambiguity
// letter (DNA: N R Y ..., protein: B Z X).
inline std::string random_text(std::mt19937_64& rng, Alphabet a, std::size_t n, double ambiguous = 0.0) {
  const std::string_view plain = a == Alphabet::dna ? std::string_view("ACGT") : std::string_view("ARNDCQEGHILKMFPSTWYV");
  const std::string_view amb = a == Alphabet::dna ? std::string_view("NRYSWKMBDHV") : std::string_view("BZX*");
  std::uniform_real_distribution<double> u(0, 1);
  std::string s(n, 'A');
  for (auto& c : s) {
    if (ambiguous > 0 && u(rng) < ambiguous) c = amb[rng() % amb.size()];
    else c = plain[rng() % plain.size()];
    if (rng() % 7 == 0) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return s;
}

// A copy of `src` with about `rate` of its positions changed: substitutions
// and 1-5 letter insertions and deletions.
inline std::string mutate(std::mt19937_64& rng, Alphabet a, const std::string& src, double rate) {
  std::uniform_real_distribution<double> u(0, 1);
  std::string out;
  for (std::size_t i = 0; i < src.size(); ++i) {
    const double r = u(rng);
    if (r < rate * 0.6) out += random_text(rng, a, 1);
    else if (r < rate * 0.8) out += random_text(rng, a, 1 + rng() % 5) + src[i];
    else if (r < rate) i += rng() % 5;
    else out += src[i];
  }
  return out;
}

}  // namespace gpualign::test
