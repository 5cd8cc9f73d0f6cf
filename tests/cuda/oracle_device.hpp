#pragma once
// The fake runtime's oracle device (fake_cuda::Config::oracle) answered by
// the CPU engine (the reference where it is not built): launches run no
// recurrence, so the CUDA engine's host work -- planning, staging, merging,
// turning paths into CIGARs -- runs at full size (W1's 20,000 pairs, all
// three passes) in seconds and on true results.  What that checks and
// measures is the host side only; the kernels' own math is the emulated
// tests' and the GPU's.
//
// Answers are kept by problem (work, query, target): a bench that aligns
// the same batch again asks the CPU engine nothing, so its device waits
// are short and its host time (wall less waits) is what it measures.

#include <memory>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "fake_cuda_runtime.hpp"
#include "gpualign/engine.hpp"
#include "gpualign/error.hpp"
#include "gpualign/scoring.hpp"

namespace gpualign::test {

/// An oracle for fake_cuda::Config::oracle under `scoring`.  A problem
/// the CPU engine fails (it never should) throws, which fails the launch.
inline fake_cuda::Oracle cpu_oracle(const ScoringScheme& scoring) {
  struct Memo {
    ScoringScheme scoring;
    std::unique_ptr<Engine> engine;
    std::unordered_map<std::string, fake_cuda::OracleProblem> answers;
  };
  auto memo = std::make_shared<Memo>(Memo{scoring, nullptr, {}});
  try {
    memo->engine = make_engine("cpu");
  } catch (const Error&) {
    memo->engine = make_engine("reference");
  }
  return [memo](fake_cuda::OracleWork work, std::vector<fake_cuda::OracleProblem>& problems) {
    auto key_of = [work](const fake_cuda::OracleProblem& p) {
      std::string k(1, static_cast<char>(work));
      k += std::to_string(p.query.size()) + ':';
      k.append(p.query.begin(), p.query.end());
      k.append(p.target.begin(), p.target.end());
      return k;
    };
    std::vector<std::string> keys;
    std::vector<SequencePair> misses;
    std::vector<std::size_t> missed;
    for (std::size_t i = 0; i < problems.size(); ++i) {
      keys.push_back(key_of(problems[i]));
      if (memo->answers.count(keys.back())) continue;
      misses.push_back(SequencePair{problems[i].query, problems[i].target});
      missed.push_back(i);
    }
    if (!misses.empty()) {
      const bool trace = work == fake_cuda::OracleWork::trace;
      const AlignOptions opt{trace                                          ? AlignMode::global
                             : work == fake_cuda::OracleWork::local          ? AlignMode::local
                             : work == fake_cuda::OracleWork::global         ? AlignMode::global
                                                                              : AlignMode::semi_global,
                             trace ? AlignOutput::cigar : AlignOutput::score_end};
      std::vector<Alignment> out(misses.size());
      memo->engine->align(misses, memo->scoring, opt, out);
      for (std::size_t k = 0; k < misses.size(); ++k) {
        if (out[k].status != AlignStatus::ok) throw Error("oracle device: the CPU engine failed: " + out[k].message);
        fake_cuda::OracleProblem a;
        a.score = out[k].score;
        a.qend = out[k].qend;
        a.tend = out[k].tend;
        for (const CigarOp& op : out[k].cigar.ops()) a.path.append(op.length, op.op);
        memo->answers[keys[missed[k]]] = std::move(a);
      }
    }
    for (std::size_t i = 0; i < problems.size(); ++i) {
      const fake_cuda::OracleProblem& a = memo->answers.at(keys[i]);
      problems[i].score = a.score;
      problems[i].qend = a.qend;
      problems[i].tend = a.tend;
      problems[i].path = a.path;
    }
  };
}

}  // namespace gpualign::test
