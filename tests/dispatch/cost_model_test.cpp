// Routing decisions of the cost model on synthetic profiles: serial for tiny
// batches, the CPU pool for medium ones, the GPU for large ones when there
// is one, the CPU when there is none; budgets rule backends out.
#include <cmath>

#include <gtest/gtest.h>

#include "gpualign/cost_model.hpp"
#include "gpualign/error.hpp"

namespace gpualign {
namespace {

CalibrationProfile synthetic() {
  CalibrationProfile p;
  p.cpu_cells_per_second = 2e9;
  p.cpu_pair_seconds = 1e-6;
  p.thread_efficiency = 0.95;
  p.thread_start_seconds = 1e-4;
  p.process_start_seconds = 3e-3;
  p.gpu_cells_per_second = 5e11;
  p.gpu_pair_seconds = 1e-8;
  p.gpu_launch_seconds = 5e-4;
  p.gpu_transfer_bytes_per_second = 2e10;
  return p;
}

// `pairs` pairs of m x n cells, measured as measure_batch would.
BatchCost batch(std::uint64_t pairs, std::uint64_t m, std::uint64_t n) {
  BatchCost c;
  c.pairs = pairs;
  c.cells = pairs * m * n;
  c.max_pair_cells = m * n;
  c.longest_query = static_cast<std::int64_t>(m);
  c.longest_target = static_cast<std::int64_t>(n);
  c.residues = pairs * (m + n);
  c.max_pair_host_bytes = 16 * (m + n);
  c.host_bytes = pairs * c.max_pair_host_bytes;
  c.max_pair_device_bytes = 8 * n + m + n;
  c.device_bytes = pairs * c.max_pair_device_bytes;
  return c;
}

TEST(CostModel, TinyBatchRunsSerially) {
  for (bool gpu : {false, true}) {
    CostModel model(synthetic(), {.cpu_workers = 8, .gpu_available = gpu});
    // 3 pairs of 50 x 80: microseconds of work, less than starting a pool.
    const RouteDecision d = model.route(batch(3, 50, 80));
    EXPECT_EQ(d.backend, Backend::serial) << d.reason;
  }
}

TEST(CostModel, MediumBatchUsesTheCpuPoolWithoutGpu) {
  CostModel model(synthetic(), {.cpu_workers = 4, .gpu_available = false});
  const RouteDecision d = model.route(batch(2000, 300, 600));
  EXPECT_EQ(d.backend, Backend::threads) << d.reason;
  EXPECT_TRUE(std::isinf(d.predictions[static_cast<int>(Backend::gpu)]));
}

TEST(CostModel, ProcessPoolWhenIsolationIsAsked) {
  CostModel model(synthetic(), {.cpu_workers = 4, .gpu_available = false, .processes = true});
  EXPECT_EQ(model.route(batch(2000, 3000, 6000)).backend, Backend::processes);
  // Forking costs more than threads: a small batch stays serial.
  EXPECT_EQ(model.route(batch(20, 100, 100)).backend, Backend::serial);
}

TEST(CostModel, LargeBatchGoesToTheGpuWhenPresent) {
  CostModel model(synthetic(), {.cpu_workers = 4, .gpu_available = true});
  const RouteDecision d = model.route(batch(20, 15000, 75000));
  EXPECT_TRUE(d.backend == Backend::gpu || d.backend == Backend::hybrid) << d.reason;
  EXPECT_GT(d.gpu_share, 0.9);
}

TEST(CostModel, NoGpuMeansCpuForLargeBatches) {
  CostModel model(synthetic(), {.cpu_workers = 4, .gpu_available = false});
  EXPECT_EQ(model.route(batch(20, 15000, 75000)).backend, Backend::threads);
}

TEST(CostModel, SingleWorkerNeverPaysForAPool) {
  CostModel model(synthetic(), {.cpu_workers = 1, .gpu_available = false});
  EXPECT_EQ(model.route(batch(20000, 300, 600)).backend, Backend::serial);
}

TEST(CostModel, HybridWhenCpuAndGpuAreComparable) {
  CalibrationProfile p = synthetic();
  p.gpu_cells_per_second = 8e9;  // a slow GPU: about as fast as the four cores
  CostModel model(p, {.cpu_workers = 4, .gpu_available = true});
  const RouteDecision d = model.route(batch(2000, 3000, 6000));
  EXPECT_EQ(d.backend, Backend::hybrid) << d.reason;
  EXPECT_GT(d.gpu_share, 0.3);
  EXPECT_LT(d.gpu_share, 0.7);
}

TEST(CostModel, DeviceBudgetRulesOutTheGpuForAHugePair) {
  CostModel model(synthetic(), {.cpu_workers = 4, .gpu_available = true, .device_budget_bytes = 1000});
  const BatchCost c = batch(20, 15000, 75000);
  EXPECT_TRUE(std::isinf(model.predict_seconds(Backend::gpu, c)));
  EXPECT_EQ(model.route(c).backend, Backend::threads);
}

TEST(CostModel, HostBudgetLimitsConcurrency) {
  const BatchCost c = batch(8, 3000, 6000);
  CostModel roomy(synthetic(), {.cpu_workers = 4});
  CostModel tight(synthetic(), {.cpu_workers = 4, .host_budget_bytes = c.max_pair_host_bytes});
  // One pair at a time fits: the pool can only be as fast as serial (plus its start).
  EXPECT_GT(tight.predict_seconds(Backend::threads, c), roomy.predict_seconds(Backend::threads, c));
  EXPECT_EQ(tight.route(c).backend, Backend::serial);
  CostModel none(synthetic(), {.cpu_workers = 4, .host_budget_bytes = 10});
  EXPECT_TRUE(std::isinf(none.predict_seconds(Backend::serial, c)));
}

TEST(CostModel, MeasureBatchCountsCellsAndLongest) {
  std::vector<std::uint8_t> a(10, 0), b(30, 1), c(7, 2);
  std::vector<SequencePair> pairs = {{a, b}, {c, b}, {a, c}};
  const BatchCost m = measure_batch(pairs, {});
  EXPECT_EQ(m.pairs, 3u);
  EXPECT_EQ(m.cells, 300u + 210u + 70u);
  EXPECT_EQ(m.max_pair_cells, 300u);
  EXPECT_EQ(m.longest_query, 10);
  EXPECT_EQ(m.longest_target, 30);
  EXPECT_GT(m.host_bytes, 0u);
  EXPECT_GE(m.device_bytes, m.max_pair_device_bytes);
}

TEST(CostModel, ParseBackendNames) {
  EXPECT_EQ(parse_backend("auto"), Backend::automatic);
  EXPECT_EQ(parse_backend("cpu"), Backend::threads);
  EXPECT_EQ(parse_backend("gpu"), Backend::gpu);
  EXPECT_EQ(parse_backend("serial"), Backend::serial);
  EXPECT_EQ(parse_backend("process"), Backend::processes);
  EXPECT_THROW(parse_backend("fpga"), Error);
  EXPECT_EQ(to_string(Backend::automatic), "auto");
}

}  // namespace
}  // namespace gpualign
