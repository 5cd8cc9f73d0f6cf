#pragma once
// Checks shared by the CUDA engine's tests on a GPU (test_engine_gpu.cpp) and
// on the emulated runtime (test_engine_emulated.cpp): random batches of
// every size class, outputs poisoned first, every field compared with the
// exact reference aligner.

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <exception>
#include <memory>
#include <mutex>
#include <numeric>
#include <random>
#include <span>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "cuda/cuda_engine.hpp"
#include "gpualign/cigar.hpp"
#include "gpualign/engine.hpp"
#include "gpualign/error.hpp"
#include "gpualign/reference_aligner.hpp"

namespace gpualign::test {

// The reference's answer for every pair, on all of the host's cores: the
// oracle, not the engine, is what takes a GPU test its time (one 20,000 x
// 60,000 pair is seconds of it).  Largest pairs first, so no core is left
// with one at the end.  An exception from the reference reaches the caller.
inline std::vector<Alignment> reference_all(std::span<const SequencePair> pairs, const ScoringScheme& s,
                                            const AlignOptions& opt) {
  std::vector<std::size_t> order(pairs.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  auto cells = [&](std::size_t i) { return pairs[i].query.size() * pairs[i].target.size(); };
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return cells(a) > cells(b); });
  std::vector<Alignment> ref(pairs.size());
  std::atomic<std::size_t> next{0};
  std::exception_ptr failed;
  std::mutex failed_mutex;
  auto work = [&] {
    try {
      for (std::size_t k; (k = next.fetch_add(1)) < order.size();)
        ref[order[k]] = reference_align(pairs[order[k]], s, opt);
    } catch (...) {
      const std::lock_guard<std::mutex> lock(failed_mutex);
      if (!failed) failed = std::current_exception();
      next = order.size();  // the others stop too
    }
  };
  const std::size_t n = std::clamp<std::size_t>(std::thread::hardware_concurrency(), 1, std::max<std::size_t>(pairs.size(), 1));
  std::vector<std::thread> helpers;
  for (std::size_t t = 1; t < n; ++t) helpers.emplace_back(work);
  work();
  for (std::thread& t : helpers) t.join();
  if (failed) std::rethrow_exception(failed);
  return ref;
}

// DNA with an N in ~1 of 17 bases, or (`acgt_only`) none.
inline std::string random_text(std::mt19937& rng, Alphabet a, int len, bool acgt_only = false) {
  const std::string_view letters = a == Alphabet::dna ? std::string_view(acgt_only ? "ACGT" : "ACGTACGTACGTACGTN")
                                                      : kProteinLetters;
  std::uniform_int_distribution<int> d(0, static_cast<int>(letters.size()) - 1);
  std::string s(static_cast<std::size_t>(len), 'A');
  for (char& c : s) c = letters[static_cast<std::size_t>(d(rng))];
  return s;
}

inline std::string mutate(std::mt19937& rng, const std::string& src, Alphabet a, bool acgt_only = false) {
  std::string out;
  std::uniform_int_distribution<int> p(0, 99);
  const std::string other = random_text(rng, a, static_cast<int>(src.size()) + 2, acgt_only);
  for (std::size_t i = 0; i < src.size(); ++i) {
    const int r = p(rng);
    if (r < 7) out += other[i];
    else if (r < 9) continue;
    else if (r < 11) out += other[i + 1], out += src[i];
    else out += src[i];
  }
  return out.empty() ? std::string("A") : out;
}

struct Batch {
  std::vector<Sequence> seqs;
  std::vector<SequencePair> pairs;
};

// Every other DNA pair is made of A, C, G, T only (the kernels' register
// scores), the others carry N.
inline Batch make_batch(std::uint32_t seed, Alphabet a, const std::vector<std::pair<int, int>>& dims) {
  std::mt19937 rng(seed);
  Batch b;
  b.seqs.reserve(dims.size() * 2);
  for (std::size_t i = 0; i < dims.size(); ++i) {
    const auto [m, n] = dims[i];
    const bool acgt_only = i % 2 == 0;
    const std::string t = random_text(rng, a, n, acgt_only);
    std::string q = (i % 4 == 3 || m > n)
                        ? random_text(rng, a, m, acgt_only)
                        : mutate(rng, t.substr(rng() % static_cast<unsigned>(n - m + 1), m), a, acgt_only);
    b.seqs.emplace_back("q", q, a);
    b.seqs.emplace_back("t", t, a);
  }
  for (std::size_t i = 0; i < dims.size(); ++i) b.pairs.push_back({b.seqs[2 * i].codes(), b.seqs[2 * i + 1].codes()});
  return b;
}

// Every size class: lengths around the strip (8), warp (32), tile (256) and
// inter/intra (2048) edges, then `count` random pairs, 70% short (50-449)
// and 30% long (1,000-5,999).
inline std::vector<std::pair<int, int>> mixed_dims(std::uint32_t seed, int count) {
  std::mt19937 rng(seed);
  std::vector<std::pair<int, int>> d;
  const int edges[] = {1, 7, 8, 9, 31, 32, 33, 255, 256, 257, 511, 512, 513, 2047, 2048, 2049};
  for (int e : edges) d.push_back({e, e + static_cast<int>(rng() % 40)});
  for (int i = 0; i < count; ++i) {
    const int cls = static_cast<int>(rng() % 10);
    const int m = cls < 7 ? 50 + static_cast<int>(rng() % 400) : 1000 + static_cast<int>(rng() % 5000);
    d.push_back({m, m + static_cast<int>(rng() % (2 * m))});
  }
  return d;
}

inline void check_batch(Engine& e, const Batch& b, const ScoringScheme& s, AlignMode mode, AlignOutput output) {
  const AlignOptions opt{mode, output};
  std::vector<Alignment> got(b.pairs.size());
  for (Alignment& a : got) {  // poison
    a.score = a.qbeg = a.qend = a.tbeg = a.tend = -777;
    a.cigar.push('X', 3);
  }
  e.align(b.pairs, s, opt, got);
  const std::vector<Alignment> refs = reference_all(b.pairs, s, opt);
  for (std::size_t i = 0; i < b.pairs.size(); ++i) {
    const Alignment& ref = refs[i];
    SCOPED_TRACE("pair " + std::to_string(i) + " " + std::to_string(b.pairs[i].query.size()) + "x" +
                 std::to_string(b.pairs[i].target.size()) + " " + std::string(to_string(mode)));
    ASSERT_EQ(got[i].status, AlignStatus::ok) << got[i].message;
    EXPECT_EQ(got[i].score, ref.score);
    EXPECT_EQ(got[i].qend, ref.qend);
    EXPECT_EQ(got[i].tend, ref.tend);
    if (output != AlignOutput::score_end) {
      EXPECT_EQ(got[i].qbeg, ref.qbeg);
      EXPECT_EQ(got[i].tbeg, ref.tbeg);
    }
    if (output == AlignOutput::cigar)
      EXPECT_EQ(rescore_cigar(got[i].cigar, b.pairs[i].query, b.pairs[i].target, got[i].qbeg, got[i].tbeg, s),
                ref.score);
  }
}

// Empty and one-to-four-letter pairs (the engine leaves the empty ones to the CPU).
inline Batch tiny_batch() {
  Batch b;
  b.seqs = {Sequence("a", "", Alphabet::dna), Sequence("c", "A", Alphabet::dna), Sequence("g", "ACGT", Alphabet::dna)};
  const Sequence &a = b.seqs[0], &c = b.seqs[1], &g = b.seqs[2];
  b.pairs = {{a.codes(), g.codes()}, {g.codes(), a.codes()}, {c.codes(), c.codes()}, {c.codes(), g.codes()}};
  return b;
}

inline constexpr AlignMode kModes[] = {AlignMode::local, AlignMode::global, AlignMode::semi_global};

// The engine's CIGARs (and ends) equal the reference's exactly; the windows
// went to the GPU traceback (none fell back).  The CPU engine's CIGARs are
// only held to the score: DESIGN.md lets equally good paths differ, and its
// banded traceback (windows past its SIMD traceback's cell cap) splits ties
// its own way -- three global windows of TracebackEveryWindowAWarp's batch,
// found when that test first ran on a GPU.
inline void check_gpu_cigars(Engine& e, std::span<const SequencePair> pairs, const ScoringScheme& s, AlignMode mode,
                      bool all_on_gpu) {
  const AlignOptions opt{mode, AlignOutput::cigar};
  std::vector<Alignment> got(pairs.size());
  for (Alignment& a : got) {  // poison
    a.score = a.qbeg = a.qend = a.tbeg = a.tend = -777;
    a.cigar.push('X', 3);
  }
  e.align(pairs, s, opt, got);
  auto* ce = dynamic_cast<cuda::CudaEngine*>(&e);
  ASSERT_NE(ce, nullptr);
  const cuda::CudaRunStats st = ce->last_stats();
  EXPECT_EQ(st.trace_fallbacks, 0u);
  if (all_on_gpu) EXPECT_EQ(st.trace_gpu_pairs, pairs.size());
  EXPECT_EQ(st.trace_gpu_pairs + st.trace_cpu_pairs + st.cpu_pairs, pairs.size());
  std::unique_ptr<Engine> cpu;
  try {
    cpu = make_engine("cpu");
  } catch (const Error&) {
  }
  std::vector<Alignment> by_cpu;
  if (cpu && cpu->available()) by_cpu = cpu->align(pairs, s, opt);
  const std::vector<Alignment> refs = reference_all(pairs, s, opt);
  for (std::size_t i = 0; i < pairs.size(); ++i) {
    const Alignment& ref = refs[i];
    SCOPED_TRACE("pair " + std::to_string(i) + " " + std::to_string(pairs[i].query.size()) + "x" +
                 std::to_string(pairs[i].target.size()) + " " + std::string(to_string(mode)));
    ASSERT_EQ(got[i].status, AlignStatus::ok) << got[i].message;
    EXPECT_EQ(got[i].score, ref.score);
    EXPECT_EQ(got[i].qbeg, ref.qbeg);
    EXPECT_EQ(got[i].qend, ref.qend);
    EXPECT_EQ(got[i].tbeg, ref.tbeg);
    EXPECT_EQ(got[i].tend, ref.tend);
    EXPECT_EQ(got[i].cigar.to_string(), ref.cigar.to_string());
    if (!by_cpu.empty()) {
      EXPECT_EQ(by_cpu[i].score, ref.score);
      EXPECT_EQ(rescore_cigar(by_cpu[i].cigar, pairs[i].query, pairs[i].target, by_cpu[i].qbeg, by_cpu[i].tbeg, s),
                ref.score);
    }
  }
}

}  // namespace gpualign::test
