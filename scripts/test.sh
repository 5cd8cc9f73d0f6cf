#!/usr/bin/env bash
# Sets up, builds and runs every test.  Usage: scripts/test.sh [BUILD_DIR] [extra cmake args...]
# GPUALIGN_CUDA defaults to AUTO: the CUDA engine is built when nvcc exists.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
shift || true
scripts/setup-debian.sh
jobs=$(nproc 2>/dev/null || echo 2)
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release "$@"
cmake --build "$build" -j"$jobs"
ctest --test-dir "$build" --output-on-failure -j"$jobs" --timeout 600
