// gpualign calibrate: measures this machine for the dispatcher and saves the profile.
#include <cstdio>

#include "commands.hpp"
#include "gpualign/calibration_profile.hpp"
#include "gpualign/error.hpp"

namespace gpualign::cli {
namespace {

struct CalibrateArgs {
  std::string profile, engine;
  std::size_t threads = 0;
  double seconds = 0.5;
  bool show = false, dry_run = false;
};

int run(const CalibrateArgs& a) {
  const std::string path = a.profile.empty() ? default_profile_path() : a.profile;
  if (a.show) {
    std::string source;
    const CalibrationProfile p = load_profile_or_default(a.profile, &source);
    std::printf("# %s\n%s", source.c_str(), profile_to_json(p).c_str());
    return 0;
  }
  if (path.empty() && !a.dry_run) throw Error("no place to save the profile: set HOME or XDG_CACHE_HOME, or give --profile FILE");
  CalibrateOptions o;
  o.cpu_engine = a.engine;
  o.workers = a.threads;
  o.seconds_per_measurement = a.seconds;
  o.progress = [](const std::string& line) { std::fprintf(stderr, "calibrate: %s\n", line.c_str()); };
  const CalibrationProfile p = calibrate_machine(o);
  if (a.dry_run) {
    std::printf("%s", profile_to_json(p).c_str());
    return 0;
  }
  save_profile(p, path);
  std::fprintf(stderr, "calibrate: saved %s\n", path.c_str());
  return 0;
}

}  // namespace

void add_calibrate_command(CLI::App& app, Action& action) {
  auto args = std::make_shared<CalibrateArgs>();
  CLI::App* cmd = app.add_subcommand(
      "calibrate", "Measure this machine's CPU, pools and GPU for the dispatcher, and save the profile");
  cmd->footer(
      "The profile is JSON (see gpualign/calibration_profile.hpp) saved to $GPUALIGN_PROFILE, else\n"
      "$XDG_CACHE_HOME/gpualign/profile.json, else ~/.cache/gpualign/profile.json.  Without one, built-in\n"
      "defaults apply.  Takes a few seconds.");
  cmd->add_option("--profile", args->profile, "Save to (or with --show read) this file instead of the default");
  cmd->add_option("--engine", args->engine, "CPU engine to measure (default: cpu when built, else reference)");
  cmd->add_option("--threads,-t", args->threads, "Workers for the pool measurements (0 = usable CPUs)")
      ->capture_default_str();
  cmd->add_option("--seconds", args->seconds, "Seconds per measurement")->check(CLI::Range(0.01, 60.0))->capture_default_str();
  cmd->add_flag("--show", args->show, "Print the profile in use (or the defaults) and exit");
  cmd->add_flag("--dry-run", args->dry_run, "Measure and print, but do not save");
  cmd->callback([&action, args] { action = [args] { return run(*args); }; });
}

}  // namespace gpualign::cli
