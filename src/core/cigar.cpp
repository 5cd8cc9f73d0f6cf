#include "gpualign/cigar.hpp"

#include <algorithm>
#include <cctype>

#include "gpualign/error.hpp"
#include "gpualign/scoring.hpp"

namespace gpualign {

void Cigar::push(char op, std::uint32_t count) {
  if (count == 0) return;
  if (!ops_.empty() && ops_.back().op == op) ops_.back().length += count;
  else ops_.push_back({op, count});
}

void Cigar::reverse() { std::reverse(ops_.begin(), ops_.end()); }

std::int64_t Cigar::query_length() const noexcept {
  std::int64_t n = 0;
  for (const auto& o : ops_)
    if (o.op != 'D') n += o.length;
  return n;
}

std::int64_t Cigar::target_length() const noexcept {
  std::int64_t n = 0;
  for (const auto& o : ops_)
    if (o.op != 'I') n += o.length;
  return n;
}

std::int64_t Cigar::columns() const noexcept {
  std::int64_t n = 0;
  for (const auto& o : ops_) n += o.length;
  return n;
}

std::int64_t Cigar::matches() const noexcept {
  std::int64_t n = 0;
  for (const auto& o : ops_)
    if (o.op == '=') n += o.length;
  return n;
}

std::string Cigar::to_string(bool use_m) const {
  if (ops_.empty()) return "*";
  std::string out;
  std::uint32_t pending_m = 0;  // merged =/X run when rendering with M
  for (const auto& o : ops_) {
    if (use_m && (o.op == '=' || o.op == 'X')) {
      pending_m += o.length;
      continue;
    }
    if (pending_m) {
      out += std::to_string(pending_m) + 'M';
      pending_m = 0;
    }
    out += std::to_string(o.length) + o.op;
  }
  if (pending_m) out += std::to_string(pending_m) + 'M';
  return out;
}

Cigar Cigar::parse(const std::string& text) {
  Cigar c;
  if (text == "*") return c;
  std::uint64_t n = 0;
  bool have_digits = false;
  for (char ch : text) {
    if (std::isdigit(static_cast<unsigned char>(ch))) {
      n = n * 10 + static_cast<unsigned>(ch - '0');
      if (n > 0xffffffffu) throw Error("CIGAR run too long in '" + text + "'");
      have_digits = true;
    } else if (ch == '=' || ch == 'X' || ch == 'I' || ch == 'D') {
      if (!have_digits || n == 0) throw Error("CIGAR op without a positive length in '" + text + "'");
      c.push(ch, static_cast<std::uint32_t>(n));
      n = 0;
      have_digits = false;
    } else {
      throw Error(std::string("CIGAR op '") + ch + "' not one of = X I D in '" + text + "'");
    }
  }
  if (have_digits) throw Error("CIGAR ends in a bare number: '" + text + "'");
  return c;
}

std::int64_t rescore_cigar(const Cigar& cigar, std::span<const std::uint8_t> query,
                           std::span<const std::uint8_t> target, std::int64_t qbeg, std::int64_t tbeg,
                           const ScoringScheme& scoring) {
  std::int64_t score = 0, i = qbeg, j = tbeg;
  const auto qn = static_cast<std::int64_t>(query.size());
  const auto tn = static_cast<std::int64_t>(target.size());
  for (const auto& o : cigar.ops()) {
    switch (o.op) {
      case '=':
      case 'X':
        if (i + o.length > qn || j + o.length > tn) throw Error("CIGAR runs off the sequences");
        for (std::uint32_t k = 0; k < o.length; ++k, ++i, ++j) {
          if ((query[i] == target[j]) != (o.op == '='))
            throw Error("CIGAR says " + std::string(1, o.op) + " where the letters " +
                        (o.op == '=' ? "differ" : "are equal"));
          score += scoring.score(query[i], target[j]);
        }
        break;
      case 'I':
        if (i + o.length > qn) throw Error("CIGAR insertion runs off the query");
        i += o.length;
        score -= scoring.gap_open() + static_cast<std::int64_t>(o.length - 1) * scoring.gap_extend();
        break;
      case 'D':
        if (j + o.length > tn) throw Error("CIGAR deletion runs off the target");
        j += o.length;
        score -= scoring.gap_open() + static_cast<std::int64_t>(o.length - 1) * scoring.gap_extend();
        break;
      default:
        throw Error(std::string("CIGAR op '") + o.op + "' cannot be re-scored");
    }
  }
  return score;
}

}  // namespace gpualign
