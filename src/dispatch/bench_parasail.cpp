// parasail rows of gpualign bench (only when parasail is linked).
#include "dispatch/bench_parasail.hpp"

#include <algorithm>
#include <chrono>

#include "gpualign/alphabet.hpp"
#include "gpualign/error.hpp"

#ifdef GPUALIGN_HAVE_PARASAIL
#include <parasail.h>
#endif

namespace gpualign::detail {

bool parasail_linked() noexcept {
#ifdef GPUALIGN_HAVE_PARASAIL
  return true;
#else
  return false;
#endif
}

ParasailRun run_parasail(std::span<const SequencePair> pairs, const ScoringScheme& scoring,
                         const AlignOptions& options) {
#ifndef GPUALIGN_HAVE_PARASAIL
  (void)pairs;
  (void)scoring;
  (void)options;
  throw Error("parasail not installed (this build was made without libparasail)");
#else
  ParasailRun run;
  const char* base = options.mode == AlignMode::local ? "sw" : options.mode == AlignMode::global ? "nw" : "sg_dx";
  const bool trace = options.output == AlignOutput::cigar;
  // parasail's fastest exact choice: 16-bit striped when no score can pass
  // 16 bits (it is faster than _sat, which runs 8-bit first and redoes every
  // pair scoring over 127), else _sat (8, then 16, then 32 bits as needed).
  std::int64_t most = 0;
  for (const auto& p : pairs)
    most = std::max<std::int64_t>(most, static_cast<std::int64_t>(scoring.max_score()) *
                                            static_cast<std::int64_t>(std::min(p.query.size(), p.target.size())));
  const bool fits16 = options.mode == AlignMode::local && most < 32000;
  run.function = std::string(base) + (trace ? "_trace" : "") + (fits16 ? "_striped_16" : "_striped_sat");
  parasail_function_t* fn = parasail_lookup_function(run.function.c_str());
  if (!fn) throw Error("parasail has no function " + run.function);

  // A matrix over our letters with our values, so ambiguity codes score alike.
  const std::string_view letters = scoring.alphabet() == Alphabet::dna ? kDnaLetters : kProteinLetters;
  parasail_matrix_t* matrix = parasail_matrix_create(std::string(letters).c_str(), 1, -1);
  for (int q = 0; q < scoring.size(); ++q)
    for (int t = 0; t < scoring.size(); ++t) parasail_matrix_set_value(matrix, q, t, scoring.score(q, t));

  std::vector<std::string> qs(pairs.size()), ts(pairs.size());
  auto text = [&](std::span<const std::uint8_t> codes) {
    std::string s(codes.size(), 'A');
    for (std::size_t i = 0; i < codes.size(); ++i) s[i] = letters[codes[i]];
    return s;
  };
  for (std::size_t i = 0; i < pairs.size(); ++i) {
    qs[i] = text(pairs[i].query);
    ts[i] = text(pairs[i].target);
  }
  run.scores.resize(pairs.size());
  const auto start = std::chrono::steady_clock::now();
  for (std::size_t i = 0; i < pairs.size(); ++i) {
    parasail_result_t* r = fn(qs[i].c_str(), static_cast<int>(qs[i].size()), ts[i].c_str(),
                              static_cast<int>(ts[i].size()), scoring.gap_open(), scoring.gap_extend(), matrix);
    if (!r) {
      parasail_matrix_free(matrix);
      throw Error("parasail failed on pair " + std::to_string(i));
    }
    if (trace) {
      parasail_cigar_t* c = parasail_result_get_cigar(r, qs[i].c_str(), static_cast<int>(qs[i].size()),
                                                      ts[i].c_str(), static_cast<int>(ts[i].size()), matrix);
      parasail_cigar_free(c);
    }
    run.scores[i] = parasail_result_get_score(r);
    parasail_result_free(r);
  }
  run.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  parasail_matrix_free(matrix);
  return run;
#endif
}

}  // namespace gpualign::detail
