#!/usr/bin/env bash
# gpu-profile.sh -- hardware counters of the CUDA engine's kernels on a GPU
# machine (Nsight Compute), for what timings alone cannot say
# (kernels/PERFORMANCE.md, "First measurements", point 3): achieved
# occupancy, issue-slot use, instructions per cell, shared-memory bank
# conflicts, divergence (the end-tracking branch) and the top stall reasons,
# per kernel of a few benchmark rows.  About two minutes; a table last.
#
#   scripts/gpu-profile.sh                  uses build-gpu (scripts/gpu-check.sh builds it)
#   GPUALIGN_PREBUILT=DIR scripts/gpu-profile.sh
#                                           binaries carried from scripts/gpu-prepare.sh
#   GPUALIGN_PROFILE_ROWS='^cuda/W3/score/it' pick other bench rows (a regex each, space-separated)
# ncu runs with --clock-control none (the device's clocks stay as they are:
# METHOD.md).  Metrics the installed ncu does not know are left out, and
# named, instead of failing the run.
set -uo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${GPUALIGN_PREBUILT:-${GPUALIGN_GPU_BUILD:-$root/build-gpu}}
if [[ -n "${GPUALIGN_PREBUILT:-}" ]]; then
  build=$(cd "$build" && pwd)
  export LD_LIBRARY_PATH="$build:$build/deps${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
fi
bench=$build/bench/cuda_engine_bench
ncu=$(command -v ncu || true)
for c in /usr/local/cuda/bin/ncu /opt/nvidia/nsight-compute/*/ncu; do
  [[ -z "$ncu" && -x "$c" ]] && ncu=$c
done
if [[ ! -x "$bench" ]]; then echo "gpu-profile: no $bench (build it first: scripts/gpu-check.sh)" >&2; exit 2; fi
if [[ -z "$ncu" ]]; then echo "gpu-profile: ncu (Nsight Compute) not found" >&2; exit 2; fi

# W3 transposed (the default: long targets on the rows, ~5x the warps of
# W3 as given) and as given (one warp a scheduler on the first GPU run);
# W2 with warps where they shorten the longest slot (the default) and
# shared by cells (warps active and issue slots busy should rise from the
# first run's 20% and 60%: kernels/PERFORMANCE.md, "Workers by the longest
# slot").  W1 on whole warps was profiled on the first run.
# A row's full name ends in "/iterations:3/manual_time": match up to it.
read -r -a rows <<<"${GPUALIGN_PROFILE_ROWS:-^cuda/W3/score/it ^cuda/W3/score/as-given/it ^cuda/W2/score/it ^cuda/W2/score/by-cells/it}"
wanted=(
  gpu__time_duration.sum
  sm__warps_active.avg.pct_of_peak_sustained_active
  smsp__issue_active.avg.pct_of_peak_sustained_active
  smsp__inst_executed.sum
  smsp__thread_inst_executed_per_inst_executed.ratio
  l1tex__data_bank_conflicts_pipe_lsu_mem_shared_op_ld.sum
  smsp__average_warps_issue_stalled_long_scoreboard_per_issue_active.ratio
  smsp__average_warps_issue_stalled_short_scoreboard_per_issue_active.ratio
  smsp__average_warps_issue_stalled_wait_per_issue_active.ratio
  smsp__average_warps_issue_stalled_math_pipe_throttle_per_issue_active.ratio
  smsp__average_warps_issue_stalled_not_selected_per_issue_active.ratio
  smsp__average_warps_issue_stalled_sleeping_per_issue_active.ratio
  smsp__average_warps_issue_stalled_membar_per_issue_active.ratio
)
# Keep the metrics whose base name this ncu lists for the device.
known=$(timeout 60 "$ncu" --query-metrics 2>/dev/null | awk 'NF { print $1 }')
metrics=()
for m in "${wanted[@]}"; do
  if [[ -z "$known" ]] || grep -qx "${m%%.*}" <<<"$known"; then metrics+=("$m"); else echo "gpu-profile: ncu lacks ${m%%.*}" >&2; fi
done
list=$(IFS=,; echo "${metrics[*]}")

status=0
csv="$build/gpu-profile.csv"
: >"$csv"
for row in "${rows[@]}"; do
  log="$build/gpu-profile.$(echo "$row" | tr -c 'A-Za-z0-9' '_').log"
  printf '== %s\n' "$row" >&2
  # The first four launches of the engine's kernels: its warm-up call.
  timeout 150 "$ncu" --clock-control none --csv --page details --metrics "$list" \
    --kernel-name regex:'(inter|intra|trace_warp|trace)_kernel' --launch-count 4 \
    "$bench" --benchmark_filter="$row" >"$log" 2>&1 || { status=1; tail -n 5 "$log" >&2; }
  # ncu's CSV lines start with a quote; the program's own output does not.
  grep '^"' "$log" | awk -v row="$row" 'BEGIN { OFS = "\t" } { print row, $0 }' >>"$csv"
done

echo
echo "gpu-profile: $(nvidia-smi --query-gpu=name --format=csv,noheader 2>/dev/null | head -n 1), $("$ncu" --version 2>/dev/null | tail -n 1)"
# One line per (row, kernel): the first launch profiled.  Columns are found
# by their header names ("Kernel Name", "Metric Name", "Metric Value").
awk -F'\t' '
  function field(s, k,   n, a) { n = split(s, a, /","/); gsub(/^"|"$/, "", a[k]); return a[k] }
  function cols(s,   n, a, i) { n = split(s, a, /","/); for (i = 1; i <= n; ++i) { gsub(/^"|"$/, "", a[i]); col[a[i]] = i } }
  $2 ~ /^"ID"/ { cols($2); next }
  !("Metric Name" in col) { next }
  {
    # "void gpualign::kern::(anonymous namespace)::intra_kernel<gpualign::kern::OpsS16x2, (int)0, ...>(...)"
    # -> "intra_kernel<OpsS16x2,0,32,1,8>" (Ops, mode, lanes, register scores, rows).
    id = field($2, col["ID"]); kn = field($2, col["Kernel Name"])
    if (match(kn, /[a-z_]*_kernel(<[^>]*>)?/)) kn = substr(kn, RSTART, RLENGTH)
    gsub(/gpualign::kern::|\((int|bool)\)| /, "", kn)
    key = $1 "\t" kn
    if (!(key in first)) { first[key] = id; order[++nk] = key }
    if (first[key] != id) next
    mn = field($2, col["Metric Name"]); val = field($2, col["Metric Value"]); gsub(/,/, "", val)  # 1,234,567
    v[key, mn] = val
    if (mn == "gpu__time_duration.sum") unit[key] = field($2, col["Metric Unit"])
  }
  function stall(key,   m, best, bn, name, x) {
    best = -1; bn = "-"
    for (m in v) {
      split(m, x, SUBSEP)
      if (x[1] != key || x[2] !~ /issue_stalled_/) continue
      name = x[2]; sub(/.*issue_stalled_/, "", name); sub(/_per_issue_active.*/, "", name)
      if (v[m] + 0 > best) { best = v[m] + 0; bn = name }
    }
    return bn " " best
  }
  END {
    if (nk == 0) { print "no kernels profiled (see the logs next to the CSV)"; exit }
    printf "%-22s %-32s %14s %6s %6s %10s %7s %10s  %s\n", "row", "kernel", "time", "occ%", "issue%", "Minst", "thr/ins", "bankconfl", "top stall (warps per issue)"
    for (i = 1; i <= nk; ++i) {
      key = order[i]; split(key, p, "\t"); r = p[1]; gsub(/[\^$]|\/it$/, "", r)
      printf "%-22s %-32s %14s %6.1f %6.1f %10.1f %7.1f %10s  %s\n", r, substr(p[2], 1, 32),
             v[key, "gpu__time_duration.sum"] " " unit[key], v[key, "sm__warps_active.avg.pct_of_peak_sustained_active"],
             v[key, "smsp__issue_active.avg.pct_of_peak_sustained_active"], v[key, "smsp__inst_executed.sum"] / 1e6,
             v[key, "smsp__thread_inst_executed_per_inst_executed.ratio"],
             v[key, "l1tex__data_bank_conflicts_pipe_lsu_mem_shared_op_ld.sum"], stall(key)
    }
  }' "$csv"
exit $status
