#!/usr/bin/env bash
# gpu-check.sh -- build, test and benchmark the CUDA engine on a GPU machine
# in one run of a few minutes, printing a short table last.
#
#   scripts/gpu-check.sh                 configure + build here for sm_90, then test and bench
#   GPUALIGN_PREBUILT=DIR scripts/gpu-check.sh
#                                        use binaries built elsewhere and carried here:
#                                        DIR as scripts/gpu-prepare.sh makes it
# Environment:
#   GPUALIGN_DEPS=DIR      Debian packages unpacked with `dpkg -x` (libhts3, libhts-dev,
#                          libhtscodecs2, libdeflate0, libparasail*): the GPU machine
#                          lacks htslib and parasail; they are found there.
#   GPUALIGN_GPU_BUILD=DIR build directory (default: build-gpu in the checkout)
#   GPUALIGN_BENCH_SCALE   multiplies the workloads' pair counts (default 1)
#   GPUALIGN_BENCH_PARTS   the benchmark's stages, a row regex each, space-separated
#                          (default "/score /cigar": every score row, then every CIGAR row)
# Each stage has its own time limit so the whole run stays under 6 minutes.
set -uo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${GPUALIGN_PREBUILT:-${GPUALIGN_GPU_BUILD:-$root/build-gpu}}
jobs=$(nproc 2>/dev/null || echo 4)
status=0
tests_line="not run"
start=$(date +%s)

say() { printf '== %s\n' "$*" >&2; }

if [[ -n "${GPUALIGN_DEPS:-}" ]]; then
  deps=$(cd "$GPUALIGN_DEPS" && pwd)
  libdir="$deps/usr/lib/x86_64-linux-gnu"
  export LD_LIBRARY_PATH="$libdir${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
  export PKG_CONFIG_PATH="$libdir/pkgconfig:$deps/usr/share/pkgconfig${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}"
  export CMAKE_PREFIX_PATH="$deps/usr${CMAKE_PREFIX_PATH:+:$CMAKE_PREFIX_PATH}"
  export CPATH="$deps/usr/include${CPATH:+:$CPATH}"
  export LIBRARY_PATH="$libdir${LIBRARY_PATH:+:$LIBRARY_PATH}"
  # pkg-config files of unpacked packages name /usr as their prefix.
  export PKG_CONFIG_SYSROOT_DIR="$deps"
fi
# Carried builds (scripts/gpu-prepare.sh) bring libgpualign and the shared
# objects the GPU machine lacks (htslib, parasail, Debian's benchmark) next
# to them; their run paths name the machine they were built on.
if [[ -n "${GPUALIGN_PREBUILT:-}" ]]; then
  build=$(cd "$build" && pwd)
  export LD_LIBRARY_PATH="$build:$build/deps${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
fi

say "device"
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader 2>&1 | head -n 4 >&2 || true

if [[ -z "${GPUALIGN_PREBUILT:-}" ]]; then
  say "configure ($build, sm_90)"
  if ! timeout 90 cmake -S "$root" -B "$build" -DGPUALIGN_CUDA=ON -DCMAKE_CUDA_ARCHITECTURES=90 \
      -DCMAKE_BUILD_TYPE=Release -DGPUALIGN_BUILD_APPS=OFF >"$build.configure.log" 2>&1; then
    tail -n 30 "$build.configure.log" >&2
    say "configure failed"
    exit 1
  fi
  say "build"
  if ! timeout 240 cmake --build "$build" -j"$jobs" --target cuda_engine_gpu cuda_engine_host \
      cuda_kernel_math_cpu cuda_engine_bench cuda_ops_bench cpu_engine_bench cuda_host_bench >"$build.build.log" 2>&1; then
    grep -E "error|Error" "$build.build.log" | head -n 30 >&2
    say "build failed"
    exit 1
  fi
fi

say "tests (gpu label, then the CUDA module's cpu tests)"
test_log="$build/gpu-check.tests.log"
: >"$test_log"
if [[ -z "${GPUALIGN_PREBUILT:-}" ]]; then
  timeout 150 ctest --test-dir "$build" -L gpu --output-on-failure --timeout 120 >"$test_log" 2>&1
  rc=$?
  timeout 60 ctest --test-dir "$build" -L cpu -R '^(CudaEngineHost|CudaEnginePlan|PackedS16x2|AcgtScores|AcgtKernelsCpu|GroupKernelCpu|Width/(Inter|Intra|Group)KernelCpu|KernelBeginsCpu|Overflow16Cpu|TraceKernelCpu|LaneEndsCpu)' \
    --timeout 60 >>"$test_log" 2>&1 || rc=1
  tests_line=$(grep -E "tests passed|tests failed" "$test_log" | tr '\n' ' ')
else
  rc=0
  # The kernels' CPU math tests (cuda_kernel_math_cpu) are CI's: no device
  # time for them here.
  killed=""
  for t in cuda_engine_gpu cuda_engine_host; do
    timeout 150 "$build/tests/cuda/$t" >>"$test_log" 2>&1
    case $? in
      0) ;;
      124) rc=1; killed="$killed $t (timed out after 150 s)" ;;
      *) rc=1 ;;
    esac
  done
  tests_line="$(grep -c '^\[       OK \]' "$test_log") ok, $(grep -c '^\[  FAILED  \]' "$test_log") failed lines, $(grep -c '^\[  SKIPPED \]' "$test_log") skipped${killed:+; killed:$killed}"
fi
[[ $rc -ne 0 ]] && status=1
grep -E "FAILED|SKIPPED|Failure" "$test_log" | head -n 20 >&2
tail -n 5 "$test_log" >&2

say "benchmark"
# Cheapest and most telling first, each with its own limit, so a slow stage
# (CIGAR rows: windows over the GPU's cell cap are traced on the CPU) cannot
# cost the others their results.  1. rates of single operations (DPX, FFMA
# calibration: kernels/PERFORMANCE.md); 2. score-only rows; 3. CIGAR rows.
ops_csv="$build/gpu-check.ops.csv"
timeout 60 "$build/bench/cuda_ops_bench" --benchmark_out="$ops_csv" --benchmark_out_format=csv \
  >"$build/gpu-check.ops.log" 2>&1 || status=1
# The CPU engine on this machine's cores (W2, W3), for "GPU >= 50x the CPU
# engine of the same machine" (DESIGN.md).  cpu_engine_bench deals a
# workload's pairs to its threads; at its own scale (W2 20 pairs, W3 2)
# 16 threads had ~10 and 2 pairs to work on, so up to the second GPU run
# the ratio was taken against a CPU mostly idle.  Scale 10: W2 200 pairs,
# W3 all 20 of the GPU's (times GPUALIGN_BENCH_SCALE, as the GPU rows).
cpu_csv="$build/gpu-check.cpu.csv"
cpu_scale=$(awk -v s="${GPUALIGN_BENCH_SCALE:-1}" 'BEGIN { print 10 * s }')
GPUALIGN_BENCH_SCALE=$cpu_scale timeout 60 "$build/bench/cpu_engine_bench" --benchmark_filter='^cpu/W[23]/local/score/threads:' \
  --benchmark_out="$cpu_csv" --benchmark_out_format=csv >"$build/gpu-check.cpu.log" 2>&1 || status=1
# The engine's host work per call on this machine's CPU (fake runtime,
# device work off: kernels/PERFORMANCE.md "Host work per call").
host_csv="$build/gpu-check.host.csv"
timeout 40 "$build/bench/cuda_host_bench" --benchmark_filter=-oracle --benchmark_out="$host_csv" \
  --benchmark_out_format=csv >"$build/gpu-check.host.log" 2>&1 || status=1
# The same on true results, with begins and CIGARs: the fake's oracle device
# answers from the CPU engine (its first calls compute, the timed ones look up).
oracle_csv="$build/gpu-check.host-oracle.csv"
timeout 90 "$build/bench/cuda_host_bench" --benchmark_filter=oracle --benchmark_out="$oracle_csv" \
  --benchmark_out_format=csv >"$build/gpu-check.host-oracle.log" 2>&1 || status=1
csvs=()
read -r -a parts <<<"${GPUALIGN_BENCH_PARTS:-/score /cigar}"
for n in "${!parts[@]}"; do
  csv="$build/gpu-check.bench.$n.csv"
  csvs+=("$csv")
  timeout 150 "$build/bench/cuda_engine_bench" --benchmark_filter="${parts[$n]}" --benchmark_out="$csv" \
    --benchmark_out_format=csv >"$build/gpu-check.bench.$n.log" 2>&1 || status=1
  tail -n 8 "$build/gpu-check.bench.$n.log" >&2
done

echo
echo "gpu-check: $(nvidia-smi --query-gpu=name --format=csv,noheader 2>/dev/null | head -n 1), $(( $(date +%s) - start )) s"
echo "tests: $tests_line"
# Google Benchmark's CSV: a header row naming the counters, then one row per run.
for csv in "${csvs[@]}"; do
  if [[ ! -s "$csv" ]]; then echo "benchmark: no results in $(basename "$csv")"; continue; fi
  awk -F, '
    /^name,/ { for (i = 1; i <= NF; ++i) { gsub(/"/, "", $i); col[$i] = i }; hdr = 1;
               printf "%-24s %10s %13s %13s %11s %11s %9s %25s %7s %13s %10s %30s %8s %8s\n", "workload", "time_ms", "GCUPS_kernel", "GCUPS_copies", "GCUPS_span", "GCUPS_wall", "reruns32", "wall ms: fwd/begin/cigar", "up_MB", "trace cpu/fb", "transposed", "wait/results/submit/prepare ms", "batches", "padding"; next }
    hdr { gsub(/"/, "", $1); sub(/\/iterations.*/, "", $1);
          if ($col["error_occurred"] == "true") { printf "%-24s %s\n", $1, $col["error_message"]; next }
          phases = ("ms_forward" in col) ? sprintf("%.1f/%.1f/%.1f", $col["ms_forward"], $col["ms_begin"], $col["ms_cigar"]) : "-"
          up = ("up_MB" in col) ? sprintf("%.1f", $col["up_MB"]) : "-"
          # CIGAR windows traced on the CPU: planned there / GPU paths rejected.
          tr = ("trace_cpu" in col) ? sprintf("%d/%d", $col["trace_cpu"], $col["trace_fallbacks"]) : "-"
          # Problems the intra kernel took with the target on its rows.
          tp = ("transposed" in col) ? sprintf("%d", $col["transposed"]) : "-"
          # Of the wall: the host waiting for the device / turning results into ends and
          # CIGARs / planning, staging and launching batches / preparing the batches of a pass.
          wr = ("ms_prepare" in col) ? sprintf("%.1f/%.1f/%.1f/%.1f", $col["ms_wait"], $col["ms_results"], $col["ms_submit"], $col["ms_prepare"]) : "-"
          nb = ("batches" in col) ? sprintf("%d", $col["batches"]) : "-"
          # Lane-cells the end passes stepped through over their cells (tile
          # rounding, skew, slot pairing): GCUPS_kernel x padding = the lanes rate.
          pd = ("lane_padding" in col) ? sprintf("%.3f", $col["lane_padding"]) : "-"
          # Over the device span (first batch start to last batch end): overlapping batches count once.
          sp = ("GCUPS_span" in col) ? sprintf("%.0f", $col["GCUPS_span"]) : "-"
          printf "%-24s %10.2f %13.0f %13.0f %11s %11.0f %9d %25s %7s %13s %10s %30s %8s %8s\n", $1, $col["real_time"], $col["GCUPS_kernel"],
                 $col["GCUPS_copies"], sp, $col["GCUPS_wall"], $col["reruns32"], phases, up, tr, tp, wr, nb, pd }' "$csv"
done
# Against DESIGN.md's targets (H100, local, 16-bit): W1 >= 3 TCUPS with
# copies (best of its three layouts), W3 >= 6 TCUPS (default, and the best
# of its variants), CIGAR >= 25% of the
# same workload's score-only rate (wall: CPU-traced windows count), GPU >= 50x
# the CPU engine on all cores (W2, W3).
awk -F, '
  /^name,/ { delete col; for (i = 1; i <= NF; ++i) { gsub(/"/, "", $i); col[$i] = i }; next }
  ("GCUPS_kernel" in col) || ("GCUPS" in col) {
    gsub(/"/, "", $1); sub(/\/iterations.*/, "", $1); sub(/\/min_time.*/, "", $1); sub(/\/real_time.*/, "", $1)
    if ($col["error_occurred"] == "true") next
    if ("GCUPS_kernel" in col) { k[$1] = $col["GCUPS_kernel"]; c[$1] = $col["GCUPS_copies"]; w[$1] = $col["GCUPS_wall"]
                                 s[$1] = ("GCUPS_span" in col) ? $col["GCUPS_span"] : "" }
    else if ($1 ~ /threads:/) { split($1, p, "/"); t = p[5]; sub(/threads:/, "", t); if (t + 0 >= best_t[p[2]]) { best_t[p[2]] = t + 0; cpu[p[2]] = $col["GCUPS"]; cpu_pairs[p[2]] = $col["pairs"] } }
  }
  function show(what, v, target, unit) {
    if (v == "") { printf "%-44s %10s\n", what, "no result"; return }
    printf "%-44s %10.2f %s (target %s)\n", what, v, unit, target
  }
  END {
    print ""; print "against the targets"
    b = ""; bn = ""
    for (r in c) if (r ~ /^cuda\/W1\/score/ && (b == "" || c[r] > b)) { b = c[r]; bn = r }
    show("W1 score, with copies (" (bn == "" ? "-" : bn) ")", b == "" ? "" : b / 1000, ">= 3", "TCUPS")
    # The same over the device span: batches that overlap (copies beside
    # kernels, a kernel in the tail of another) count once.
    show("W1 score, with copies, device span", ("cuda/W1/score" in s && s["cuda/W1/score"] != "") ? s["cuda/W1/score"] / 1000 : "", ">= 3", "TCUPS")
    show("W3 score, kernel", ("cuda/W3/score" in k) ? k["cuda/W3/score"] / 1000 : "", ">= 6", "TCUPS")
    # Its variants (chunk lead, 128-row tiles): the best, to set the defaults by.
    b = ""; bn = ""
    for (r in k) if (r ~ /^cuda\/W3\/score\// && (b == "" || k[r] > b)) { b = k[r]; bn = r }
    show("W3 score, kernel, best variant (" (bn == "" ? "-" : bn) ")", b == "" ? "" : b / 1000, ">= 6", "TCUPS")
    for (n = 1; n <= 4; ++n) {
      wl = n == 1 ? "W1" : n == 2 ? "W2" : n == 3 ? "W3" : "P1"
      sc = w["cuda/" wl "/score"]; cg = w["cuda/" wl "/cigar"]
      show(wl " CIGAR / score-only, wall", (sc > 0 && cg != "") ? cg / sc : "", ">= 0.25", "")
    }
    for (n = 2; n <= 3; ++n) {
      wl = "W" n
      show(wl " GPU (copies) / CPU engine, " best_t[wl] " threads, " cpu_pairs[wl] " pairs", (cpu[wl] > 0 && ("cuda/" wl "/score" in c)) ? c["cuda/" wl "/score"] / cpu[wl] : "", ">= 50", "x")
    }
  }' "${csvs[@]}" "$cpu_csv" 2>/dev/null
# A Google Benchmark CSV as a table: each row's name and two of its columns.
# two_columns CSV TITLE COLUMN1 HEADER1 FORMAT1 COLUMN2 HEADER2 FORMAT2
two_columns() {
  if [[ ! -s "$1" ]]; then echo "$2: no results"; return; fi
  awk -F, -v title="$2" -v c1="$3" -v h1="$4" -v f1="$5" -v c2="$6" -v h2="$7" -v f2="$8" '
    /^name,/ { for (i = 1; i <= NF; ++i) { gsub(/"/, "", $i); col[$i] = i }; hdr = 1;
               printf "%-24s %17s %17s\n", title, h1, h2; next }
    hdr { gsub(/"/, "", $1); sub(/\/(iterations|min_time).*/, "", $1);
          if ($col["error_occurred"] == "true") { printf "%-24s %s\n", $1, $col["error_message"]; next }
          printf "%-24s %17" f1 " %17" f2 "\n", $1, $col[c1], $col[c2] }' "$1"
}
two_columns "$host_csv" "host work per call" real_time ms .2f GCUPS_host_bound GCUPS_host_bound .0f
two_columns "$oracle_csv" "host work, true results" real_time ms .2f ms_prepare "of it preparing" .2f
two_columns "$ops_csv" "operation" ops_per_sm_clk ops/SM/clock .1f clk_per_dep_op clocks/dep.op .2f
exit $status
