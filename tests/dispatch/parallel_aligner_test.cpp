// ParallelAligner: one result per pair, in order, equal to the reference
// aligner's, on threads and processes; batches; budget statuses; a pair that
// crashes or throws in its engine fails alone.

#include <signal.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>

#include <cerrno>
#include <random>
#include <stdexcept>

#include <gtest/gtest.h>

#include "gpualign/engine.hpp"
#include "gpualign/parallel_aligner.hpp"
#include "gpualign/reference_aligner.hpp"
#include "support/random_sequences.hpp"

namespace gpualign {
namespace {

struct Data {
  Sequence reference;
  std::vector<Sequence> features;
};

Data make_data(std::uint64_t seed, std::size_t count, std::size_t min_len, std::size_t max_len) {
  std::mt19937_64 rng(seed);
  const std::string ref = test::random_text(rng, Alphabet::dna, 1500);
  Data d{Sequence("chr", ref, Alphabet::dna), {}};
  for (std::size_t i = 0; i < count; ++i) {
    const std::size_t len = min_len + rng() % (max_len - min_len + 1);
    const std::size_t at = rng() % (ref.size() - len);
    d.features.emplace_back("f" + std::to_string(i), test::mutate(rng, Alphabet::dna, ref.substr(at, len), 0.1),
                            Alphabet::dna);
  }
  return d;
}

void expect_same(const Alignment& got, const Alignment& want, std::size_t i) {
  ASSERT_EQ(got.status, AlignStatus::ok) << "pair " << i << ": " << got.message;
  EXPECT_EQ(got.score, want.score) << i;
  EXPECT_EQ(got.qbeg, want.qbeg) << i;
  EXPECT_EQ(got.qend, want.qend) << i;
  EXPECT_EQ(got.tbeg, want.tbeg) << i;
  EXPECT_EQ(got.tend, want.tend) << i;
  EXPECT_EQ(got.has_begin, want.has_begin) << i;
  EXPECT_EQ(got.cigar, want.cigar) << i;
}

struct Case {
  PoolType pool;
  std::size_t workers;
  std::size_t batch;
  AlignMode mode;
};

class AlignerMatchesReference : public ::testing::TestWithParam<Case> {};

TEST_P(AlignerMatchesReference, OneResultPerFeatureInOrder) {
  const Case c = GetParam();
  const Data d = make_data(5 + c.workers, 120, 20, 400);
  ParallelAligner aligner({.num_workers = c.workers, .batch_size = c.batch, .pool_type = c.pool,
                           .options = {.mode = c.mode, .output = AlignOutput::cigar}, .engine = "reference"});
  const auto got = aligner.align_features(d.features, d.reference);
  ASSERT_EQ(got.size(), d.features.size());
  for (std::size_t i = 0; i < got.size(); ++i)
    expect_same(got[i],
                reference_align({d.features[i].codes(), d.reference.codes()}, ScoringScheme::dna(),
                                {.mode = c.mode, .output = AlignOutput::cigar}),
                i);
}

INSTANTIATE_TEST_SUITE_P(Configs, AlignerMatchesReference,
                         ::testing::Values(Case{PoolType::thread, 1, 0, AlignMode::local},
                                           Case{PoolType::thread, 3, 0, AlignMode::global},
                                           Case{PoolType::thread, 2, 7, AlignMode::semi_global},
                                           Case{PoolType::process, 2, 0, AlignMode::local},
                                           Case{PoolType::process, 3, 5, AlignMode::semi_global}));

TEST(ParallelAligner, AutoBatchSizeFollowsTheGuide) {
  for (std::int64_t len : {0, 150, 500, 999}) {
    EXPECT_GE(ParallelAligner::auto_batch_size(len), 50u);
    EXPECT_LE(ParallelAligner::auto_batch_size(len), 100u);
  }
  for (std::int64_t len : {1000, 5000, 10000}) {
    EXPECT_GE(ParallelAligner::auto_batch_size(len), 20u);
    EXPECT_LE(ParallelAligner::auto_batch_size(len), 50u);
  }
  for (std::int64_t len : {10001, 20000, 100000, 10000000}) {
    EXPECT_GE(ParallelAligner::auto_batch_size(len), 5u);
    EXPECT_LE(ParallelAligner::auto_batch_size(len), 20u);
  }
  EXPECT_GT(ParallelAligner::auto_batch_size(100), ParallelAligner::auto_batch_size(900));
}

TEST(ParallelAligner, BatchesAreCostBalancedLargestFirst) {
  std::vector<std::uint8_t> seq(20000, 0);
  std::vector<SequencePair> pairs;
  std::mt19937 rng(3);
  for (int i = 0; i < 500; ++i) {
    const std::size_t q = 50 + rng() % 900, t = 100 + rng() % 2000;
    pairs.push_back({std::span(seq).first(q), std::span(seq).first(t)});
  }
  pairs[321] = {std::span(seq).first(15000), std::span(seq).first(20000)};  // one huge pair
  std::vector<std::uint64_t> bytes(pairs.size(), 100);
  bytes[17] = 1u << 30;  // cannot fit a 1 MiB budget
  const auto plan = detail::plan_alignment_batches(pairs, 0, 2, bytes, 1u << 20);
  ASSERT_EQ(plan.too_large, std::vector<std::size_t>{17});
  ASSERT_FALSE(plan.batches.empty());
  EXPECT_EQ(plan.batches.front(), std::vector<std::size_t>{321});  // the huge pair first, alone
  std::vector<int> seen(pairs.size(), 0);
  std::uint64_t prev = UINT64_MAX;
  for (const auto& b : plan.batches) {
    EXPECT_LE(b.size(), 100u);
    for (std::size_t i : b) {
      seen[i]++;
      EXPECT_LE(pairs[i].cells(), prev);
      prev = pairs[i].cells();
    }
  }
  for (std::size_t i = 0; i < pairs.size(); ++i) EXPECT_EQ(seen[i], i == 17 ? 0 : 1) << i;
}

TEST(ParallelAligner, PairsOverTheBudgetAreTooLargeOthersComplete) {
  const Data d = make_data(9, 30, 50, 100);
  std::vector<Sequence> features = d.features;
  std::mt19937_64 rng(1);
  features[4] = Sequence("huge", test::random_text(rng, Alphabet::dna, 2000), Alphabet::dna);
  // Budget: room for the small pairs' traceback, not for the huge one.
  const auto engine = make_engine("reference");
  const AlignOptions opt{};
  const std::uint64_t small = engine->estimate_host_bytes({features[0].codes(), d.reference.codes()}, opt);
  const std::uint64_t huge = engine->estimate_host_bytes({features[4].codes(), d.reference.codes()}, opt);
  ASSERT_LT(small * 4, huge);
  for (PoolType pool : {PoolType::thread, PoolType::process}) {
    ParallelAligner aligner({.num_workers = 2, .pool_type = pool, .engine = "reference", .memory_budget = huge / 2});
    const auto got = aligner.align_features(features, d.reference);
    for (std::size_t i = 0; i < got.size(); ++i) {
      if (i == 4) {
        EXPECT_EQ(got[i].status, AlignStatus::too_large);
        EXPECT_NE(got[i].message.find("memory budget"), std::string::npos) << got[i].message;
      } else {
        EXPECT_EQ(got[i].status, AlignStatus::ok) << i << ": " << got[i].message;
      }
    }
  }
}

// An engine that misbehaves on queries of exactly 77 residues: it throws in
// "throwing" mode and segfaults in "crashing" mode; otherwise it is the
// reference engine.
class FaultyEngine final : public Engine {
 public:
  explicit FaultyEngine(bool crash) : crash_(crash), inner_(make_engine("reference")) {}
  std::string_view name() const noexcept override { return crash_ ? "test-crashing" : "test-throwing"; }
  void align(std::span<const SequencePair> pairs, const ScoringScheme& s, const AlignOptions& o,
             std::span<Alignment> out) override {
    for (const auto& p : pairs)
      if (p.query.size() == 77) {
        if (!crash_) throw std::runtime_error("engine failure on a 77-residue query");
        struct rlimit zero {0, 0};
        setrlimit(RLIMIT_CORE, &zero);
        void* page = mmap(nullptr, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        *static_cast<volatile int*>(page) = 1;
      }
    inner_->align(pairs, s, o, out);
  }
  using Engine::align;

 private:
  bool crash_;
  std::unique_ptr<Engine> inner_;
};

TEST(ParallelAligner, AFaultyPairFailsAloneTheBatchStillCompletes) {
  register_engine("test-throwing", [] { return std::make_unique<FaultyEngine>(false); });
  register_engine("test-crashing", [] { return std::make_unique<FaultyEngine>(true); });
  Data d = make_data(21, 60, 60, 90);
  std::mt19937_64 rng(2);
  d.features[13] = Sequence("bad", test::random_text(rng, Alphabet::dna, 77), Alphabet::dna);
  for (std::size_t k = 0; k < d.features.size(); ++k)
    if (k != 13 && d.features[k].size() == 77) d.features[k] = Sequence("ok", test::random_text(rng, Alphabet::dna, 78), Alphabet::dna);

  struct Setup { PoolType pool; const char* engine; const char* words; };
  for (const Setup s : {Setup{PoolType::thread, "test-throwing", "77-residue"},
                        Setup{PoolType::process, "test-throwing", "77-residue"},
                        Setup{PoolType::process, "test-crashing", "SIGSEGV"}}) {
    ParallelAligner aligner({.num_workers = 2, .batch_size = 10, .pool_type = s.pool, .engine = s.engine});
    const auto got = aligner.align_features(d.features, d.reference);
    ASSERT_EQ(got.size(), d.features.size());
    for (std::size_t i = 0; i < got.size(); ++i) {
      if (i == 13) {
        EXPECT_EQ(got[i].status, AlignStatus::failed) << s.engine;
        EXPECT_NE(got[i].message.find(s.words), std::string::npos) << got[i].message;
      } else {
        expect_same(got[i], reference_align({d.features[i].codes(), d.reference.codes()}, ScoringScheme::dna(), {}), i);
      }
    }
  }
  int st;
  EXPECT_TRUE(waitpid(-1, &st, WNOHANG) < 0 && errno == ECHILD);
}

TEST(ParallelAligner, ConfigurationErrors) {
  EXPECT_THROW(ParallelAligner({.engine = "no-such-engine"}), Error);
  ParallelAligner dna({.engine = "reference"});
  const Sequence protein("p", "MKVL", Alphabet::protein);
  const Sequence ref("r", "ACGT", Alphabet::dna);
  std::vector<Sequence> features{protein};
  EXPECT_THROW(dna.align_features(features, ref), Error);
  EXPECT_TRUE(dna.align_pairs({}).empty());
  EXPECT_FALSE(ParallelAligner::best_engine_name().empty());
  EXPECT_FALSE(ParallelAligner().engine_name().empty());
}

}  // namespace
}  // namespace gpualign
