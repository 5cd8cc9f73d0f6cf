#pragma once
// The gpualign subcommands.  Each add_* registers its options on the app and
// the function that runs it; the CLI is a thin layer over the public API.
#include <CLI/CLI.hpp>

#include <functional>
#include <string>

namespace gpualign::cli {

/// What main() runs after parsing: the chosen subcommand's action.
using Action = std::function<int()>;

void add_align_command(CLI::App& app, Action& action);
void add_info_command(CLI::App& app, Action& action);
void add_bench_command(CLI::App& app, Action& action);
void add_calibrate_command(CLI::App& app, Action& action);

/// Runs `gpualign bench --quick` (what `gpualign` alone does).
int run_default_bench();

/// The command line as typed, for SAM @PG and reports.
const std::string& command_line();

}  // namespace gpualign::cli
