#include "gpualign/alphabet.hpp"

#include <array>

namespace gpualign {
namespace {

// Letter -> code tables, built once at compile time; -1 = not in the alphabet.
constexpr std::array<signed char, 256> make_dna_table() {
  std::array<signed char, 256> t{};
  for (auto& v : t) v = -1;
  for (std::size_t i = 0; i < kDnaLetters.size(); ++i) {
    const char c = kDnaLetters[i];
    t[static_cast<unsigned char>(c)] = static_cast<signed char>(i);
    t[static_cast<unsigned char>(c - 'A' + 'a')] = static_cast<signed char>(i);
  }
  t['U'] = t['u'] = 3;  // RNA reads as DNA
  return t;
}

constexpr std::array<signed char, 256> make_protein_table() {
  std::array<signed char, 256> t{};
  for (auto& v : t) v = -1;
  for (std::size_t i = 0; i < kProteinLetters.size(); ++i) {
    const char c = kProteinLetters[i];
    t[static_cast<unsigned char>(c)] = static_cast<signed char>(i);
    if (c >= 'A' && c <= 'Z') t[static_cast<unsigned char>(c - 'A' + 'a')] = static_cast<signed char>(i);
  }
  // Letters the standard matrices lack: selenocysteine, pyrrolysine, I/L.
  const signed char x = static_cast<signed char>(kProteinLetters.find('X'));
  for (char c : {'U', 'O', 'J', 'u', 'o', 'j'}) t[static_cast<unsigned char>(c)] = x;
  return t;
}

constexpr auto kDnaTable = make_dna_table();
constexpr auto kProteinTable = make_protein_table();

}  // namespace

int encode_residue(Alphabet a, char letter) noexcept {
  const auto u = static_cast<unsigned char>(letter);
  return a == Alphabet::dna ? kDnaTable[u] : kProteinTable[u];
}

char decode_residue(Alphabet a, std::uint8_t code) noexcept {
  const auto& letters = a == Alphabet::dna ? kDnaLetters : kProteinLetters;
  return code < letters.size() ? letters[code] : '?';
}

std::string_view to_string(Alphabet a) noexcept { return a == Alphabet::dna ? "dna" : "protein"; }

}  // namespace gpualign
