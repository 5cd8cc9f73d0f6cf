// gpualign bench: the benchmark suite (and what `gpualign` alone runs).
#include <cstdio>
#include <fstream>
#include <sstream>

#include "commands.hpp"
#include "gpualign/bench_suite.hpp"
#include "gpualign/calibration_profile.hpp"
#include "gpualign/error.hpp"

namespace gpualign::cli {
namespace {

struct BenchArgs {
  std::string workloads, backends, json, mode = "local", profile, engine;
  std::size_t threads = 0;
  bool quick = false, compare_parasail = false, cigar = false;
  int repeat = 1;
  double scale = 0;
};

std::vector<std::string> split_list(const std::string& s) {
  std::vector<std::string> out;
  std::stringstream ss(s);
  std::string item;
  while (std::getline(ss, item, ','))
    if (!item.empty()) out.push_back(item);
  return out;
}

void write_file_atomically(const std::string& path, const std::string& text) {
  if (path == "-") {
    std::fwrite(text.data(), 1, text.size(), stdout);
    return;
  }
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) throw Error("cannot write", tmp);
    out << text;
    out.flush();
    if (!out) throw Error("cannot write", tmp);
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    std::remove(tmp.c_str());
    throw Error("cannot rename the JSON report to '" + path + "'");
  }
}

int run(const BenchArgs& a) {
  BenchOptions o;
  o.workloads = split_list(a.workloads);
  o.backends = split_list(a.backends);
  // --engine: one engine's view of the suite (issue-style tables): the CPU
  // engine on 1 thread (serial) and on all threads beside parasail, or the
  // GPU beside the CPU engine.
  if (a.engine == "cpu") {
    o.backends = {"serial", "threads", "parasail"};
  } else if (a.engine == "gpu") {
    o.backends = {"serial", "threads", "gpu"};
  }
  o.threads = a.threads;
  o.quick = a.quick;
  o.scale = a.scale;
  o.repeat = a.repeat;
  o.compare_parasail = a.compare_parasail;
  o.options.mode = parse_align_mode(a.mode);
  o.options.output = a.cigar ? AlignOutput::cigar : AlignOutput::score_end;
  if (!a.profile.empty()) o.profile = load_profile(a.profile);
  const bool json_to_stdout = a.json == "-";
  FILE* table = json_to_stdout ? stderr : stdout;
  const MachineInfo m = describe_machine();
  std::fprintf(table, "gpualign %s bench%s: %s, %zu usable CPUs, SIMD %s, GPU %s\n", m.version.c_str(),
               a.quick ? " --quick" : "", m.cpu.c_str(), m.usable_cpus, m.simd_level.c_str(), m.gpu.c_str());
  std::fprintf(table, "%s\n", bench_table_header().c_str());
  std::fflush(table);
  o.on_row = [table](const BenchRow& r) {
    std::fprintf(table, "%s\n", format_bench_row(r).c_str());
    std::fflush(table);
  };
  const BenchReport report = run_bench_suite(o);
  for (const auto& n : report.notes) std::fprintf(table, "note: %s\n", n.c_str());
  std::fprintf(table, "mode %s, %s; GCUPS = cells / seconds / 1e9; speedup over serial (%s); peak host = %s\n",
               a.mode.c_str(), a.cigar ? "with CIGAR" : "score and end only",
               report.rows.empty() ? "-" : report.rows.front().engine.c_str(), "RSS sampled every 2 ms");
  if (!a.json.empty()) write_file_atomically(a.json, report.to_json());
  for (const auto& r : report.rows)
    if (!r.verified) return 1;  // a backend disagreed with serial: the figures are not trustworthy
  return 0;
}

}  // namespace

void add_bench_command(CLI::App& app, Action& action) {
  auto args = std::make_shared<BenchArgs>();
  CLI::App* cmd = app.add_subcommand(
      "bench", "Run the benchmark suite: workloads W1 W2 W3 P1 through serial, threads, processes, gpu and auto");
  cmd->footer(
      "Workloads (DESIGN.md, generated from a seed): W1 20,000 pairs 150-300 x 300-600; W2 2,000 pairs 1-10 kb x "
      "2-20 kb;\nW3 20 pairs 10-20 kb x 50-100 kb; P1 5,000 protein pairs 100-500 x 100-1,000 aa (BLOSUM62 11/1).\n"
      "Every backend's results are checked against the serial run; exit status 1 if any differ.");
  cmd->add_option("--workload,-w", args->workloads, "Comma-separated workloads (default all: W1,W2,W3,P1)");
  cmd->add_option("--backend,-b", args->backends,
                  "Comma-separated backends: serial, threads, processes, gpu, auto, parasail (default all but parasail)");
  cmd->add_option("--engine,-e", args->engine,
                  "One engine's view: 'cpu' = the CPU engine on 1 thread (serial) and all threads beside parasail; "
                  "'gpu' = the GPU beside the CPU engine (same as --backend serial,threads,gpu)")
      ->check(CLI::IsMember({"cpu", "gpu"}))
      ->excludes("--backend");
  cmd->add_option("--threads,-t", args->threads, "Threads or processes of the parallel rows (0 = usable CPUs)")
      ->capture_default_str();
  cmd->add_flag("--quick", args->quick, "Scale pair counts down: about a minute on 2 cores");
  cmd->add_option("--scale", args->scale, "Multiply every workload's pair count by this (overrides --quick's choice)")
      ->check(CLI::PositiveNumber);
  cmd->add_option("--repeat", args->repeat, "Runs per row; the median is reported")
      ->check(CLI::Range(1, 1000))
      ->capture_default_str();
  cmd->add_option("--json", args->json, "Also write the figures as JSON to FILE ('-' = stdout; the table then goes to stderr)");
  cmd->add_flag("--compare-parasail", args->compare_parasail, "Add parasail's rows (striped, saturation-checked) when linked");
  cmd->add_option("--mode,-m", args->mode, "local, global or semi-global")
      ->check(CLI::IsMember({"local", "global", "semi-global"}))
      ->capture_default_str();
  cmd->add_flag("--cigar", args->cigar, "Compute CIGARs (traceback) instead of scores and ends only");
  cmd->add_option("--profile", args->profile, "Calibration profile for auto (default: gpualign calibrate's)");
  cmd->callback([&action, args] { action = [args] { return run(*args); }; });
}

int run_default_bench() {
  BenchArgs a;
  a.quick = true;
  return run(a);
}

}  // namespace gpualign::cli
