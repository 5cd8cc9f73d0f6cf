// The streaming pipeline: memory stays flat when the input is several times
// the memory budget (peak RSS of a run on a 6x larger input grows by no more
// than a few MiB), output keeps input order, and an error in the middle of
// the input stops every stage and leaves no output file.
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "dispatch/peak_memory_sampler.hpp"
#include "gpualign/align_pipeline.hpp"
#include "gpualign/error.hpp"

namespace gpualign {
namespace {

namespace fs = std::filesystem;

struct TempDir {
  fs::path path;
  TempDir() {
    path = fs::temp_directory_path() / ("gpualign_stream_" + std::to_string(::getpid()));
    fs::create_directories(path);
  }
  ~TempDir() { fs::remove_all(path); }
  std::string operator/(const std::string& name) const { return (path / name).string(); }
};

// Writes `n` queries of 100 bp straight to disk (never all in memory).
std::uint64_t write_queries(const std::string& path, std::size_t n, std::uint64_t seed, std::size_t bad_at = SIZE_MAX) {
  std::mt19937_64 rng(seed);
  std::ofstream out(path);
  std::string s(100, 'A');
  for (std::size_t i = 0; i < n; ++i) {
    for (auto& c : s) c = "ACGT"[rng() % 4];
    if (i == bad_at) s[50] = '7';
    out << ">q" << i << "\n" << s << "\n";
    if (i == bad_at) s[50] = 'A';
  }
  out.flush();
  return static_cast<std::uint64_t>(out.tellp());
}

AlignJob job_for(const TempDir& d, const std::string& queries, const std::string& out) {
  AlignJob job;
  job.reference_path = d / "ref.fa";
  job.query_path = queries;
  job.output_path = out;
  job.options = {AlignMode::local, AlignOutput::score_end};
  job.threads = 2;
  job.batch_cells = 1'000'000;  // ~150 queries a batch
  return job;
}

// Peak RSS growth (bytes) of one run over the RSS just before it.
std::uint64_t peak_growth(const AlignJob& job, const PipelineOptions& p, AlignSummary* s) {
  const std::uint64_t before = detail::resident_bytes_with_children();
  detail::PeakMemorySampler sampler(1);
  *s = run_align_pipeline(job, p);
  const std::uint64_t peak = sampler.stop();
  return peak > before ? peak - before : 0;
}

class StreamingPipeline : public ::testing::Test {
 protected:
  void SetUp() override {
    std::mt19937_64 rng(3);
    std::string ref(64, 'A');
    for (auto& c : ref) c = "ACGT"[rng() % 4];
    std::ofstream(dir / "ref.fa") << ">t\n" << ref << "\n";
  }
  TempDir dir;
};

TEST_F(StreamingPipeline, MemoryStaysFlatOnAnInputSeveralTimesTheBudget) {
  constexpr std::uint64_t kBudget = 8ull << 20;
  PipelineOptions p;
  p.memory_budget = kBudget;
  p.backend = "cpu";
  const std::uint64_t small_bytes = write_queries(dir / "small.fa", 40'000, 1);
  const std::uint64_t big_bytes = write_queries(dir / "big.fa", 240'000, 2);
  ASSERT_GT(big_bytes, 3 * kBudget);  // the input is several times the budget

  AlignSummary s_small, s_big;
  // Warm-up: pools, engines and allocator arenas exist before measuring.
  run_align_pipeline(job_for(dir, dir / "small.fa", dir / "warm.tsv"), p);
  const std::uint64_t g_small = peak_growth(job_for(dir, dir / "small.fa", dir / "small.tsv"), p, &s_small);
  const std::uint64_t g_big = peak_growth(job_for(dir, dir / "big.fa", dir / "big.tsv"), p, &s_big);
  std::printf("peak RSS growth: %.1f MiB for %.1f MiB of input, %.1f MiB for %.1f MiB\n", g_small / 1048576.0,
              small_bytes / 1048576.0, g_big / 1048576.0, big_bytes / 1048576.0);
  EXPECT_EQ(s_small.alignments, 40'000);
  EXPECT_EQ(s_big.alignments, 240'000);
  EXPECT_EQ(s_big.written, 240'000);
  // Flat: six times the input, at most a few MiB more at the peak, and far
  // less than the input itself.
  EXPECT_LT(g_big, g_small + (8ull << 20)) << "small +" << g_small << " B, big +" << g_big << " B";
  EXPECT_LT(g_big, big_bytes / 2) << "big +" << g_big << " B for " << big_bytes << " B of input";

  // Output in input order: q0, q1, ... after the header.
  std::ifstream in(dir / "big.tsv");
  std::string line;
  std::getline(in, line);
  ASSERT_EQ(line.rfind("qname", 0), 0u) << line;
  std::size_t i = 0;
  while (std::getline(in, line)) {
    ASSERT_EQ(line.substr(0, line.find('\t')), "q" + std::to_string(i)) << "line " << i + 2;
    ++i;
  }
  EXPECT_EQ(i, 240'000u);
}

// The progress callback's figures: counts and cells only grow, the input
// fraction grows to 1, and the ETA they give shrinks to 0 at the end.
TEST_F(StreamingPipeline, ProgressReportsGrowingCountsAndAnEta) {
  write_queries(dir / "q.fa", 20'000, 4);
  std::vector<AlignProgress> seen;
  PipelineOptions p;
  p.backend = "serial";
  const AlignSummary s = run_align_pipeline(job_for(dir, dir / "q.fa", dir / "q.tsv"), p,
                                            [&](const AlignProgress& x) { seen.push_back(x); });
  ASSERT_GE(seen.size(), 3u);  // ~150 queries a batch
  for (std::size_t i = 1; i < seen.size(); ++i) {
    EXPECT_GE(seen[i].queries, seen[i - 1].queries);
    EXPECT_GT(seen[i].alignments, seen[i - 1].alignments);
    EXPECT_GT(seen[i].cells, seen[i - 1].cells);
    EXPECT_GE(seen[i].seconds, seen[i - 1].seconds);
    EXPECT_GE(seen[i].fraction, seen[i - 1].fraction);
  }
  EXPECT_GT(seen.front().fraction, 0.0);
  EXPECT_LT(seen.front().fraction, 0.5);
  EXPECT_DOUBLE_EQ(seen.back().fraction, 1.0);
  EXPECT_EQ(seen.back().alignments, s.alignments);
  EXPECT_EQ(eta_seconds(seen.back()), 0.0);
}

TEST(AlignProgressEta, ExtrapolatesLinearlyAndSaysWhenItCannot) {
  EXPECT_DOUBLE_EQ(eta_seconds({1, 1, 1, 10.0, 0.25}), 30.0);
  EXPECT_DOUBLE_EQ(eta_seconds({1, 1, 1, 10.0, 1.0}), 0.0);
  EXPECT_EQ(eta_seconds({1, 1, 1, 10.0, -1.0}), -1.0);   // size unknown (a pipe)
  EXPECT_EQ(eta_seconds({1, 1, 1, 10.0, 0.001}), -1.0);  // too early to tell
  EXPECT_EQ(eta_seconds({1, 1, 1, 0.0, 0.5}), -1.0);
}

TEST_F(StreamingPipeline, ErrorMidInputStopsEveryStageAndLeavesNoOutput) {
  write_queries(dir / "bad.fa", 20'000, 4, 15'000);
  PipelineOptions p;
  p.queue_depth = 1;
  p.trace_path = dir / "t.json";
  try {
    run_align_pipeline(job_for(dir, dir / "bad.fa", dir / "bad.tsv"), p);
    FAIL() << "no error";
  } catch (const Error& e) {
    const std::string w = e.what();
    EXPECT_NE(w.find("bad.fa"), std::string::npos) << w;
    EXPECT_NE(w.find("q15000"), std::string::npos) << w;
  }
  EXPECT_FALSE(fs::exists(dir / "bad.tsv"));
  for (const auto& e : fs::directory_iterator(dir.path))
    EXPECT_EQ(e.path().string().find("bad.tsv"), std::string::npos) << e.path();  // no temporary left
  // The timeline was still written, with the three stages.
  std::ifstream in(dir / "t.json");
  const auto j = nlohmann::json::parse(in);
  int stages = 0;
  for (const auto& ev : j.at("traceEvents"))
    if (ev.value("cat", "") == "task") ++stages;
  EXPECT_EQ(stages, 3);
  EXPECT_TRUE(fs::exists(dir / "t.json.dot"));
}

TEST_F(StreamingPipeline, EveryBackendWritesTheSameOutput) {
  write_queries(dir / "q.fa", 3'000, 5);
  std::string first;
  for (const char* b : {"serial", "cpu", "processes", "auto", "gpu"}) {
    PipelineOptions p;
    p.backend = b;
    AlignJob job = job_for(dir, dir / "q.fa", dir / (std::string(b) + ".tsv"));
    job.options.output = AlignOutput::cigar;
    run_align_pipeline(job, p);
    std::ifstream in(job.output_path);
    const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (first.empty()) first = text;
    EXPECT_EQ(text, first) << b;
  }
}

}  // namespace
}  // namespace gpualign
