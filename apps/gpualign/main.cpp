// gpualign: pairwise sequence alignment on CPUs and GPUs.
// With no arguments it runs the quick benchmark suite on built-in data.
#include <cstdio>
#include <iostream>

#include "commands.hpp"
#include "gpualign/error.hpp"
#include "gpualign_build_config.hpp"

namespace gpualign::cli {
namespace {
std::string g_command_line;
}
const std::string& command_line() { return g_command_line; }
}  // namespace gpualign::cli

int main(int argc, char** argv) {
  using namespace gpualign;
  for (int i = 0; i < argc; ++i) cli::g_command_line += (i ? " " : "") + std::string(argv[i]);

  CLI::App app{"gpualign " GPUALIGN_VERSION_STRING
               ": exact pairwise sequence alignment (local, global, semi-global; DNA and protein)\n"
               "on CPU threads, worker processes and CUDA GPUs.  Without a command it runs the\n"
               "quick benchmark suite on built-in data (gpualign bench --quick)."};
  app.set_version_flag("--version", GPUALIGN_VERSION_STRING);
  app.require_subcommand(0, 1);
  cli::Action action;
  cli::add_align_command(app, action);
  cli::add_bench_command(app, action);
  cli::add_calibrate_command(app, action);
  cli::add_info_command(app, action);

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    // One line, exit status 2, as for every other bad input.
    std::fprintf(stderr, "gpualign: %s (see gpualign --help)\n", e.what());
    return 2;
  }
  try {
    return action ? action() : cli::run_default_bench();
  } catch (const Error& e) {
    std::fprintf(stderr, "gpualign: %s\n", e.what());
    return 2;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "gpualign: internal error: %s\n", e.what());
    return 3;
  }
}
