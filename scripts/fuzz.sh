#!/usr/bin/env bash
# Builds the libFuzzer targets (fuzz/) in a separate clang build with
# AddressSanitizer and runs each for a bounded time.
#
#   scripts/fuzz.sh [SECONDS_PER_TARGET]    (default 30)
#
# Environment: GPUALIGN_FUZZ_BUILD (build directory, default build-fuzz),
# JOBS (parallel build jobs, default 2).  Exits non-zero when a fuzzer finds
# a crash; the reproducer (crash-*, leak-*, timeout-*) is left in the build
# directory's fuzz/ folder.
set -euo pipefail

seconds=${1:-30}
root=$(cd "$(dirname "$0")/.." && pwd)
build=${GPUALIGN_FUZZ_BUILD:-$root/build-fuzz}
jobs=${JOBS:-2}

command -v clang++ > /dev/null || { echo "fuzz.sh: clang++ is needed (libFuzzer)" >&2; exit 2; }

mkdir -p "$build"
CC=clang CXX=clang++ cmake -S "$root" -B "$build" \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo -DGPUALIGN_CUDA=OFF -DGPUALIGN_BUILD_FUZZERS=ON \
  -DGPUALIGN_BUILD_TESTS=OFF -DGPUALIGN_BUILD_BENCH=OFF -DGPUALIGN_BUILD_APPS=OFF > "$build/configure.log" 2>&1 ||
  { cat "$build/configure.log" >&2; exit 2; }
cmake --build "$build" -j "$jobs" --target fuzz_sequence_reader fuzz_feature_parser

status=0
for name in sequence_reader feature_parser; do
  corpus=$build/fuzz/corpus_$name
  mkdir -p "$corpus"
  echo "== fuzz_$name for ${seconds}s"
  # Run inside the build's fuzz/ folder so that crash reproducers land there.
  if (cd "$build/fuzz" && ./fuzz_$name -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
        -print_final_stats=1 "$corpus" "$root/fuzz/corpus/$name" 2> "fuzz_$name.log"); then
    grep -E "^(stat::number_of_executed_units|stat::peak_rss_mb|#[0-9]+ +DONE)" "$build/fuzz/fuzz_$name.log" || true
    echo "fuzz_$name: no crash ($(ls "$corpus" | wc -l) inputs in the corpus)"
  else
    tail -40 "$build/fuzz/fuzz_$name.log"
    echo "fuzz_$name: FAILED (see $build/fuzz/fuzz_$name.log)"
    status=1
  fi
done
exit $status
