#include "gpualign/sequence.hpp"

#include <algorithm>
#include <string>

#include "gpualign/error.hpp"

namespace gpualign {

Sequence::Sequence(std::string name, std::string text, Alphabet alphabet, std::string_view file)
    : name_(std::move(name)), text_(std::move(text)), alphabet_(alphabet) {
  codes_.resize(text_.size());
  for (std::size_t i = 0; i < text_.size(); ++i) {
    const int code = encode_residue(alphabet_, text_[i]);
    if (code < 0) {
      const unsigned char c = static_cast<unsigned char>(text_[i]);
      std::string shown = (c >= 33 && c < 127) ? std::string("'") + text_[i] + "'"
                                               : "byte " + std::to_string(static_cast<int>(c));
      throw Error(shown + " at position " + std::to_string(i + 1) + " is not a " +
                      std::string(to_string(alphabet_)) + " residue or ambiguity code",
                  std::string(file), "record '" + name_ + "'");
    }
    codes_[i] = static_cast<std::uint8_t>(code);
  }
}

namespace {
char complement(char c) {
  // IUPAC complements, keeping case; letters without a complement map to themselves.
  static constexpr std::string_view from = "ACGTURYSWKMBDHVNacgturyswkmbdhvn";
  static constexpr std::string_view to__ = "TGCAAYRSWMKVHDBNtgcaayrswmkvhdbn";
  const auto pos = from.find(c);
  return pos == std::string_view::npos ? c : to__[pos];
}
}  // namespace

Sequence Sequence::reverse_complement(std::string new_name) const {
  if (alphabet_ != Alphabet::dna) throw Error("reverse complement of a protein sequence", {}, name_);
  std::string rc(text_.rbegin(), text_.rend());
  std::transform(rc.begin(), rc.end(), rc.begin(), complement);
  return Sequence(std::move(new_name), std::move(rc), Alphabet::dna);
}

}  // namespace gpualign
