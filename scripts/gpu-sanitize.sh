#!/usr/bin/env bash
# gpu-sanitize.sh -- the GPU tests' small cases under NVIDIA's compute-sanitizer
# on a machine with a GPU: out-of-bounds and misaligned device accesses
# (memcheck), shared-memory races such as the warp traceback's walk cache and
# its asynchronous copies (racecheck), and misused __syncwarp / barriers
# (synccheck).  The CPU emulator runs the same kernel code but cannot see
# any of these.  A few minutes; prints a short table last.
#
#   scripts/gpu-sanitize.sh                    uses build-gpu (scripts/gpu-check.sh builds it)
#   GPUALIGN_PREBUILT=DIR scripts/gpu-sanitize.sh
#                                              binaries carried from scripts/gpu-prepare.sh
# Each tool has its own time limit (GPUALIGN_SANITIZE_LIMIT seconds, default
# 100), so one slow tool cannot cost the others their results.
set -uo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${GPUALIGN_PREBUILT:-${GPUALIGN_GPU_BUILD:-$root/build-gpu}}
limit=${GPUALIGN_SANITIZE_LIMIT:-100}
if [[ -n "${GPUALIGN_PREBUILT:-}" ]]; then
  build=$(cd "$build" && pwd)
  export LD_LIBRARY_PATH="$build:$build/deps${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
fi
tests=$build/tests/cuda/cuda_engine_gpu
sanitizer=$(command -v compute-sanitizer || true)
for d in /usr/local/cuda/bin /usr/local/cuda-*/bin /opt/nvidia/*/bin; do
  [[ -z "$sanitizer" && -x "$d/compute-sanitizer" ]] && sanitizer=$d/compute-sanitizer
done
if [[ ! -x "$tests" ]]; then echo "gpu-sanitize: no $tests (build it first: scripts/gpu-check.sh)" >&2; exit 2; fi
if [[ -z "$sanitizer" ]]; then echo "gpu-sanitize: compute-sanitizer not found" >&2; exit 2; fi

# Small cases only: the sanitizer slows kernels many times over (at 40 s a
# tool, the first GPU run's memcheck did not get through the all-modes
# test).  Together they run the forward and reverse passes on whole-warp
# intra workers (16- and 32-bit: the saturating reruns), the warp
# traceback, and the tiny pairs the CPU takes; not the narrow workers, the
# inter kernel or the thread traceback (no case of theirs is small enough).
# racecheck, slower still, gets the fewest windows.
small='CudaEngineGpu.EmptyAndTinyPairs:CudaEngineGpu.SaturatingScoresRerunAt32Bit:CudaEngineGpu.TracebackEveryWindowAWarp'
shared='CudaEngineGpu.EmptyAndTinyPairs:CudaEngineGpu.TracebackAFewWindowsAWarp'
status=0
rows=()
for stage in "memcheck:$small" "synccheck:$small" "racecheck:$shared"; do
  tool=${stage%%:*}
  filter=${stage#*:}
  log="$build/gpu-sanitize.$tool.log"
  t0=$(date +%s)
  printf '== %s\n' "$tool" >&2
  timeout "$limit" "$sanitizer" --tool "$tool" --print-limit 20 --error-exitcode 9 \
    "$tests" --gtest_filter="$filter" >"$log" 2>&1
  rc=$?
  errors=$(grep -Eo 'ERROR SUMMARY: [0-9]+' "$log" | tail -n 1 | grep -Eo '[0-9]+$')
  hazards=$(grep -Eo 'RACECHECK SUMMARY: [0-9]+ hazard' "$log" | tail -n 1 | grep -Eo '[0-9]+' | head -n 1)
  gtest=$(grep -E '^\[  (PASSED|FAILED)  \] [0-9]+ test' "$log" | tr '\n' ' ')
  skipped=$(grep -Eo '^\[  SKIPPED \] [0-9]+ test' "$log" | grep -Eo '[0-9]+' | head -n 1)
  case $rc in
    0) verdict=clean ;;
    9) verdict="errors"; status=1 ;;
    124) verdict="timed out after ${limit} s"; status=1 ;;
    *) verdict="exit $rc"; status=1 ;;
  esac
  # Skipped tests ran no kernel: nothing was checked.
  if [[ ${skipped:-0} -gt 0 ]]; then verdict="$verdict, but $skipped test(s) skipped (no usable GPU)"; status=1; fi
  rows+=("$(printf '%-10s %8s %8s %6s s  %s %s' "$tool" "${errors:--}" "${hazards:--}" $(( $(date +%s) - t0 )) "$verdict" "$gtest")")
  grep -E '^(=========  (Invalid|Race|Barrier|Uninitialized|Misaligned|Error)|=========     at )' "$log" | head -n 12 >&2
done

echo
echo "gpu-sanitize: $(nvidia-smi --query-gpu=name --format=csv,noheader 2>/dev/null | head -n 1), $(basename "$sanitizer")"
printf '%-10s %8s %8s %8s  %s\n' tool errors hazards time "verdict (tests)"
printf '%s\n' "${rows[@]}"
exit $status
