#pragma once
/// @file alphabet.hpp
/// Residue alphabets and their small integer codes.

#include <cstdint>
#include <string_view>

namespace gpualign {

/// The two alphabets gpualign aligns.
enum class Alphabet : std::uint8_t {
  dna,      ///< codes 0..3 = A C G T (U reads as T), 4..14 = N R Y S W K M B D H V (ambiguous)
  protein,  ///< codes 0..23 in NCBI matrix order: A R N D C Q E G H I L K M F P S T W Y V B Z X *
};

/// Number of distinct codes of an alphabet (15 for DNA, 24 for protein).
/// Ambiguity letters keep codes of their own so that a CIGAR can tell `R`
/// against `R` (`=`) from `R` against `Y` (`X`); they all score alike.
constexpr int alphabet_size(Alphabet a) noexcept { return a == Alphabet::dna ? 15 : 24; }

/// DNA codes at or above this are N or another ambiguity letter.
inline constexpr std::uint8_t kDnaFirstAmbiguous = 4;

/// Letters of the protein codes, in code order (NCBI matrix order).  U, O
/// and J (selenocysteine, pyrrolysine, I/L) are read as X.
inline constexpr std::string_view kProteinLetters = "ARNDCQEGHILKMFPSTWYVBZX*";
/// Letters of the DNA codes, in code order.
inline constexpr std::string_view kDnaLetters = "ACGTNRYSWKMBDHV";

/// Code of one letter (case-insensitive), or -1 when the letter is neither a
/// residue nor an ambiguity code of the alphabet.
int encode_residue(Alphabet a, char letter) noexcept;

/// Canonical upper-case letter of a code.
char decode_residue(Alphabet a, std::uint8_t code) noexcept;

/// "dna" or "protein".
std::string_view to_string(Alphabet a) noexcept;

}  // namespace gpualign
