// gpualign bench / calibrate and align's --backend / --trace, through the
// binary: exit statuses, the JSON's names, the saved profile, one-line errors.
#include <set>

#include <nlohmann/json.hpp>

#include "cli/cli_harness.hpp"

namespace gpualign::test {
namespace {

class DispatchCli : public CliTest {};

TEST_F(DispatchCli, BenchWritesTableAndJson) {
  const RunResult r = run("bench --workload W1,P1 --backend serial,threads,auto --scale 0.002 --repeat 3 "
                          "--compare-parasail --json out.json --profile " + write("p.json", R"({"format": "gpualign-profile", "version": 1})"));
  ASSERT_EQ(r.status, 0) << r.err << r.out;
  EXPECT_NE(r.out.find("GCUPS"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("W1   auto"), std::string::npos) << r.out;
  const auto j = nlohmann::json::parse(slurp(path("out.json")));
  EXPECT_TRUE(j.at("machine").contains("simd_level"));
  const auto& rows = j.at("results");
  ASSERT_GE(rows.size(), 6u);
  for (const auto& row : rows) {
    EXPECT_TRUE(row.at("verified").get<bool>()) << row;
    EXPECT_GT(row.at("gcups").get<double>(), 0.0) << row;
  }
  EXPECT_FALSE(exists("out.json.tmp"));
}

TEST_F(DispatchCli, BenchEngineCpuIsSerialThreadsAndParasail) {
  const RunResult r = run("bench --engine cpu --workload W1 --scale 0.002 --json -");
  ASSERT_EQ(r.status, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  std::set<std::string> backends;
  for (const auto& row : j.at("results")) backends.insert(row.at("backend").get<std::string>());
  EXPECT_TRUE(backends.count("serial") && backends.count("threads")) << r.out;
  EXPECT_FALSE(backends.count("auto") || backends.count("processes")) << r.out;
  const bool linked = j.at("machine").at("build").get<std::string>().find("parasail linked") != std::string::npos;
  EXPECT_EQ(backends.count("parasail"), linked ? 1u : 0u) << r.out;
  const RunResult both = run("bench --engine cpu --backend serial --workload W1 --scale 0.002");
  EXPECT_EQ(both.status, 2) << both.err;
  EXPECT_NE(both.err.find("excludes"), std::string::npos) << both.err;
}

TEST_F(DispatchCli, BenchJsonToStdoutTableToStderr) {
  const RunResult r = run("bench --workload W3 --backend serial --scale 0.05 --json -");
  ASSERT_EQ(r.status, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j.at("results").at(0).at("workload"), "W3");
  EXPECT_NE(r.err.find("GCUPS"), std::string::npos);
}

TEST_F(DispatchCli, BadNamesAndProfilesAreOneLineErrors) {
  for (const std::string& args : std::vector<std::string>{"bench --workload W7", "bench --backend fpga --workload W1",
                                 "bench --profile " + write("bad.json", "{nope")}) {
    const RunResult r = run(args);
    EXPECT_EQ(r.status, 2) << args;
    EXPECT_TRUE(r.err.starts_with("gpualign: ")) << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  }
}

TEST_F(DispatchCli, CalibrateSavesAProfileThatLoads) {
  RunResult r = run("calibrate --profile prof/p.json --seconds 0.02");
  ASSERT_EQ(r.status, 0) << r.err;
  ASSERT_TRUE(exists("prof/p.json"));
  const auto j = nlohmann::json::parse(slurp(path("prof/p.json")));
  EXPECT_EQ(j.at("format"), "gpualign-profile");
  EXPECT_GT(j.at("cpu_cells_per_second").get<double>(), 0.0);
  r = run("calibrate --show --profile prof/p.json");
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("cpu_cells_per_second"), std::string::npos);
}

TEST_F(DispatchCli, AlignBackendsAgreeAndTraceOpens) {
  write("ref.fa", ">t\nACGTACGTTTGACCATGACGATCGATCGGGATCGATTTACGACTAGCATCAGCTACGACT\n");
  std::string q;
  for (int i = 0; i < 200; ++i) q += ">q" + std::to_string(i) + "\nACGTTTGACCATGACGTTCGATCGGG" + std::string(i % 7, 'A') + "TCGA\n";
  write("q.fa", q);
  std::string first;
  for (const char* b : {"auto", "serial", "cpu", "gpu"}) {
    const RunResult r = run(std::string("align -r ref.fa -q q.fa --batch-cells 2k --backend ") + b +
                            " --trace " + b + ".trace.json");
    ASSERT_EQ(r.status, 0) << b << ": " << r.err;
    if (first.empty()) first = r.out;
    EXPECT_EQ(r.out, first) << b;
    const auto j = nlohmann::json::parse(slurp(path(std::string(b) + ".trace.json")));
    bool align_stage = false;
    for (const auto& e : j.at("traceEvents"))
      if (e.at("name") == "stage: align") align_stage = true;
    EXPECT_TRUE(align_stage) << b;
    EXPECT_TRUE(exists(std::string(b) + ".trace.json.dot"));
  }
  EXPECT_EQ(run("align -r ref.fa -q q.fa --backend quantum").status, 2);
}

}  // namespace
}  // namespace gpualign::test
