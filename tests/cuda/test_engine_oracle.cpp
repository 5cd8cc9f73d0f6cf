// The CUDA engine's host side at full size, on the fake runtime's oracle
// device (oracle_device.hpp: launches answered from the CPU engine, no
// recurrence run): W1's 20,000 DNA pairs and P1's 5,000 protein pairs
// through all three passes, as an H100 would take them -- batches split in
// two over both lanes, 16-bit partials merged on every core, windows on
// both traceback kernels, paths turned into CIGARs.  The emulated tests
// check the kernels' math on small batches; this checks the plumbing
// where the batches are as large as the benchmark's.

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "cuda/cuda_engine.hpp"
#include "fake_cuda_runtime.hpp"
#include "gpualign/cigar.hpp"
#include "gpualign/engine.hpp"
#include "gpualign/error.hpp"
#include "gpualign/workloads.hpp"
#include "oracle_device.hpp"

namespace gpualign {
namespace {

namespace fake = test::fake_cuda;

class CudaEngineOracle : public ::testing::Test {
 protected:
  void SetUp() override {
    fake::reset();
    fake::config().sms = 132;
    fake::config().intra_blocks_per_sm = 6;
    fake::config().total_bytes = std::size_t{80} << 30;  // allocated only as used
  }
  void TearDown() override { fake::reset(); }
};

std::unique_ptr<Engine> cpu_engine() {
  try {
    return make_engine("cpu");
  } catch (const Error&) {
    return make_engine("reference");
  }
}

// What differs between a pair's result and the CPU engine's (score, ends,
// begins; empty when nothing does).  A CIGAR must span its [begin, end)
// window and rescore to the score (equally good paths may differ,
// DESIGN.md); without one asked for, the results must hold none.
std::string difference(const Alignment& g, const Alignment& want, const SequencePair& p, const ScoringScheme& s,
                       AlignOutput output) {
  if (g.status != AlignStatus::ok) return "failed: " + g.message;
  auto field = [](const char* what, std::int64_t a, std::int64_t b) {
    return a == b ? std::string() : std::string(what) + " " + std::to_string(a) + " != " + std::to_string(b) + "; ";
  };
  std::string d = field("score", g.score, want.score) + field("qend", g.qend, want.qend) + field("tend", g.tend, want.tend);
  if (output != AlignOutput::score_end) d += field("qbeg", g.qbeg, want.qbeg) + field("tbeg", g.tbeg, want.tbeg);
  if (output != AlignOutput::cigar) return g.cigar.empty() ? d : d + "an earlier call's CIGAR left in the results";
  if (g.cigar.query_length() != g.qend - g.qbeg || g.cigar.target_length() != g.tend - g.tbeg)
    return d + "CIGAR " + g.cigar.to_string() + " does not span the window";
  return d + field("rescored CIGAR", rescore_cigar(g.cigar, p.query, p.target, g.qbeg, g.tbeg, s), g.score);
}

void expect_as_cpu(const Workload& w, const std::vector<Alignment>& got, const std::vector<Alignment>& want,
                   AlignOutput output) {
  const auto pairs = w.pairs();
  int differing = 0;
  for (std::size_t i = 0; i < pairs.size(); ++i) {
    const std::string d = difference(got[i], want[i], pairs[i], w.scoring, output);
    if (d.empty()) continue;
    if (++differing <= 5) ADD_FAILURE() << "pair " << i << ": " << d;
  }
  EXPECT_EQ(differing, 0) << "pairs that differ from the CPU engine's";
}

// CIGARs, then ends only, then CIGARs again, into the same results: the
// second call must clear the CIGARs the first wrote, the third reuses their
// buffers (finish_trace) and must leave none of the first call's runs.
TEST_F(CudaEngineOracle, FullSizeWorkloadsMatchTheCpuEngine) {
  for (const char* name : {"W1", "P1"}) {
    SCOPED_TRACE(name);
    const Workload w = make_workload(name, 1, 1.0);
    fake::config().oracle = test::cpu_oracle(w.scoring);
    cuda::CudaEngine engine;
    ASSERT_TRUE(engine.available()) << engine.unavailable_reason();
    const auto pairs = w.pairs();
    std::unique_ptr<Engine> cpu = cpu_engine();
    const AlignOptions with_cigar{AlignMode::local, AlignOutput::cigar};
    const AlignOptions ends_only{AlignMode::local, AlignOutput::score_end};
    const std::vector<Alignment> want = cpu->align(pairs, w.scoring, with_cigar);

    std::vector<Alignment> got(pairs.size());
    for (Alignment& a : got) a.cigar.push('X', 3);  // poison
    const long long launches_before = fake::calls().launches;
    for (const AlignOptions& opt : {with_cigar, ends_only, with_cigar}) {
      engine.align(pairs, w.scoring, opt, got);
      expect_as_cpu(w, got, want, opt.output);
      if (opt.output == AlignOutput::cigar) {
        const cuda::CudaRunStats& st = engine.last_stats();
        EXPECT_EQ(st.trace_fallbacks, 0u);
        EXPECT_EQ(st.trace_gpu_pairs + st.trace_cpu_pairs + st.cpu_pairs, pairs.size());
        EXPECT_GT(st.trace_gpu_pairs, pairs.size() * 9 / 10);
      }
    }
    EXPECT_GT(fake::calls().launches, launches_before) << "the fake CUDA runtime was not used (interposition failed?)";
    // W1's 20,000 pairs fill two batches a pass (kMaxBatchPairs), and its
    // windows two of the warp traceback and one of the thread traceback.
    if (w.name == "W1") EXPECT_GE(engine.last_stats().batches, 7u);
    EXPECT_EQ(fake::last_failure(), "");
    fake::config().oracle = nullptr;
  }
  EXPECT_GT(fake::calls().trace, 0) << "windows on the thread traceback kernel";
  EXPECT_GT(fake::calls().trace_warp, 0) << "windows on the warp traceback kernel";
}

}  // namespace
}  // namespace gpualign
