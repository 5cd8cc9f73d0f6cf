#!/usr/bin/env bash
# sass-report.sh -- what the sm_90 machine code of the CUDA kernels looks like,
# without a GPU: registers, spills, shared memory and occupancy per kernel, DPX
# counts, and the instruction mix of the 16-bit local inter/intra column loops
# with the throughput ceilings those counts imply (kernels/PERFORMANCE.md reads
# these numbers).  About 10 s: one nvcc run on kernels/align_kernels.cu.
#
#   scripts/sass-report.sh                 report on stdout
#   scripts/sass-report.sh --out DIR       also keep k.cubin, k.sass and ptxas.log in DIR
#   scripts/sass-report.sh --install-tools fetch nvdisasm from PyPI first (see below)
#
# Needs nvcc and nvdisasm (or cuobjdump).  Some toolkits ship nvcc without the
# binary utilities; --install-tools puts NVIDIA's nvidia-cuda-nvdisasm wheel in
# $GPUALIGN_SASS_TOOLS (default ~/.cache/gpualign/sass-tools), where this
# script looks for it.  NVCC, NVDISASM and CUOBJDUMP override the search.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
tools=${GPUALIGN_SASS_TOOLS:-${XDG_CACHE_HOME:-$HOME/.cache}/gpualign/sass-tools}
out=""
install=0
while [[ $# -gt 0 ]]; do
  case "$1" in
    --out) out=${2:?--out needs a directory}; shift 2 ;;
    --install-tools) install=1; shift ;;
    -h|--help) sed -n '2,16p' "${BASH_SOURCE[0]}"; exit 0 ;;
    *) echo "sass-report: unknown argument $1" >&2; exit 2 ;;
  esac
done

if [[ $install -eq 1 ]]; then
  python3 -m pip install --quiet --disable-pip-version-check --target "$tools" "nvidia-cuda-nvdisasm>=13,<14"
fi

# First hit of: the override variable, PATH, next to nvcc, /usr/local/cuda,
# the wheel directory above.
find_tool() {
  local name=$1 override=$2 c
  if [[ -n "$override" ]]; then echo "$override"; return 0; fi
  c=$(command -v "$name" 2>/dev/null) && { echo "$c"; return 0; }
  for c in "${nvcc_dir:-}/$name" "/usr/local/cuda/bin/$name" "$tools"/nvidia/*/bin/"$name"; do
    [[ -x "$c" ]] && { echo "$c"; return 0; }
  done
  return 1
}

nvcc=$(find_tool nvcc "${NVCC:-}") || { echo "sass-report: nvcc not found (set NVCC)" >&2; exit 1; }
nvcc_dir=$(dirname "$nvcc")
if dis=$(find_tool nvdisasm "${NVDISASM:-}"); then
  # -g: source lines as comments, which the report attributes blocks to;
  # -hex: the encodings, whose control bits hold the compiler's stall counts.
  disasm=("$dis" -g -hex -c)
elif dis=$(find_tool cuobjdump "${CUOBJDUMP:-}"); then
  disasm=("$dis" -sass)
else
  echo "sass-report: neither nvdisasm nor cuobjdump found; run with --install-tools" >&2
  exit 1
fi

if [[ -n "$out" ]]; then
  mkdir -p "$out"
  work=$(cd "$out" && pwd)
else
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
fi

cd "$root"
# -lineinfo only adds the line table (the SASS is the same without it); -Xptxas -v
# prints the resource usage the table reads.
if ! "$nvcc" -std=c++17 -O3 --expt-relaxed-constexpr -arch=sm_90 -cubin -lineinfo -Xptxas -v \
    -I include -I src -I kernels kernels/align_kernels.cu -o "$work/k.cubin" 2>"$work/ptxas.log"; then
  cat "$work/ptxas.log" >&2
  exit 1
fi
"${disasm[@]}" "$work/k.cubin" >"$work/k.sass"

echo "sass-report: $("$nvcc" --version | grep -o 'release [0-9.]*'), $(basename "${disasm[0]}"), kernels/align_kernels.cu for sm_90"
python3 "$root/scripts/sass-report.py" "$work/ptxas.log" "$work/k.sass" "$root/kernels"
