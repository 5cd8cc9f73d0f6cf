// The dispatcher driving the real CUDA engine on the fake device
// (fake_cuda_runtime.hpp): gpu and hybrid runs are exact; a failed device
// allocation is an out-of-memory, so the batch is split and retried on the
// GPU; a failed launch is a lost device: one warning, the rest on the CPU,
// nothing lost.  The dispatcher's own tests use a fake engine; these use the
// engine's real error texts.

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <utility>
#include <vector>

#include "engine_checks.hpp"
#include "fake_cuda_runtime.hpp"
#include "gpualign/dispatcher.hpp"

namespace gpualign {
namespace {

namespace fake = test::fake_cuda;

class DispatcherOnFakeDevice : public ::testing::Test {
 protected:
  void SetUp() override { fake::reset(); }
  void TearDown() override { fake::reset(); }

  DispatcherConfig config(Backend backend) {
    DispatcherConfig c;
    c.scoring = ScoringScheme::dna();
    c.options = AlignOptions{AlignMode::local, AlignOutput::cigar};
    c.backend = backend;
    c.num_workers = 2;
    c.profile = builtin_profile();
    c.on_warning = [this](const std::string& w) { warnings.push_back(w); };
    return c;
  }

  static void expect_exact(const test::Batch& b, const std::vector<Alignment>& got, const DispatcherConfig& c) {
    ASSERT_EQ(got.size(), b.pairs.size());
    for (std::size_t i = 0; i < got.size(); ++i) {
      const Alignment ref = reference_align(b.pairs[i], c.scoring, c.options);
      ASSERT_EQ(got[i].status, AlignStatus::ok) << "pair " << i << ": " << got[i].message;
      EXPECT_EQ(got[i].score, ref.score) << "pair " << i;
      EXPECT_EQ(got[i].qbeg, ref.qbeg) << "pair " << i;
      EXPECT_EQ(got[i].qend, ref.qend) << "pair " << i;
      EXPECT_EQ(got[i].tbeg, ref.tbeg) << "pair " << i;
      EXPECT_EQ(got[i].tend, ref.tend) << "pair " << i;
      EXPECT_EQ(rescore_cigar(got[i].cigar, b.pairs[i].query, b.pairs[i].target, got[i].qbeg, got[i].tbeg, c.scoring),
                ref.score)
          << "pair " << i;
    }
  }

  // 40 short pairs (inter kernel) and one long (intra kernel, one tile).
  static std::vector<std::pair<int, int>> dims() {
    std::mt19937 rng(51);
    std::vector<std::pair<int, int>> d;
    for (int i = 0; i < 40; ++i) {
      const int m = 20 + static_cast<int>(rng() % 400);
      d.push_back({m, m + static_cast<int>(rng() % (m + 1))});
    }
    d.push_back({60, 2100});
    return d;
  }

  std::vector<std::string> warnings;
  const test::Batch batch = test::make_batch(51, Alphabet::dna, dims());
};

TEST_F(DispatcherOnFakeDevice, GpuAndHybridMatchTheReference) {
  for (Backend be : {Backend::gpu, Backend::hybrid}) {
    fake::reset();
    const DispatcherConfig c = config(be);
    Dispatcher d(c);
    ASSERT_TRUE(d.gpu_available());
    expect_exact(batch, d.align(batch.pairs), c);
    if (be == Backend::gpu) EXPECT_GT(d.stats().gpu_cells, 0u);
  }
  EXPECT_GT(fake::calls().launches, 0);
  EXPECT_TRUE(warnings.empty());
}

TEST_F(DispatcherOnFakeDevice, DeviceOutOfMemorySplitsAndRetriesOnTheGpu) {
  const DispatcherConfig c = config(Backend::gpu);
  Dispatcher d(c);
  fake::fail("cudaMalloc", 1, cudaErrorMemoryAllocation);
  expect_exact(batch, d.align(batch.pairs), c);
  const DispatchStats s = d.stats();
  EXPECT_GT(s.gpu_splits, 0u);
  EXPECT_EQ(s.gpu_fallback_pairs, 0u);
  EXPECT_TRUE(d.gpu_available());
  EXPECT_TRUE(warnings.empty());
}

TEST_F(DispatcherOnFakeDevice, FailedLaunchIsALostDeviceAndNothingIsLost) {
  const DispatcherConfig c = config(Backend::gpu);
  Dispatcher d(c);
  fake::fail("launch_intra", 1, cudaErrorLaunchFailure);  // the first forward launch (whole warps by default)
  expect_exact(batch, d.align(batch.pairs), c);
  EXPECT_FALSE(d.gpu_available());
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_NE(warnings[0].find("the GPU failed (CUDA call cudaGetLastError() failed"), std::string::npos) << warnings[0];
  EXPECT_GT(d.stats().gpu_fallback_pairs, 0u);
  expect_exact(batch, d.align(batch.pairs), c);  // the next call runs on the CPU directly
  EXPECT_EQ(warnings.size(), 1u);
}

}  // namespace
}  // namespace gpualign
