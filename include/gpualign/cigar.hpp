#pragma once
/// @file cigar.hpp
/// CIGAR strings: `=` `X` `I` `D` operations (`M` on request).

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace gpualign {

class ScoringScheme;

/// One CIGAR operation.  `I` is a query residue absent from the target, `D`
/// a target residue absent from the query; `=` same letter (ignoring case),
/// `X` different letters.
struct CigarOp {
  char op = '=';             ///< one of = X I D (M only in rendered strings)
  std::uint32_t length = 0;  ///< run length, > 0
  bool operator==(const CigarOp&) const = default;
};

/// A run-length encoded alignment path.
class Cigar {
 public:
  Cigar() = default;
  /// Appends one column, merging with the last run.
  void push(char op, std::uint32_t count = 1);
  /// Reverses the order of the runs (tracebacks build paths backwards).
  void reverse();
  /// Room for `runs` runs without reallocating (a caller that has counted them).
  void reserve(std::size_t runs) { ops_.reserve(runs); }
  const std::vector<CigarOp>& ops() const noexcept { return ops_; }
  bool empty() const noexcept { return ops_.empty(); }
  void clear() noexcept { ops_.clear(); }
  /// Query residues consumed (= X I).
  std::int64_t query_length() const noexcept;
  /// Target residues consumed (= X D).
  std::int64_t target_length() const noexcept;
  /// Alignment columns (= X I D).
  std::int64_t columns() const noexcept;
  /// Columns with `=`.
  std::int64_t matches() const noexcept;
  /// "10=1X3I", or "14M3I" with `use_m`.  "*" when empty.
  std::string to_string(bool use_m = false) const;
  /// Parses "10=1X2I" (M is rejected: it cannot be re-scored).  Throws
  /// gpualign::Error on malformed text.
  static Cigar parse(const std::string& text);
  bool operator==(const Cigar&) const = default;

 private:
  std::vector<CigarOp> ops_;
};

/// Score of the path `cigar` applied to query codes from `qbeg` and target
/// codes from `tbeg` under `scoring`.  Throws gpualign::Error if the path
/// runs off either sequence or an =/X does not match the letters.
std::int64_t rescore_cigar(const Cigar& cigar, std::span<const std::uint8_t> query,
                           std::span<const std::uint8_t> target, std::int64_t qbeg, std::int64_t tbeg,
                           const ScoringScheme& scoring);

}  // namespace gpualign
