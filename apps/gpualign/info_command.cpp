// gpualign info: what this build and this machine offer.
#include <cstdio>
#include <thread>

#include "commands.hpp"
#include "gpualign/engine.hpp"
#include "gpualign/memory_budget.hpp"
#include "gpualign/worker_defaults.hpp"
#include "gpualign_build_config.hpp"
#if __has_include("gpualign/cpu_features.hpp")
#include "gpualign/cpu_features.hpp"
#define GPUALIGN_INFO_HAS_SIMD 1
#endif

namespace gpualign::cli {
namespace {

int run() {
  std::printf("gpualign %s\n", GPUALIGN_VERSION_STRING);
  std::printf("build:          %s, %s\n", GPUALIGN_BUILD_TYPE, GPUALIGN_CXX_COMPILER);
  std::printf("cuda build:     %s", GPUALIGN_HAVE_CUDA ? "on" : "off");
  if (GPUALIGN_HAVE_CUDA) std::printf(" (architectures %s)", GPUALIGN_CUDA_ARCHITECTURES);
  std::printf("\n");
  std::string engines;
  for (const auto& name : engine_names()) {
    auto e = make_engine(name);
    engines += (engines.empty() ? "" : ", ") + name;
    if (!e->available()) engines += " (unavailable: " + e->unavailable_reason() + ")";
  }
  std::printf("engines:        %s\n", engines.c_str());
#ifdef GPUALIGN_INFO_HAS_SIMD
  std::printf("simd level:     %s (best supported: %s)\n", std::string(to_string(active_simd_level())).c_str(),
              std::string(to_string(detected_simd_level())).c_str());
#endif
  std::printf("cores:          %u hardware threads, %zu usable (affinity and cgroup quota)\n",
              std::thread::hardware_concurrency(), usable_cpus());
  std::printf("threads:        %zu by default (cpu-bound work)\n", default_workers());
  std::printf("host memory:    %s available to this process, default budget %s\n",
              format_byte_size(memory_available_to_process()).c_str(), format_byte_size(default_memory_budget()).c_str());
  return 0;
}

}  // namespace

void add_info_command(CLI::App& app, Action& action) {
  CLI::App* cmd = app.add_subcommand("info", "Version, build flags, engines, devices, SIMD level, threads, memory budget");
  cmd->callback([&action] { action = [] { return run(); }; });
}

}  // namespace gpualign::cli
