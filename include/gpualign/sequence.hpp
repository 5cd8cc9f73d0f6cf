#pragma once
/// @file sequence.hpp
/// A named sequence, encoded once into alphabet codes.

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "gpualign/alphabet.hpp"

namespace gpualign {

/// A named sequence: its original text (kept for output) and its codes.
class Sequence {
 public:
  Sequence() = default;

  /// Encodes `text` in `alphabet`.  Throws gpualign::Error naming `name` (and
  /// `file` when given) on a letter that is neither a residue nor an
  /// ambiguity code, e.g. a digit or punctuation.  Empty text is allowed here;
  /// readers reject empty records themselves.
  Sequence(std::string name, std::string text, Alphabet alphabet, std::string_view file = {});

  const std::string& name() const noexcept { return name_; }
  /// The text as read (original case).
  const std::string& text() const noexcept { return text_; }
  std::span<const std::uint8_t> codes() const noexcept { return codes_; }
  Alphabet alphabet() const noexcept { return alphabet_; }
  std::int64_t size() const noexcept { return static_cast<std::int64_t>(codes_.size()); }
  bool empty() const noexcept { return codes_.empty(); }

  /// The reverse complement (DNA only; throws for protein).  Ambiguity
  /// letters are complemented (R<->Y, ...), N stays N.
  Sequence reverse_complement(std::string new_name) const;

 private:
  std::string name_;
  std::string text_;
  std::vector<std::uint8_t> codes_;
  Alphabet alphabet_ = Alphabet::dna;
};

/// A pair to align, as views of encoded codes (the owner outlives the view).
struct SequencePair {
  std::span<const std::uint8_t> query;   ///< aligned end to end in global and semi-global mode
  std::span<const std::uint8_t> target;  ///< the reference; its ends are free in semi-global mode

  /// Cells of the full dynamic-programming matrix, |query| * |target|.
  std::uint64_t cells() const noexcept {
    return static_cast<std::uint64_t>(query.size()) * target.size();
  }
};

}  // namespace gpualign
