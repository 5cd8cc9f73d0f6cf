// Host-side checks of the CUDA engine that need no GPU (label cpu): the
// registration, the unavailable path (this machine may have no device), and
// the launch planning that keeps intra-sequence workers co-resident.

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <string>
#include <vector>

#include "cuda/cuda_engine.hpp"
#include "gpualign/engine.hpp"
#include "gpualign/error.hpp"
#include "gpualign/reference_aligner.hpp"
#include "plan.hpp"

namespace gpualign {
namespace {

TEST(CudaEngineHost, IsRegisteredAndConstructsWithoutThrowing) {
  const auto names = engine_names();
  EXPECT_NE(std::find(names.begin(), names.end(), "cuda"), names.end());
  std::unique_ptr<Engine> e;
  ASSERT_NO_THROW(e = make_engine("cuda"));
  EXPECT_EQ(e->name(), "cuda");
  if (!e->available()) EXPECT_FALSE(e->unavailable_reason().empty());
  else EXPECT_TRUE(e->unavailable_reason().empty());
}

TEST(CudaEngineHost, RejectsATuningOutOfRange) {
  // Each bad tuning throws an Error that names the field.
  auto expect_rejected = [](const cuda::CudaTuning& t, const std::string& field, int value) {
    try {
      cuda::CudaEngine e(t);
      ADD_FAILURE() << field << " " << value << " accepted";
    } catch (const Error& err) {
      EXPECT_NE(std::string(err.what()).find(field), std::string::npos) << err.what();
    }
  };
  for (int lead : {0, -1, 33}) {
    cuda::CudaTuning t;
    t.chunk_lead = lead;
    expect_rejected(t, "chunk_lead", lead);
  }
  for (int rows : {0, 2, 5, 16}) {
    cuda::CudaTuning t;
    t.intra_rows = rows;
    expect_rejected(t, "intra_rows", rows);
  }
}

TEST(CudaEngineHost, AlignsCorrectlyWhateverTheDevice) {
  // Without a device this runs on the CPU; with one, on the GPU: exact either way.
  const Sequence q("q", "ACGTTGCAACGTAGCTAGCTGATCGATGC", Alphabet::dna);
  const Sequence t("t", "TTTTACGTTGCAACGAGCTAGCTGATCGATGCGGGG", Alphabet::dna);
  const std::vector<SequencePair> pairs{{q.codes(), t.codes()}, {t.codes(), q.codes()}};
  const ScoringScheme s = ScoringScheme::dna();
  auto e = make_engine("cuda");
  for (AlignMode m : {AlignMode::local, AlignMode::global, AlignMode::semi_global}) {
    const AlignOptions opt{m, AlignOutput::cigar};
    const auto got = e->align(pairs, s, opt);
    for (std::size_t i = 0; i < pairs.size(); ++i) {
      const Alignment ref = reference_align(pairs[i], s, opt);
      EXPECT_EQ(got[i].status, AlignStatus::ok) << got[i].message;
      EXPECT_EQ(got[i].score, ref.score);
      EXPECT_EQ(got[i].qend, ref.qend);
      EXPECT_EQ(got[i].tend, ref.tend);
      EXPECT_EQ(got[i].qbeg, ref.qbeg);
      EXPECT_EQ(got[i].tbeg, ref.tbeg);
      EXPECT_EQ(rescore_cigar(got[i].cigar, pairs[i].query, pairs[i].target, got[i].qbeg, got[i].tbeg, s), ref.score);
    }
  }
}

TEST(CudaEnginePlan, IntraLaunchesNeverExceedTheResidentCapacity) {
  std::vector<kern::Job> jobs;
  std::vector<int> order, bias;
  for (int i = 0; i < 50; ++i) {
    jobs.push_back(kern::Job{0, 0, 3000 + 100 * i, 20000 + 1000 * (i % 7)});
    order.push_back(i);
    bias.push_back(0);
  }
  for (int capacity : {1, 7, 32, 64, 1000}) {
    const kern::IntraPlan p = kern::make_intra_plan(kern::make_slots(jobs, order, bias, 2), capacity);
    int total = 0;
    for (const kern::IntraLaunch& l : p.launches) {
      EXPECT_LE(l.workers, capacity);
      EXPECT_GE(l.workers, 1);
      total += l.workers;
    }
    EXPECT_EQ(total, static_cast<int>(p.workers.size()));
    for (const kern::Slot& s : p.slots) {
      EXPECT_GE(s.workers, 1);
      EXPECT_LE(s.workers, s.tiles);
    }
  }
}

// The closed form of a slot's steps against the recurrence it solves: tile t
// starts `lag` after tile t - 1 started and once its worker (t mod K)
// finished tile t - K; and more workers never make a slot longer.
TEST(CudaEnginePlan, IntraSlotStepsFollowTheTileRecurrence) {
  for (int lag : {63, 70, 94})
    for (int cols : {1, 40, 300, 5000})
      for (int tiles = 1; tiles <= 40; ++tiles)
        for (int k = 1; k <= tiles + 2; ++k) {
          const long long len = cols + kern::kWarp - 1;
          std::vector<long long> start(static_cast<std::size_t>(tiles));
          for (int t = 0; t < tiles; ++t) {
            long long at = t > 0 ? start[t - 1] + lag : 0;
            if (t >= k) at = std::max(at, start[t - k] + len);
            start[t] = at;
          }
          ASSERT_EQ(kern::intra_slot_steps(tiles, cols, k, lag), start.back() + len)
              << tiles << " tiles, " << cols << " cols, " << k << " workers, lag " << lag;
          // Never longer with one more worker: what makes the plan's
          // greedy share the best one.
          if (k > 1) ASSERT_LE(start.back() + len, kern::intra_slot_steps(tiles, cols, k - 1, lag));
        }
}

// Brute force: the shortest longest slot any split of `capacity` warps
// gives, at least one and at most a tile a slot.
long long best_longest(const std::vector<kern::Slot>& slots, int capacity, int lag) {
  const std::size_t n = slots.size();
  long long best = -1;
  std::vector<int> k(n, 1);
  for (;;) {
    int used = 0;
    long long worst = 0;
    for (std::size_t i = 0; i < n; ++i) {
      used += k[i];
      worst = std::max(worst, kern::intra_slot_steps(slots[i].tiles, slots[i].cols, k[i], lag));
    }
    if (used <= capacity && (best < 0 || worst < best)) best = worst;
    std::size_t i = 0;
    while (i < n && ++k[i] > slots[i].tiles) k[i++] = 1;
    if (i == n) break;
  }
  return best;
}

// Whole-warp workers go where they shorten the launch's longest slot: on
// small launches, the plan's longest slot is the shortest any split of the
// warps gives (every split tried), and its workers take every tile once.
TEST(CudaEnginePlan, WorkersGoWhereTheyShortenTheLongestSlot) {
  std::mt19937 rng(5);
  const int lag = kern::tile_lag(kern::kDefaultChunkLead);
  for (int round = 0; round < 200; ++round) {
    const int n = 1 + static_cast<int>(rng() % 4);
    std::vector<kern::Slot> slots(static_cast<std::size_t>(n));
    for (kern::Slot& s : slots) {
      s.rows = 1 + static_cast<int>(rng() % (6 * kern::kIntraTileRows));
      s.cols = 1 + static_cast<int>(rng() % 3000);
    }
    const int capacity = n + static_cast<int>(rng() % 12);
    const kern::IntraPlan p = kern::make_intra_plan(slots, capacity);
    ASSERT_EQ(p.launches.size(), 1u);
    EXPECT_LE(p.launches[0].workers, capacity);
    long long longest = 0;
    std::vector<int> tiles;
    for (const kern::Slot& s : p.slots) {
      ASSERT_GE(s.workers, 1);
      ASSERT_LE(s.workers, s.tiles);
      longest = std::max(longest, kern::intra_slot_steps(s.tiles, s.cols, s.workers, lag));
      tiles.push_back(s.tiles);
    }
    // Every split of `capacity` warps, at least one and at most a tile each.
    const long long best = best_longest(p.slots, capacity, lag);
    EXPECT_EQ(longest, best) << "round " << round;
    // Worker k of a slot of K takes tiles k, k + K, ...: each tile once.
    std::vector<int> taken(static_cast<std::size_t>(n), 0);
    for (const kern::Worker& w : p.workers) {
      const kern::Slot& s = p.slots[static_cast<std::size_t>(w.slot)];
      EXPECT_EQ(w.iters, (s.tiles - w.k + s.workers - 1) / s.workers);
      taken[static_cast<std::size_t>(w.slot)] += w.iters;
    }
    for (int i = 0; i < n; ++i) EXPECT_EQ(taken[i], tiles[i]);
  }
}


// CudaTuning::even_blocks: a launch whose longest slot leaves warps idle is
// shared out again over a multiple of `even` warps (one block on every
// multiprocessor), as well as that many can, where its longest slot grows
// by a sixteenth at most; otherwise it is planned as without it.
TEST(CudaEnginePlan, EvenBlocksCutIdleLaunchesToWholeBlocks) {
  std::mt19937 rng(11);
  const int lag = kern::tile_lag(kern::kDefaultChunkLead);
  int cut = 0, kept = 0;
  for (int round = 0; round < 400; ++round) {
    // Even rounds: a few short slots, small enough to try every split; odd
    // ones: W3-like launches (slots of hundreds of tiles, 5-20 kb columns).
    const bool w3 = round % 2 == 1;
    const int n = w3 ? 3 + static_cast<int>(rng() % 6) : 1 + static_cast<int>(rng() % 4);
    std::vector<kern::Slot> slots(static_cast<std::size_t>(n));
    for (kern::Slot& s : slots) {
      s.rows = w3 ? (50 + static_cast<int>(rng() % 350)) * kern::kIntraTileRows - static_cast<int>(rng() % 256)
                  : 1 + static_cast<int>(rng() % (6 * kern::kIntraTileRows));
      s.cols = w3 ? 5000 + static_cast<int>(rng() % 15000) : 1 + static_cast<int>(rng() % 3000);
    }
    const int capacity = w3 ? n * (20 + static_cast<int>(rng() % 100)) : n + static_cast<int>(rng() % 12);
    const int even = w3 ? 4 * (1 + static_cast<int>(rng() % 8)) : 2 + static_cast<int>(rng() % 3);
    const kern::IntraPlan plain = kern::make_intra_plan(slots, capacity);
    const kern::IntraPlan p = kern::make_intra_plan(slots, capacity, kern::kWarp, kern::kIntraRows, false,
                                                    kern::kDefaultChunkLead, kern::WorkerShare::by_longest, even);
    ASSERT_EQ(p.launches.size(), 1u);
    const int was = plain.launches[0].workers, used = p.launches[0].workers;
    long long longest = 0, plain_longest = 0;
    for (const kern::Slot& s : p.slots) longest = std::max(longest, kern::intra_slot_steps(s.tiles, s.cols, s.workers, lag));
    for (const kern::Slot& s : plain.slots)
      plain_longest = std::max(plain_longest, kern::intra_slot_steps(s.tiles, s.cols, s.workers, lag));
    if (used < was) {
      ++cut;
      EXPECT_TRUE(was < capacity && was % even != 0) << "round " << round;
      // A multiple of `even`, unless that many would not give every slot one.
      EXPECT_TRUE(used % even == 0 || used / even * even < n) << "round " << round << ": " << used << " of " << was;
      EXPECT_LE(longest, plain_longest + plain_longest / 16) << "round " << round;
    } else {
      for (std::size_t i = 0; i < slots.size(); ++i) EXPECT_EQ(p.slots[i].workers, plain.slots[i].workers);
      // Not cut: nothing idle, whole blocks already, or the cut would cost
      // more than a sixteenth (then not even the first cut is worth it).
      if (was < capacity && was % even != 0 && was / even * even >= n) ++kept;
    }
    // The shortest longest slot for the warps it uses (where every split
    // can be tried); every tile taken once.
    if (!w3) EXPECT_EQ(longest, best_longest(p.slots, used, lag)) << "round " << round;
    std::vector<int> taken(slots.size(), 0);
    for (const kern::Worker& w : p.workers) taken[static_cast<std::size_t>(w.slot)] += w.iters;
    for (std::size_t i = 0; i < slots.size(); ++i) EXPECT_EQ(taken[i], p.slots[i].tiles);
  }
  EXPECT_GT(cut, 20);  // the rounds reach both ways
  EXPECT_GT(kept, 20);
}

// CudaTuning::short_one_launch: with at least `capacity` slots, one launch of
// any size, a worker per slot (none waits for another); with fewer, the
// usual plan (the spare warps share the long slots' tiles).
TEST(CudaEnginePlan, OneLaunchWhenTheSlotsFillTheGpu) {
  std::vector<kern::Job> jobs;
  std::vector<int> order, bias;
  for (int i = 0; i < 40; ++i) {
    jobs.push_back(kern::Job{0, 0, 100 + 20 * i, 300 + 10 * i});  // 1 to 4 tiles
    order.push_back(i);
    bias.push_back(0);
  }
  for (int capacity : {1, 7, 20}) {
    const kern::IntraPlan p =
        kern::make_intra_plan(kern::make_slots(jobs, order, bias, 2), capacity, kern::kWarp, kern::kIntraRows, true);
    ASSERT_EQ(p.launches.size(), 1u) << capacity;
    EXPECT_EQ(p.launches[0].first_worker, 0);
    EXPECT_EQ(p.launches[0].workers, static_cast<int>(p.slots.size()));
    for (const kern::Slot& s : p.slots) EXPECT_EQ(s.workers, 1);
    for (std::size_t w = 0; w < p.workers.size(); ++w) {
      EXPECT_EQ(p.workers[w].slot, static_cast<int>(w));
      EXPECT_EQ(p.workers[w].iters, p.slots[w].tiles);
    }
  }
  const auto few = kern::make_intra_plan(kern::make_slots(jobs, order, bias, 2), 64, kern::kWarp, kern::kIntraRows, true);
  const auto usual = kern::make_intra_plan(kern::make_slots(jobs, order, bias, 2), 64);
  EXPECT_EQ(few.workers.size(), usual.workers.size());
  EXPECT_GT(few.workers.size(), few.slots.size());  // spare warps share tiles
}

TEST(CudaEnginePlan, InterGroupsCoverEveryPaddedRow) {
  std::vector<kern::Job> jobs;
  std::vector<int> order, bias;
  for (int i = 0; i < 70; ++i) {
    jobs.push_back(kern::Job{0, 0, 1 + 7 * i, 3 + 11 * i});
    order.push_back(i);
    bias.push_back(0);
  }
  for (int bits : {4, 8}) {
    const kern::InterPlan p = kern::make_inter_plan(kern::make_slots(jobs, order, bias, 2), 2, bits);
    ASSERT_EQ(p.groups.size(), 2u);  // 35 slots
    for (const kern::InterGroup& g : p.groups) {
      EXPECT_EQ(g.rows % kern::kInterRows, 0);
      EXPECT_GE(g.q_wpl * (32 / bits), g.rows);
      EXPECT_GE(g.t_wpl * (32 / bits), g.cols);
    }
  }
}

// Slots pair problems of the same tiles by their columns: rows within one
// tile cost the same, so sorting by exact rows paired alike rows but any
// columns (W2: 1.26 lane-cells a cell).  Here every pair of equal tiles has
// a partner of its own columns among its neighbours by tiles, but not by
// exact rows; the lane-cells fall to the cells plus tile rounding and skew.
TEST(CudaEnginePlan, SlotsPairAlikeColumnsWithinATileCount) {
  std::vector<kern::Job> jobs;
  std::vector<int> order, bias;
  std::mt19937 rng(2207);
  for (int i = 0; i < 400; ++i) {
    // Rows 1-3 tiles (256 each), columns one of two very different sizes.
    const int rows = 1 + static_cast<int>(rng() % 768), cols = rng() % 2 ? 300 : 3000;
    jobs.push_back(kern::Job{0, 0, rows, cols});
    order.push_back(i);
    bias.push_back(0);
  }
  const int quantum = kern::kWarp * kern::kIntraRows;
  auto lanes_of = [&](int q) {
    return kern::lane_cells(kern::make_intra_plan(kern::make_slots(jobs, order, bias, 2, q), 1 << 20,
                                                  kern::kWarp, kern::kIntraRows, true),
                            2);
  };
  const std::uint64_t exact = lanes_of(1), tiled = lanes_of(quantum);
  EXPECT_LT(static_cast<double>(tiled), 0.75 * static_cast<double>(exact)) << exact << " " << tiled;
  const std::vector<kern::Slot> slots = kern::make_slots(jobs, order, bias, 2, quantum);
  int mixed = 0;
  for (const kern::Slot& s : slots) {
    if (s.job[1] < 0) continue;
    const kern::Job& a = jobs[static_cast<std::size_t>(s.job[0])];
    const kern::Job& b = jobs[static_cast<std::size_t>(s.job[1])];
    EXPECT_EQ(kern::quantized_rows(a.m, quantum), kern::quantized_rows(b.m, quantum));  // 1/16 never covers 300 vs 3000
    mixed += a.n != b.n ? 1 : 0;
  }
  EXPECT_LE(mixed, 3);  // one edge a tile count at most
  // Every job in exactly one slot.
  std::vector<int> seen(jobs.size(), 0);
  for (const kern::Slot& s : slots)
    for (int j : s.job)
      if (j >= 0) ++seen[static_cast<std::size_t>(j)];
  for (int c : seen) EXPECT_EQ(c, 1);
}

// A job of fewer tiles but many more columns does not share a slot with a
// longer one (the slot would cost the tiles of one and the columns of the
// other); one within a sixteenth of the larger alone does.
TEST(CudaEnginePlan, SlotsPairAcrossTilesOnlyWhereNoLonger) {
  const int quantum = kern::kWarp * kern::kIntraRows;
  std::vector<int> bias(2, 0), order{0, 1};
  const std::vector<kern::Job> far{kern::Job{0, 0, 600, 300}, kern::Job{0, 0, 300, 513}};  // 3 tiles; 2 tiles, more columns
  EXPECT_EQ(kern::make_slots(far, order, bias, 2, quantum).size(), 2u);
  EXPECT_EQ(kern::make_slots(far, order, bias, 2, 1).size(), 1u);  // exact rows: the inter kernel pairs any two
  const std::vector<kern::Job> near{kern::Job{0, 0, 100000, 15000}, kern::Job{0, 0, 99000, 15500}};  // 391, 387 tiles
  EXPECT_EQ(kern::make_slots(near, order, bias, 2, quantum).size(), 1u);
}

// kern::lane_cells counts what the workers step through: a worker's tiles x
// (its columns + the lanes' skew) x the tile's rows x the halves.
TEST(CudaEnginePlan, LaneCellsCountTilesSkewAndHalves) {
  std::vector<int> bias{0}, order{0};
  const std::vector<kern::Job> one{kern::Job{0, 0, 300, 100}};
  const kern::IntraPlan p = kern::make_intra_plan(kern::make_slots(one, order, bias, 2, kern::kWarp * kern::kIntraRows),
                                                  1 << 20, kern::kWarp, kern::kIntraRows, true);
  EXPECT_EQ(kern::lane_cells(p, 2), std::uint64_t{2} * (100 + 31) * 256 * 2);
  EXPECT_EQ(kern::lane_cells(p, 1), std::uint64_t{2} * (100 + 31) * 256);
  // Two workers sharing 5 tiles (3 and 2 of them): the same 5 tiles.
  std::vector<kern::Slot> slots = kern::make_slots(std::vector<kern::Job>{kern::Job{0, 0, 1200, 1000}}, order, bias, 2,
                                                   kern::kWarp * kern::kIntraRows);
  const kern::IntraPlan shared = kern::make_intra_plan(std::move(slots), 2);
  ASSERT_EQ(shared.workers.size(), 2u);
  EXPECT_EQ(kern::lane_cells(shared, 2), std::uint64_t{5} * (1000 + 31) * 256 * 2);
}

// A list a limit splits goes into batches of about equal size (the second
// batch's host work then overlaps as much device work as it can): by
// pairs, by codes (one job over the mean allowed), or not at all.
TEST(CudaEnginePlan, BatchLimitsSplitAListEvenly) {
  const kern::BatchLimits by_pairs = kern::even_batch_limits(20000, 20000 * 700, 900, 16384, 64 << 20);
  EXPECT_EQ(by_pairs.pairs, 10000u);
  EXPECT_EQ(by_pairs.codes, std::uint64_t{64} << 20);
  const kern::BatchLimits by_codes = kern::even_batch_limits(100, 1000, 20, 16384, 300);  // 4 batches
  EXPECT_EQ(by_codes.pairs, 16384u);
  EXPECT_EQ(by_codes.codes, 250u + 20u);
  const kern::BatchLimits none = kern::even_batch_limits(500, 1000, 20, 16384, 300000);
  EXPECT_EQ(none.pairs, 16384u);
  EXPECT_EQ(none.codes, 300000u);
}

// W1's 20,000 windows on either traceback kernel: two batches of about
// 10,000, not 16,384 and 3,616; the thread kernel's in whole groups of 32.
// A code limit splits them evenly too.  Every window is in one batch.
TEST(CudaEnginePlan, TraceBatchesSplitEvenly) {
  std::mt19937 rng(5);
  std::vector<kern::Job> windows;
  std::uint64_t all_codes = 0;
  for (int i = 0; i < 20000; ++i) {
    const int m = 150 + static_cast<int>(rng() % 151), n = m + static_cast<int>(rng() % 60);
    windows.push_back(kern::Job{0, 0, m, n});
    all_codes += static_cast<std::uint64_t>(m + n);
  }
  const std::vector<char> skip(windows.size(), 0);
  kern::PlanScoring ps;
  ps.mode = kern::kLocal;
  ps.open = 5;
  ps.ext = 2;
  ps.max_sub = 2;
  ps.min_sub = -3;
  struct Case {
    std::uint64_t warp_min_cells, max_codes;
    std::size_t batches;
  };
  for (const Case c : {Case{1, 64 << 20, 2}, Case{~std::uint64_t{0}, 64 << 20, 2},
                       Case{1, all_codes * 2 / 5, 3}, Case{~std::uint64_t{0}, all_codes * 2 / 5, 3}}) {
    const bool warps = c.warp_min_cells == 1;
    SCOPED_TRACE(std::string(warps ? "warp" : "thread") + " kernel, " + std::to_string(c.batches) + " batches");
    const kern::TraceBatches tb = kern::plan_trace_batches(windows, skip, ps, 4, std::uint64_t{1} << 40,
                                                           std::uint64_t{1} << 30, 16384, c.max_codes, c.warp_min_cells);
    const auto& batches = warps ? tb.warp_batches : tb.batches;
    EXPECT_TRUE((warps ? tb.batches : tb.warp_batches).empty());
    EXPECT_TRUE(tb.cpu.empty());
    ASSERT_EQ(batches.size(), c.batches);
    std::vector<int> seen(windows.size(), 0);
    // Balanced in what split them: windows, or codes.
    const bool by_codes = c.max_codes < all_codes / 2;
    std::uint64_t smallest = ~std::uint64_t{0}, largest = 0;
    for (std::size_t b = 0; b < batches.size(); ++b) {
      std::uint64_t codes = 0;
      for (const kern::Slot& s : batches[b]) {
        ++seen[static_cast<std::size_t>(s.job[0])];
        codes += static_cast<std::uint64_t>(s.prob[0].m + s.prob[0].n);
      }
      EXPECT_LE(codes, c.max_codes);
      if (!warps && b + 1 < batches.size()) EXPECT_EQ(batches[b].size() % kern::kWarp, 0u);
      const std::uint64_t size = by_codes ? codes : batches[b].size();
      smallest = std::min(smallest, size);
      largest = std::max(largest, size);
    }
    EXPECT_LE(largest - smallest, largest / 10) << smallest << " and " << largest << (by_codes ? " codes" : " windows");
    EXPECT_EQ(std::count(seen.begin(), seen.end(), 1), static_cast<std::ptrdiff_t>(windows.size()));
  }
}

}  // namespace
}  // namespace gpualign
