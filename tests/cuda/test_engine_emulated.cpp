// The CUDA engine's host code end to end on the fake CUDA runtime (no GPU
// needed; see fake_cuda_runtime.hpp): batching, layouts, copies, stream
// order, 16-bit overflow reruns, reverse passes for begins, CIGARs traced by
// the kernel, budget splits, and every error path -- against the exact
// reference, with the checks the GPU tests use.  The kernels run through the
// agent code on the CPU, so sizes stay small; the GPU tests take the large
// ones.

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <utility>
#include <vector>

#include "cuda/cuda_engine.hpp"
#include "engine_checks.hpp"
#include "fake_cuda_runtime.hpp"
#include "gpualign/engine.hpp"
#include "gpualign/error.hpp"
#include "gpualign/reference_aligner.hpp"
#include "gpualign/workloads.hpp"
#include "layout.hpp"

namespace gpualign {
namespace {

namespace fake = test::fake_cuda;
using test::Batch;
using test::check_batch;
using test::check_gpu_cigars;
using test::kModes;
using test::make_batch;

class CudaEngineEmulated : public ::testing::Test {
 protected:
  void SetUp() override { fake::reset(); }
  void TearDown() override { fake::reset(); }

  // A fresh engine on the fake device; fails (never skips) when the fake
  // did not take the real runtime's place.  CIGAR windows are traced a
  // thread each whatever their size: the emulated warp traceback kernel is
  // too slow for the 2,048-row pairs here (LargeWindowsTracedByWarps runs
  // it on smaller windows).  Short pairs run on the inter-sequence kernel,
  // a thread per slot, so that these tests keep it covered: the engine's
  // default sends them to whole warps (ShortPairsOnWholeWarpsByDefault).
  static std::unique_ptr<cuda::CudaEngine> engine() {
    cuda::CudaTuning t;
    t.warp_trace_min_cells = ~std::uint64_t{0};
    t.short_kernel = cuda::CudaTuning::ShortKernel::threads;
    auto e = std::make_unique<cuda::CudaEngine>(t);
    EXPECT_TRUE(e->available()) << e->unavailable_reason();
    return e;
  }

  // The work really went through the fake device.
  static void expect_device_used(const cuda::CudaEngine& e) {
    EXPECT_GT(fake::calls().launches, 0) << "the fake CUDA runtime was not used (interposition failed?)";
    EXPECT_GT(e.last_stats().device_cells, 0u);
    // The end passes' lane-cells: their cells and at least as many.
    EXPECT_GT(e.last_stats().ends_cells, 0u);
    EXPECT_GE(e.last_stats().ends_lane_cells, e.last_stats().ends_cells);
    // The device's span: some, and within the call.
    EXPECT_GT(e.last_stats().device_span_ms, 0.0);
    EXPECT_LE(e.last_stats().device_span_ms, e.last_stats().wall_ms);
    EXPECT_EQ(fake::last_failure(), "");
  }
};

// Every size class, sized for the emulator (whose intra kernel switches
// fibers at every shuffle): lengths at the strip (8), warp (32) and tile
// (256) edges, at the inter/intra edge (max(m, n) = 2048 / 2049), random
// short pairs, and intra pairs of one tile over many columns and of nine
// tiles over few.
std::vector<std::pair<int, int>> emulator_dims(std::uint32_t seed) {
  std::mt19937 rng(seed);
  std::vector<std::pair<int, int>> d;
  for (int e : {1, 7, 8, 9, 31, 32, 33, 255, 256, 257, 511, 512, 513})
    d.push_back({e, e + static_cast<int>(rng() % 40)});
  for (int i = 0; i < 24; ++i) {
    const int m = 50 + static_cast<int>(rng() % 400);
    d.push_back({m, m + static_cast<int>(rng() % (2 * m))});
  }
  for (const auto& p : {std::pair{2048, 2048}, std::pair{40, 2049}, std::pair{2049, 90}}) d.push_back(p);
  return d;
}

TEST_F(CudaEngineEmulated, DnaAllModesAllOutputs) {
  auto e = engine();
  const Batch b = make_batch(31, Alphabet::dna, emulator_dims(31));
  for (AlignMode m : kModes)
    for (AlignOutput o : {AlignOutput::score_end, AlignOutput::cigar}) {  // cigar runs the begin pass too
      check_batch(*e, b, ScoringScheme::dna(), m, o);
      expect_device_used(*e);
    }
  EXPECT_GT(fake::calls().inter, 0);
  EXPECT_GT(fake::calls().intra, 0);
  EXPECT_GT(fake::calls().trace, 0);
  // Pairs of A, C, G, T only take register scores; the others (N and IUPAC
  // codes in a third of the targets) the table.
  EXPECT_GT(fake::calls().acgt, 0);
  EXPECT_GT(fake::calls().inter + fake::calls().intra, fake::calls().acgt);
}

TEST_F(CudaEngineEmulated, ProteinAllModes) {
  auto e = engine();
  const Batch b = make_batch(32, Alphabet::protein, emulator_dims(32));
  for (AlignMode m : kModes) {
    check_batch(*e, b, ScoringScheme::protein(), m, AlignOutput::cigar);
    expect_device_used(*e);
  }
  EXPECT_EQ(fake::calls().acgt, 0);  // register scores are for DNA
}

TEST_F(CudaEngineEmulated, SaturatingScoresRerunAt32Bit) {
  auto e = engine();
  // Match 100: identical-ish pairs past the 16-bit range, beside pairs that fit.
  // Local ends are not known beforehand: those pairs start at 16-bit and
  // must be rerun (inter and intra kernel both).
  const Batch b = make_batch(33, Alphabet::dna, {{1500, 1500}, {1200, 2100}, {100, 150}, {40, 60}});
  for (AlignMode m : kModes) {
    check_batch(*e, b, ScoringScheme::dna(100, -100, 150, 50), m, AlignOutput::begin_end);
    expect_device_used(*e);
    if (m == AlignMode::local) EXPECT_GE(e->last_stats().reruns_32bit, 2u);
  }
}

TEST_F(CudaEngineEmulated, LongPairSharedByFewerWorkersThanTiles) {
  // 8 resident warps for pairs of 9 and 11 tiles: workers take tiles k,
  // k + 8, ... and wait on each other's progress (published every 32 columns).
  fake::config().sms = 2;
  fake::config().intra_blocks_per_sm = 1;
  auto e = engine();
  const Batch b = make_batch(34, Alphabet::dna, {{2300, 400}, {2600, 100}});
  for (AlignMode m : kModes) {
    check_batch(*e, b, ScoringScheme::dna(), m, AlignOutput::begin_end);
    expect_device_used(*e);
  }
  // CudaTuning::chunk_lead reaches every whole-warp launch; the shortest
  // lead is exact too.
  for (int lead : {1, 32}) {
    fake::calls().chunk_leads.clear();
    cuda::CudaTuning t;
    t.chunk_lead = lead;
    cuda::CudaEngine lead_engine(t);
    check_batch(lead_engine, b, ScoringScheme::dna(), AlignMode::local, AlignOutput::begin_end);
    ASSERT_FALSE(fake::calls().chunk_leads.empty());
    for (int seen : fake::calls().chunk_leads) EXPECT_EQ(seen, lead);
  }
  // The warps shared out in proportion to cells (CudaTuning::slot_workers).
  cuda::CudaTuning by_cells;
  by_cells.slot_workers = cuda::CudaTuning::SlotWorkers::by_cells;
  cuda::CudaEngine cells_engine(by_cells);
  check_batch(cells_engine, b, ScoringScheme::dna(), AlignMode::local, AlignOutput::begin_end);
  expect_device_used(cells_engine);
}

TEST_F(CudaEngineEmulated, RowsAnEarlierBatchLeftAreNotTakenForFresh) {
  // Batches of the same shapes reuse the same device memory, so each
  // boundary row and progress counter of a batch starts out holding what
  // the batch before left there: a full row, and counters that say so.
  // The engine clears the counters before each batch, or a tile would take
  // its predecessor's columns from the batch before (tile_progress.hpp).
  // 16 resident warps, so tiles also wait on each other.
  fake::config().sms = 4;
  fake::config().intra_blocks_per_sm = 1;
  auto e = engine();
  for (std::uint32_t seed : {41u, 42u, 43u}) {
    const Batch b = make_batch(seed, Alphabet::dna, {{2300, 400}, {2200, 300}, {2100, 350}});
    fake::calls().intra_helpers = 0;
    check_batch(*e, b, ScoringScheme::dna(), AlignMode::global, AlignOutput::score_end);
    expect_device_used(*e);
    EXPECT_GT(fake::calls().intra_helpers, 0);  // tiles shared by whole warps
  }
}

TEST_F(CudaEngineEmulated, LongPairsOnShortTiles) {
  // CudaTuning::intra_rows = 4: 16-bit whole-warp workers on 128-row tiles,
  // shared by fewer workers than tiles (8 resident warps); pairs past the
  // 16-bit range rerun at 32-bit on 256-row tiles.
  fake::config().sms = 2;
  fake::config().intra_blocks_per_sm = 1;
  cuda::CudaTuning t;
  t.intra_rows = 4;
  t.warp_trace_min_cells = ~std::uint64_t{0};
  cuda::CudaEngine e(t);
  ASSERT_TRUE(e.available());
  const Batch b = make_batch(35, Alphabet::dna, {{2300, 300}, {900, 1100}, {129, 1500}, {1500, 700}});
  for (AlignMode m : kModes) {
    check_batch(e, b, ScoringScheme::dna(), m, AlignOutput::begin_end);
    expect_device_used(e);
  }
  EXPECT_GT(fake::calls().intra_short_rows, 0);
  check_batch(e, b, ScoringScheme::dna(), AlignMode::local, AlignOutput::cigar);
  const long long short_launches = fake::calls().intra_short_rows;
  check_batch(e, b, ScoringScheme::dna(100, -100, 150, 50), AlignMode::local, AlignOutput::score_end);
  EXPECT_GT(e.last_stats().reruns_32bit, 0u);
  EXPECT_GT(fake::calls().intra_short_rows, short_launches);  // the 16-bit pass before the reruns
}

TEST_F(CudaEngineEmulated, LongTargetsOnTheRows) {
  // CudaTuning::transpose: long pairs (whole-warp intra workers) whose
  // target is much the longer go to the kernel transposed (the target on
  // the rows: more, shorter tiles), local and global; semi-global never.
  // 8 resident warps share the tiles.  A low-complexity pair (240 x 2,400)
  // gives many equally good ends; one query tile against ten target tiles
  // would add 11% of work transposed, so only "always" transposes it.
  fake::config().sms = 2;
  fake::config().intra_blocks_per_sm = 1;
  Batch b = make_batch(36, Alphabet::dna, {{300, 2100}, {40, 2500}, {513, 2200}, {2100, 300}, {1000, 2560}});
  std::string q, t;
  for (int k = 0; k < 40; ++k) q += "ACGTTA";
  for (int k = 0; k < 400; ++k) t += k % 37 == 5 ? "ACGATA" : "ACGTTA";
  b.seqs.emplace_back("q", q, Alphabet::dna);
  b.seqs.emplace_back("t", t, Alphabet::dna);
  b.pairs.clear();  // made again: adding to b.seqs may have moved them
  for (std::size_t i = 0; i + 1 < b.seqs.size(); i += 2) b.pairs.push_back({b.seqs[i].codes(), b.seqs[i + 1].codes()});
  auto e = engine();
  for (AlignMode m : kModes) {
    check_batch(*e, b, ScoringScheme::dna(), m, AlignOutput::begin_end);
    expect_device_used(*e);
    // The four long forward problems (the reverse pass's prefixes are
    // clipped to their alignments' reach: short pairs here).
    EXPECT_EQ(e->last_stats().transposed, m == AlignMode::semi_global ? 0u : 4u);
  }
  check_batch(*e, b, ScoringScheme::dna(), AlignMode::local, AlignOutput::cigar);
  // Match 100: the 1,000 x 2,560 pair passes 16 bits and reruns at 32,
  // transposed again.
  check_batch(*e, b, ScoringScheme::dna(100, -100, 150, 50), AlignMode::local, AlignOutput::score_end);
  EXPECT_GT(e->last_stats().reruns_32bit, 0u);
  EXPECT_GE(e->last_stats().transposed, 5u);
  for (auto rule : {cuda::CudaTuning::Transpose::never, cuda::CudaTuning::Transpose::always}) {
    cuda::CudaTuning tuning;
    tuning.transpose = rule;
    tuning.warp_trace_min_cells = ~std::uint64_t{0};
    tuning.short_kernel = cuda::CudaTuning::ShortKernel::threads;
    cuda::CudaEngine other(tuning);
    check_batch(other, b, ScoringScheme::dna(), AlignMode::local, AlignOutput::begin_end);
    EXPECT_EQ(other.last_stats().transposed, rule == cuda::CudaTuning::Transpose::never ? 0u : 5u);
  }
}

TEST_F(CudaEngineEmulated, BeginPassReachesOnlyAsFarAsTheScoreAllows) {
  // Begins from reversed prefixes clipped to what an alignment of the
  // forward score can span (kernels/plan.hpp begin_reach), local and
  // semi-global: queries copied (a few bases changed, some deleted or
  // doubled) from deep inside long targets, so the prefixes are mostly
  // cells no alignment reaches; and low-complexity pairs, whose many equal
  // begins the tie rule decides.
  // Begins, ends and CIGARs equal the reference's.
  std::mt19937 rng(37);
  Batch b;
  b.seqs.reserve(20);
  for (int i = 0; i < 6; ++i) {
    const int n = 1500 + 500 * i, m = 100 + 150 * i;
    const std::string t = test::random_text(rng, Alphabet::dna, n, i % 2 == 0);
    std::string q;
    for (char c : t.substr(static_cast<std::size_t>(n - m - 40 * i), static_cast<std::size_t>(m))) {
      const unsigned r = rng() % 100;
      if (r < 3) continue;                 // deleted from the query: a D
      q += r < 8 ? "ACGT"[rng() % 4] : c;  // changed
      if (r >= 97) q += c;                 // doubled: an I
    }
    b.seqs.emplace_back("q", q, Alphabet::dna);
    b.seqs.emplace_back("t", t, Alphabet::dna);
  }
  for (const auto& [motif, reps] : {std::pair{std::string("ACGTTA"), 300}, std::pair{std::string("AAC"), 900}}) {
    std::string q, t;
    for (int k = 0; k < 40; ++k) q += motif;
    for (int k = 0; k < reps; ++k) t += k % 37 == 5 ? std::string("G") + motif.substr(1) : motif;
    b.seqs.emplace_back("q", q, Alphabet::dna);
    b.seqs.emplace_back("t", t, Alphabet::dna);
  }
  for (std::size_t i = 0; i + 1 < b.seqs.size(); i += 2) b.pairs.push_back({b.seqs[i].codes(), b.seqs[i + 1].codes()});
  auto e = engine();
  for (AlignMode m : {AlignMode::local, AlignMode::semi_global})
    for (AlignOutput o : {AlignOutput::begin_end, AlignOutput::cigar})
      for (const ScoringScheme& s : {ScoringScheme::dna(), ScoringScheme::dna(1, -1, 2, 1)}) {
        check_batch(*e, b, s, m, o);
        expect_device_used(*e);
        // The prefixes' cells, unclipped, from the reference's ends.
        std::uint64_t prefixes = 0;
        for (const SequencePair& p : b.pairs) {
          const Alignment r = reference_align(p, s, AlignOptions{m, AlignOutput::score_end});
          prefixes += static_cast<std::uint64_t>(r.qend) * static_cast<std::uint64_t>(r.tend);
        }
        EXPECT_GT(e->last_stats().begin_cells, 0u);
        EXPECT_LT(e->last_stats().begin_cells, prefixes / 2);
      }
}

TEST_F(CudaEngineEmulated, PrefixMaximumFOnBothKernels) {
  // CudaTuning::prefix_f: the 16-bit inter kernel and whole-warp intra
  // workers take F as a prefix maximum; 32-bit reruns and narrow workers
  // keep the plain chain.  Exact either way, forward and reverse passes.
  fake::config().sms = 2;
  fake::config().intra_blocks_per_sm = 1;
  cuda::CudaTuning t;
  t.prefix_f = true;
  t.short_kernel = cuda::CudaTuning::ShortKernel::threads;
  t.warp_trace_min_cells = ~std::uint64_t{0};
  cuda::CudaEngine e(t);
  ASSERT_TRUE(e.available());
  const Batch b = make_batch(36, Alphabet::dna, {{2300, 300}, {900, 1100}, {40, 90}, {300, 333}, {7, 9}, {255, 260}});
  const Batch p = make_batch(37, Alphabet::protein, {{2100, 500}, {120, 200}, {33, 31}});
  for (AlignMode m : kModes) {
    check_batch(e, b, ScoringScheme::dna(), m, AlignOutput::begin_end);
    check_batch(e, p, ScoringScheme::protein(), m, AlignOutput::begin_end);
    expect_device_used(e);
  }
  EXPECT_GT(fake::calls().prefix_f, 0);
  check_batch(e, b, ScoringScheme::dna(100, -100, 150, 50), AlignMode::local, AlignOutput::score_end);
  EXPECT_GT(e.last_stats().reruns_32bit, 0u);
}

TEST_F(CudaEngineEmulated, ShortPairsOnWholeWarpsByDefault) {
  // The default tuning: short pairs too go to whole-warp intra workers, a
  // warp per slot of one tile (mostly padding rows for the shortest).
  fake::config().intra_blocks_per_sm = 2;
  auto e = std::make_unique<cuda::CudaEngine>(cuda::CudaTuning{});
  ASSERT_TRUE(e->available());
  std::vector<std::pair<int, int>> dims = {{1, 1}, {1, 9}, {8, 8}, {9, 33}, {31, 32}, {33, 64}, {120, 250}};
  const Batch b = make_batch(38, Alphabet::dna, dims);
  const Batch p = make_batch(39, Alphabet::protein, dims);
  for (AlignMode m : kModes) {
    check_batch(*e, b, ScoringScheme::dna(), m, AlignOutput::cigar);
    check_batch(*e, p, ScoringScheme::protein(), m, AlignOutput::begin_end);
    expect_device_used(*e);
  }
  EXPECT_GT(fake::calls().intra, 0);
  EXPECT_EQ(fake::calls().inter, 0);
}

TEST_F(CudaEngineEmulated, LongPairAmongManyShortOnesKeepsItsWorkers) {
  // 8 resident warps, 30 short pairs (15 slots) and one of 9 tiles: planned
  // together, more slots than warps would leave the long one a single
  // worker walking its 9 tiles; short pairs on whole warps are planned
  // apart, so the long one's tiles get a warp each (workers with k > 0).
  fake::config().sms = 2;
  fake::config().intra_blocks_per_sm = 1;
  auto e = std::make_unique<cuda::CudaEngine>(cuda::CudaTuning{});
  ASSERT_TRUE(e->available());
  std::vector<std::pair<int, int>> dims(30, {60, 90});
  dims.push_back({2300, 400});
  const Batch b = make_batch(43, Alphabet::dna, dims);
  check_batch(*e, b, ScoringScheme::dna(), AlignMode::local, AlignOutput::score_end);
  expect_device_used(*e);
  EXPECT_GT(fake::calls().intra_helpers, 0);
  // The long pair's launch, whose workers wait on each other, is held back
  // until the launch of waiting workers before it has ended.
  EXPECT_GT(fake::calls().stream_waits, 0);
}

TEST_F(CudaEngineEmulated, ShortPairsInOneLaunchWhenTheyFillTheGpu) {
  // CudaTuning::short_one_launch: 8 resident warps, ~10 slots a list (two
  // lists: A, C, G, T only, and with N): one launch each, larger than what
  // the device holds (the fake allows it only when no worker waits), against
  // two each without; exact either way, forward and reverse passes.
  fake::config().sms = 2;
  fake::config().intra_blocks_per_sm = 1;
  std::vector<std::pair<int, int>> dims;
  for (int i = 0; i < 40; ++i) dims.push_back({40 + 7 * i, 90 + 5 * i});  // up to 313 rows: 1 or 2 tiles
  const Batch b = make_batch(44, Alphabet::dna, dims);
  long long launches[2] = {0, 0}, waits[2] = {0, 0};
  for (bool one : {false, true}) {
    fake::reset();
    fake::config().sms = 2;
    fake::config().intra_blocks_per_sm = 1;
    cuda::CudaTuning t;
    t.short_one_launch = one;
    cuda::CudaEngine e(t);
    ASSERT_TRUE(e.available());
    check_batch(e, b, ScoringScheme::dna(), AlignMode::local, AlignOutput::score_end);
    launches[one] = fake::calls().intra;
    waits[one] = fake::calls().stream_waits;
    check_batch(e, b, ScoringScheme::dna(), AlignMode::semi_global, AlignOutput::begin_end);
    expect_device_used(e);
  }
  EXPECT_EQ(launches[1], 2);
  EXPECT_GT(launches[0], launches[1]);
  // One launch a list, each slot its own worker's: no worker waits on
  // another, so no launch waits for another stream's (it may overlap the
  // tail of the batch before).
  EXPECT_EQ(waits[1], 0);
}

TEST_F(CudaEngineEmulated, ShortPairsOnNarrowWorkers) {
  // CudaTuning::ShortKernel::narrow_workers: the short pairs go to the intra kernel's
  // narrow workers (four slots a warp; the last warp padded), long ones to
  // whole warps as before; 32-bit reruns take the same route.
  fake::config().intra_blocks_per_sm = 2;
  cuda::CudaTuning t;
  t.short_kernel = cuda::CudaTuning::ShortKernel::narrow_workers;
  auto e = std::make_unique<cuda::CudaEngine>(t);
  ASSERT_TRUE(e->available());
  std::vector<std::pair<int, int>> dims = {{1, 1},   {1, 9},    {8, 8},   {9, 33},   {63, 64},  {64, 65},
                                           {65, 7},  {120, 250}, {129, 40}, {200, 300}, {31, 2049}};
  const Batch b = make_batch(40, Alphabet::dna, dims);
  const Batch p = make_batch(41, Alphabet::protein, dims);
  for (AlignMode m : kModes) {
    check_batch(*e, b, ScoringScheme::dna(), m, AlignOutput::cigar);
    check_batch(*e, p, ScoringScheme::protein(), m, AlignOutput::begin_end);
    expect_device_used(*e);
  }
  // Match 300 on a 400-row near-copy: past what 16 bits hold (~64,000 with
  // the bias), so it reruns at 32-bit, again on narrow workers.
  const Batch hot = make_batch(42, Alphabet::dna, {{400, 400}, {90, 100}});
  check_batch(*e, hot, ScoringScheme::dna(300, -300, 400, 100), AlignMode::local, AlignOutput::score_end);
  EXPECT_GE(e->last_stats().reruns_32bit, 1u);
  EXPECT_GT(fake::calls().intra_groups, 0);
  EXPECT_GT(fake::calls().intra, fake::calls().intra_groups);  // the 2049-column pair: whole warps
  EXPECT_EQ(fake::calls().inter, 0);
}

TEST_F(CudaEngineEmulated, EmptyAndTinyPairs) {
  auto e = engine();
  const Batch b = test::tiny_batch();
  for (AlignMode m : kModes) {
    check_batch(*e, b, ScoringScheme::dna(), m, AlignOutput::cigar);
    EXPECT_EQ(e->last_stats().cpu_pairs, 2u);  // the empty ones
  }
  EXPECT_GT(fake::calls().launches, 0);
}

TEST_F(CudaEngineEmulated, TracebackW1LikeOnTheDevice) {
  auto e = engine();
  const Workload w = make_workload("W1", 21, 0.005);  // 100 pairs
  const auto pairs = w.pairs();
  for (AlignMode m : kModes) {
    check_gpu_cigars(*e, pairs, w.scoring, m, true);
    expect_device_used(*e);
  }
  // The call's wall time by phase (the last call: semi-global, so a reverse
  // pass too); a score-only call has no begin or CIGAR phase.
  const cuda::CudaRunStats st = e->last_stats();
  EXPECT_GT(st.forward_wall_ms, 0.0);
  EXPECT_GT(st.begin_wall_ms, 0.0);
  EXPECT_GT(st.cigar_wall_ms, 0.0);
  EXPECT_LE(st.forward_wall_ms + st.begin_wall_ms + st.cigar_wall_ms, st.wall_ms);
  e->align(pairs, w.scoring, AlignOptions{AlignMode::local, AlignOutput::score_end});
  EXPECT_GT(e->last_stats().forward_wall_ms, 0.0);
  EXPECT_EQ(e->last_stats().begin_wall_ms, 0.0);
  EXPECT_EQ(e->last_stats().cigar_wall_ms, 0.0);
}

TEST_F(CudaEngineEmulated, TracebackProteinAndEdges) {
  auto e = engine();
  const Batch b = make_batch(35, Alphabet::protein,
                             {{1, 1}, {1, 40}, {7, 9}, {8, 8}, {9, 30}, {31, 33}, {32, 32}, {33, 70}, {63, 64},
                              {65, 130}, {200, 260}, {400, 900}});
  for (AlignMode m : kModes) {
    check_gpu_cigars(*e, b.pairs, ScoringScheme::protein("BLOSUM62", 5, 2), m, false);
    expect_device_used(*e);
  }
}

TEST_F(CudaEngineEmulated, WindowsOverTheCellCapTracedOnTheCpu) {
  // A 3,000-cell cap: the larger windows take the CPU path beside the GPU
  // batches, with the same CIGARs as the reference.
  cuda::CudaTuning t;
  t.trace_max_cells = 3000;
  auto e = std::make_unique<cuda::CudaEngine>(t);
  ASSERT_TRUE(e->available());
  const Batch b = make_batch(40, Alphabet::dna, {{20, 30}, {40, 60}, {70, 90}, {90, 100}, {200, 260}, {300, 400}});
  for (AlignMode m : kModes) {
    check_gpu_cigars(*e, b.pairs, ScoringScheme::dna(), m, false);
    expect_device_used(*e);
    EXPECT_GT(e->last_stats().trace_gpu_pairs, 0u) << to_string(m);
    EXPECT_GT(e->last_stats().trace_cpu_pairs, 0u) << to_string(m);
  }
}

TEST_F(CudaEngineEmulated, LargeWindowsTracedByWarps) {
  // From 4,000 cells a window is traced by whole-warp workers (the default
  // threshold, ~1e6 cells, is too large to emulate); smaller ones a thread
  // each.  In global mode the windows are the whole pairs: both kernels
  // run, and the 3-tile window's tiles are shared by several workers (a
  // fake device of 8 multiprocessors holds 32 warps at once).
  fake::config().sms = 8;
  cuda::CudaTuning t;
  t.warp_trace_min_cells = 4000;
  auto e = std::make_unique<cuda::CudaEngine>(t);
  ASSERT_TRUE(e->available());
  const Batch b = make_batch(43, Alphabet::dna,
                             {{20, 30}, {40, 60}, {70, 90}, {90, 100}, {200, 260}, {300, 400}, {257, 300}, {1, 5000},
                              {620, 700}});
  for (AlignMode m : kModes) {
    check_gpu_cigars(*e, b.pairs, ScoringScheme::dna(), m, m == AlignMode::global);
    expect_device_used(*e);
  }
  EXPECT_GT(fake::calls().trace_warp, 0);
  EXPECT_GT(fake::calls().trace_warp_helpers, 0);
  EXPECT_GT(fake::calls().trace, 0);
  const Batch p = make_batch(44, Alphabet::protein, {{100, 120}, {280, 260}, {30, 40}});
  check_gpu_cigars(*e, p.pairs, ScoringScheme::protein(), AlignMode::global, true);

  // A failed launch is an error naming the call; the next call is exact.
  // (Calls are counted from the test's start: fail the next one.)
  fake::fail("launch_trace_warp", static_cast<int>(fake::calls().trace_warp) + 1, cudaErrorLaunchFailure);
  try {
    e->align(b.pairs, ScoringScheme::dna(), AlignOptions{AlignMode::global, AlignOutput::cigar});
    ADD_FAILURE() << "no error from a failing warp traceback launch";
  } catch (const Error& err) {
    EXPECT_NE(std::string(err.what()).find("cudaGetLastError"), std::string::npos) << err.what();
  }
  fake::config().fail_at = 0;
  check_gpu_cigars(*e, b.pairs, ScoringScheme::dna(), AlignMode::global, true);
}

TEST_F(CudaEngineEmulated, WorkerThatGaveUpWaitingIsAnError) {
  // A launch whose error flag comes back set (a worker gave up waiting for
  // the tile above: a bug, never a result) fails the call with an error
  // naming the kernel, for both kernels whose workers wait on each other;
  // the next call is exact.
  const cuda::CudaTuning intra;  // the default: scores of every pair on whole-warp intra workers
  cuda::CudaTuning traces;
  traces.short_kernel = cuda::CudaTuning::ShortKernel::threads;  // scores on the inter kernel,
  traces.warp_trace_min_cells = 0;                               // every CIGAR window on the warp traceback
  const Batch b = make_batch(45, Alphabet::dna, {{40, 60}, {300, 280}});
  struct Case {
    cuda::CudaTuning tuning;
    AlignOptions options;
    const char* who;
  };
  for (const Case& c : {Case{intra, {AlignMode::local, AlignOutput::score_end}, "an intra-sequence worker"},
                        Case{traces, {AlignMode::global, AlignOutput::cigar}, "a traceback worker"}}) {
    auto e = std::make_unique<cuda::CudaEngine>(c.tuning);
    ASSERT_TRUE(e->available());
    fake::config().workers_give_up = true;
    try {
      e->align(b.pairs, ScoringScheme::dna(), c.options);
      ADD_FAILURE() << "no error from " << c.who << " that gave up";
    } catch (const Error& err) {
      EXPECT_NE(std::string(err.what()).find(std::string(c.who) + " timed out waiting"), std::string::npos)
          << err.what();
    }
    fake::config().workers_give_up = false;
    check_gpu_cigars(*e, b.pairs, ScoringScheme::dna(), c.options.mode, true);
  }
}

TEST_F(CudaEngineEmulated, LargeInputsSplitIntoBatchesOfEqualSize) {
  // W1's 20,000 pairs pass the 16,384-pair batch limit: two batches of
  // 10,000 (5,000 16-bit slots each), not 16,384 + 3,616, so the second's
  // staging overlaps as much of the first's device work as it can.  Only
  // the launches are looked at: the fake does no device work here, and has
  // memory enough for the budget not to cut (as on an H100).
  fake::config().device_work = false;
  fake::config().total_bytes = std::size_t{4} << 30;
  auto e = engine();
  const Workload w = make_workload("W1", 5, 1.0);
  const auto pairs = w.pairs();
  e->align(pairs, w.scoring, AlignOptions{AlignMode::local, AlignOutput::score_end});
  EXPECT_EQ(fake::calls().inter_slots, (std::vector<int>{5000, 5000}));
}

// What goes up the bus (kernels/code_stream.hpp): A, C, G, T at 2 bits
// (W1, ~13.5 MB of codes, all A, C, G, T), DNA with N at 4 (the same pairs
// with an N in each), protein at a byte; beside them a slot and a worker
// per pair at most.  The default tuning (whole warps); only the copies
// count here, so the fake does no device work.
TEST_F(CudaEngineEmulated, DnaCodesGoUpAtTwoOrFourBits) {
  for (const char* name : {"W1", "W1 with N", "P1"}) {
    SCOPED_TRACE(name);
    fake::reset();
    fake::config().device_work = false;
    fake::config().total_bytes = std::size_t{4} << 30;
    cuda::CudaEngine e;
    ASSERT_TRUE(e.available()) << e.unavailable_reason();
    const std::string n = name;
    Workload w = make_workload(n.substr(0, 2), 5, n[0] == 'W' ? 1.0 : 0.4);
    std::vector<std::vector<std::uint8_t>> with_n;  // owns the pairs' copies with an N
    std::vector<SequencePair> pairs = w.pairs();
    if (n == "W1 with N") {
      with_n.reserve(pairs.size());
      for (SequencePair& p : pairs) {
        with_n.emplace_back(p.query.begin(), p.query.end());
        with_n.back()[with_n.back().size() / 2] = kDnaFirstAmbiguous;  // N (or another ambiguity code)
        p.query = with_n.back();
      }
    }
    std::uint64_t codes = 0;
    for (const SequencePair& p : pairs) codes += p.query.size() + p.target.size();
    e.align(pairs, w.scoring, AlignOptions{AlignMode::local, AlignOutput::score_end});
    const std::uint64_t up = e.last_stats().upload_bytes;
    // The engine's count is the fake's, less the substitution table.
    EXPECT_LE(up, fake::calls().h2d_bytes);
    EXPECT_GE(up + 64 * 1024, fake::calls().h2d_bytes);
    const std::uint64_t meta = pairs.size() * (sizeof(kern::Slot) + sizeof(kern::Worker)) + 64 * 1024;
    const std::uint64_t rooms = codes + 6 * pairs.size();  // each sequence's room: up to 3 codes more
    if (n == "W1") {
      EXPECT_LE(up, rooms / 4 + meta) << codes << " codes";
    } else if (n == "W1 with N") {
      EXPECT_GE(up, codes / 2);
      EXPECT_LE(up, rooms / 2 + meta) << codes << " codes";
    } else {
      EXPECT_GE(up, codes);
      EXPECT_LE(up, rooms + meta);
    }
  }
}

TEST_F(CudaEngineEmulated, SmallDeviceSplitsBatchesWithinItsMemory) {
  // 48 MiB: a 16 MiB budget per batch; 2,000 W1 pairs need several batches.
  fake::config().total_bytes = std::size_t{48} << 20;
  auto e = engine();
  const Workload w = make_workload("W1", 5, 0.1);
  const auto pairs = w.pairs();
  std::vector<Alignment> got = e->align(pairs, w.scoring, AlignOptions{AlignMode::local, AlignOutput::score_end});
  expect_device_used(*e);
  EXPECT_GT(fake::calls().inter, 1) << "one batch: the budget did not split it";
  EXPECT_LE(fake::calls().peak_device_bytes, fake::config().total_bytes);
  for (std::size_t i = 0; i < pairs.size(); i += 97)
    EXPECT_EQ(got[i].score, reference_align(pairs[i], w.scoring, AlignOptions{}).score) << "pair " << i;
}

// --- errors: a failing CUDA call becomes a gpualign::Error naming it --------------

struct Injected {
  const char* call;
  int at;
  cudaError_t with;
  const char* expect;  // in the message
};

class CudaEngineEmulatedErrors : public CudaEngineEmulated, public ::testing::WithParamInterface<Injected> {};

TEST_P(CudaEngineEmulatedErrors, FailingCallThrowsAndTheEngineRecovers) {
  const Injected inj = GetParam();
  auto e = engine();
  const Batch b = make_batch(36, Alphabet::dna, {{120, 300}, {60, 2100}, {50, 80}});
  const AlignOptions opt{AlignMode::local, AlignOutput::cigar};
  fake::fail(inj.call, inj.at, inj.with);
  try {
    e->align(b.pairs, ScoringScheme::dna(), opt);
    ADD_FAILURE() << "no error from a failing " << inj.call;
  } catch (const Error& err) {
    EXPECT_NE(std::string(err.what()).find(inj.expect), std::string::npos) << err.what();
  }
  // The next call (nothing failing) is whole and exact.
  fake::config().fail_at = 0;
  check_batch(*e, b, ScoringScheme::dna(), AlignMode::local, AlignOutput::cigar);
  expect_device_used(*e);
}

INSTANTIATE_TEST_SUITE_P(
    Calls, CudaEngineEmulatedErrors,
    ::testing::Values(Injected{"cudaMalloc", 1, cudaErrorMemoryAllocation, "cudaMalloc"},
                      Injected{"cudaMallocHost", 2, cudaErrorMemoryAllocation, "out of memory"},
                      Injected{"cudaMemcpyAsync", 3, cudaErrorInvalidValue, "cudaMemcpyAsync"},
                      Injected{"cudaMemsetAsync", 2, cudaErrorInvalidValue, "cudaMemsetAsync"},
                      Injected{"cudaMemGetInfo", 1, cudaErrorInvalidValue, "cudaMemGetInfo"},
                      // Calls 1 and 2 drain the streams at the start of align(); their
                      // errors are moot (a sticky device error fails the next call anyway).
                      Injected{"cudaStreamSynchronize", 3, cudaErrorIllegalAddress, "illegal memory access"},
                      Injected{"launch_inter", 1, cudaErrorLaunchFailure, "cudaGetLastError"},
                      Injected{"launch_intra", 1, cudaErrorLaunchFailure, "cudaGetLastError"},
                      Injected{"launch_trace", 1, cudaErrorLaunchFailure, "cudaGetLastError"},
                      Injected{"pack_inter_device", 1, cudaErrorLaunchFailure, "cudaGetLastError"}),
    [](const ::testing::TestParamInfo<Injected>& i) { return std::string(i.param.call); });

// --- no usable device: one reason, and everything still aligns (on the CPU) ---------

struct NoDevice {
  const char* name;
  int driver, count, major;
  const char* reason;
};

class CudaEngineEmulatedNoDevice : public CudaEngineEmulated, public ::testing::WithParamInterface<NoDevice> {};

TEST_P(CudaEngineEmulatedNoDevice, UnavailableWithReasonAndAlignsOnTheCpu) {
  const NoDevice nd = GetParam();
  fake::config().driver_version = nd.driver;
  fake::config().device_count = nd.count;
  fake::config().major = nd.major;
  cuda::CudaEngine e;
  EXPECT_FALSE(e.available());
  EXPECT_NE(e.unavailable_reason().find(nd.reason), std::string::npos) << e.unavailable_reason();
  const Batch b = make_batch(37, Alphabet::dna, {{120, 300}, {50, 80}});
  check_batch(e, b, ScoringScheme::dna(), AlignMode::global, AlignOutput::cigar);
  EXPECT_EQ(fake::calls().launches, 0);
}

INSTANTIATE_TEST_SUITE_P(Kinds, CudaEngineEmulatedNoDevice,
                         ::testing::Values(NoDevice{"NoDriver", 0, 1, 9, "no CUDA driver"},
                                           NoDevice{"NoDevice", 13000, 0, 9, "no CUDA device"},
                                           NoDevice{"TooOld", 13000, 1, 7, "compute capability 7.0"}),
                         [](const ::testing::TestParamInfo<NoDevice>& i) { return std::string(i.param.name); });

}  // namespace
}  // namespace gpualign
