#!/usr/bin/env bash
# gpu-session.sh -- everything a short lent-GPU session runs, in one command
# whose stages each have a time limit, so that one device call of about 6
# minutes brings back the tests, the benchmark, the sanitizer and the
# counters: scripts/gpu-check.sh, then scripts/gpu-sanitize.sh, then
# scripts/gpu-profile.sh, on binaries carried from scripts/gpu-prepare.sh.
# Their logs and CSVs are gathered into one archive in OUT (on the lent
# machine, the folder whose files come back), their tables printed last.
#
#   scripts/gpu-prepare.sh                      here: build-gpu-carry (~90 s)
#   scripts/gpu-session.sh                      there, carrying build-gpu-carry
#
# Environment:
#   GPUALIGN_PREBUILT      carried binaries (default build-gpu-carry)
#   OUT                    where the archive and the tables go (default: DIR/session)
#   GPUALIGN_BENCH_PARTS   benchmark stages (default: every score row, then the
#                          CIGAR rows but W2's thread-per-window one, ~90 s alone)
#   GPUALIGN_SESSION_LIMITS  seconds for check, sanitize, profile (default "220 90 100")
# The first GPU session (kernels/PERFORMANCE.md, "First GPU run") ran these
# stages by hand in three calls; with these limits they fit in one of ~7 min.
set -uo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
export GPUALIGN_PREBUILT=${GPUALIGN_PREBUILT:-build-gpu-carry}
if [[ ! -d "$GPUALIGN_PREBUILT" ]]; then
  echo "gpu-session: no $GPUALIGN_PREBUILT (run scripts/gpu-prepare.sh here first and carry it)" >&2
  exit 2
fi
out=${OUT:-$GPUALIGN_PREBUILT/session}
mkdir -p "$out"
export GPUALIGN_BENCH_PARTS=${GPUALIGN_BENCH_PARTS:-/score /W1/cigar /P1/cigar /W2/cigar/it /W3/cigar/}
read -r check_s sanitize_s profile_s <<<"${GPUALIGN_SESSION_LIMITS:-220 90 100}"

status=0
stage() {  # stage NAME SECONDS COMMAND...: its output to OUT/NAME.txt
  local name=$1 limit=$2
  shift 2
  printf '== %s (at most %s s)\n' "$name" "$limit" >&2
  timeout "$limit" "$@" >"$out/$name.txt" 2>&1
  local rc=$?
  [[ $rc -eq 124 ]] && echo "gpu-session: $name stopped at its $limit s limit" >>"$out/$name.txt"
  [[ $rc -ne 0 ]] && status=1
  return 0
}
stage check "$check_s" scripts/gpu-check.sh
stage sanitize "$sanitize_s" env GPUALIGN_SANITIZE_LIMIT=$((sanitize_s / 3 - 2)) scripts/gpu-sanitize.sh
stage profile "$profile_s" scripts/gpu-profile.sh

# Every log and CSV the stages left next to the binaries, in one file.
(cd "$GPUALIGN_PREBUILT" && tar czf "$out/session-files.tgz" gpu-check.* gpu-sanitize.* gpu-profile.* 2>/dev/null)

for name in check sanitize profile; do
  echo
  # The tables each script prints last (gpu-check's from its summary line on).
  if [[ $name == check ]]; then sed -n '/^gpu-check:/,$p' "$out/$name.txt"; else tail -n 12 "$out/$name.txt"; fi
done
echo
echo "gpu-session: logs and CSVs in $out/session-files.tgz"
exit $status
