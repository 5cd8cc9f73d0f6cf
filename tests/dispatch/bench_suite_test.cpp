// The bench suite end to end on tiny scales: every row present, verified
// against serial, the JSON has DESIGN.md's field names; bad names rejected.
#include <set>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "gpualign/bench_suite.hpp"
#include "gpualign/error.hpp"

namespace gpualign {
namespace {

TEST(BenchSuite, TinyRunHasEveryRowAndTheJsonNames) {
  BenchOptions o;
  o.workloads = {"W1", "P1"};
  o.backends = {"serial", "threads", "processes", "gpu", "auto"};
  o.compare_parasail = true;
  o.threads = 2;
  o.scale = 0.002;  // 40 and 10 pairs
  o.profile = builtin_profile();
  int rows_seen = 0;
  o.on_row = [&](const BenchRow&) { ++rows_seen; };
  const BenchReport r = run_bench_suite(o);
  const std::size_t per_workload = 4 + (parasail_available() ? 1 : 0);  // gpu skipped: no GPU here
  ASSERT_EQ(r.rows.size(), 2 * per_workload);
  EXPECT_EQ(rows_seen, static_cast<int>(r.rows.size()));
  for (const auto& row : r.rows) {
    EXPECT_TRUE(row.verified) << row.workload << " " << row.backend;
    EXPECT_GT(row.pairs, 0u);
    EXPECT_GT(row.cells, 0u);
    EXPECT_GT(row.seconds, 0.0);
    EXPECT_GT(row.peak_host_bytes, 0u);
    EXPECT_NE(row.backend, "gpu");
  }
  EXPECT_DOUBLE_EQ(r.rows[0].speedup_vs_serial, 1.0);
  EXPECT_EQ(r.rows[0].backend, "serial");

  const auto j = nlohmann::json::parse(r.to_json());
  ASSERT_TRUE(j.at("machine").is_object());
  for (const char* k : {"cpu", "simd_level", "gpu", "build"}) EXPECT_TRUE(j.at("machine").contains(k)) << k;
  ASSERT_EQ(j.at("results").size(), r.rows.size());
  for (const auto& row : j.at("results"))
    for (const char* k : {"workload", "backend", "threads", "mode", "traceback", "pairs", "cells", "seconds", "gcups",
                          "speedup_vs_serial", "chosen_backend", "peak_host_bytes", "peak_device_bytes"})
      EXPECT_TRUE(row.contains(k)) << k;
  std::set<std::string> backends;
  for (const auto& row : j.at("results")) backends.insert(row.at("backend").get<std::string>());
  EXPECT_TRUE(backends.count("auto"));
  EXPECT_EQ(backends.count("parasail"), parasail_available() ? 1u : 0u);
  const std::string table = r.to_table();
  EXPECT_NE(table.find("GCUPS"), std::string::npos);
  EXPECT_NE(table.find("gpu rows skipped"), std::string::npos);
}

TEST(BenchSuite, UnknownNamesAreErrors) {
  BenchOptions o;
  o.workloads = {"W9"};
  EXPECT_THROW(run_bench_suite(o), Error);
  o.workloads = {"W1"};
  o.backends = {"fpga"};
  EXPECT_THROW(run_bench_suite(o), Error);
}

}  // namespace
}  // namespace gpualign
