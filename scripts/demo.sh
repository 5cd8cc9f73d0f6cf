#!/usr/bin/env bash
# Sets up, builds and runs `gpualign` on its built-in data (the quick benchmark suite).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup-debian.sh
jobs=$(nproc 2>/dev/null || echo 2)
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release
cmake --build build -j"$jobs" --target gpualign_cli
./build/apps/gpualign/gpualign "$@"
