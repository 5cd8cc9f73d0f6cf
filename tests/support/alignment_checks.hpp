#pragma once
// Test support: the invariants every alignment with a CIGAR must satisfy
// (DESIGN.md conventions), checked the same way for every engine.
#include <gtest/gtest.h>

#include <string>

#include "gpualign/alignment.hpp"
#include "gpualign/cigar.hpp"
#include "gpualign/scoring.hpp"
#include "gpualign/sequence.hpp"

namespace gpualign::test {

// Empty string when `a` is consistent, else what is wrong.
inline std::string check_alignment(const SequencePair& p, const ScoringScheme& s, AlignMode mode, const Alignment& a) {
  const auto m = static_cast<std::int64_t>(p.query.size()), n = static_cast<std::int64_t>(p.target.size());
  if (a.status != AlignStatus::ok) return "status not ok: " + a.message;
  if (!(0 <= a.qbeg && a.qbeg <= a.qend && a.qend <= m)) return "query range out of bounds";
  if (!(0 <= a.tbeg && a.tbeg <= a.tend && a.tend <= n)) return "target range out of bounds";
  if (a.cigar.query_length() != a.qend - a.qbeg) return "CIGAR query length differs from qend-qbeg: " + a.cigar.to_string();
  if (a.cigar.target_length() != a.tend - a.tbeg) return "CIGAR target length differs from tend-tbeg: " + a.cigar.to_string();
  std::int64_t rescored = 0;
  try {
    rescored = rescore_cigar(a.cigar, p.query, p.target, a.qbeg, a.tbeg, s);
  } catch (const std::exception& e) {
    return std::string("CIGAR does not apply: ") + e.what();
  }
  if (rescored != a.score)
    return "CIGAR " + a.cigar.to_string() + " rescores to " + std::to_string(rescored) + ", reported " + std::to_string(a.score);
  const auto& ops = a.cigar.ops();
  switch (mode) {
    case AlignMode::global:
      if (a.qbeg != 0 || a.qend != m || a.tbeg != 0 || a.tend != n) return "global alignment does not span both sequences";
      break;
    case AlignMode::semi_global:
      if (a.qbeg != 0 || a.qend != m) return "semi-global alignment does not span the query";
      if (!ops.empty() && (ops.front().op == 'D' || ops.back().op == 'D')) return "semi-global CIGAR starts or ends with D";
      break;
    case AlignMode::local:
      if (!ops.empty()) {
        auto aligned = [](char op) { return op == '=' || op == 'X'; };
        if (!aligned(ops.front().op) || !aligned(ops.back().op)) return "local CIGAR does not start and end on aligned residues";
      }
      break;
  }
  return {};
}

}  // namespace gpualign::test
