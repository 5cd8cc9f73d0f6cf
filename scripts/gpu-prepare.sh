#!/usr/bin/env bash
# gpu-prepare.sh -- build here, for sm_90, everything scripts/gpu-check.sh runs,
# and gather it in one small folder to carry to a lent GPU machine, so that the
# device time goes to tests and timings instead of compiling.  The GPU machine
# (DESIGN.md) lacks htslib and parasail, and its Google Benchmark has another
# soname than Debian's; the libraries the binaries need beyond what it has go
# into DIR/deps.
#
#   scripts/gpu-prepare.sh [DIR]        default DIR: build-gpu-carry (git-ignored)
#
# Then, on the device (the `run` tool, carrying DIR):
#   GPUALIGN_PREBUILT=build-gpu-carry scripts/gpu-check.sh
# DIR holds only binaries and libraries (the carry limit is 64 MiB); the build
# itself stays in build-gpu-prepare.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
out=${1:-$root/build-gpu-carry}
build=$root/build-gpu-prepare
jobs=$(nproc 2>/dev/null || echo 2)
targets=(cuda_engine_gpu cuda_engine_host cuda_kernel_math_cpu cuda_engine_bench cuda_ops_bench cpu_engine_bench
         cuda_host_bench)

cmake -S "$root" -B "$build" -DGPUALIGN_CUDA=ON -DCMAKE_CUDA_ARCHITECTURES=90 -DCMAKE_BUILD_TYPE=Release \
  -DGPUALIGN_BUILD_APPS=OFF >/dev/null
cmake --build "$build" -j"$jobs" --target "${targets[@]}"

rm -rf "$out"
mkdir -p "$out/tests/cuda" "$out/bench" "$out/deps"
for t in cuda_engine_gpu cuda_engine_host cuda_kernel_math_cpu; do cp "$build/tests/cuda/$t" "$out/tests/cuda/"; done
for b in cuda_engine_bench cuda_ops_bench cpu_engine_bench cuda_host_bench; do cp "$build/bench/$b" "$out/bench/"; done
cp -P "$build"/libgpualign.so* "$out/"

# Every shared library the binaries load except those the GPU machine has
# (C and C++ runtimes, OpenMP, compression libraries, the CUDA driver).
# libcudart is carried too: the binaries need the runtime they were built
# against, wherever the machine's toolkit keeps its own.
system='^(linux-vdso|ld-linux|libc|libm|libdl|libpthread|librt|libstdc\+\+|libgcc_s|libgomp|libz|liblzma|libbz2|libcuda)\.so'
for f in "$out"/tests/cuda/* "$out"/bench/* "$out"/libgpualign.so.*; do
  [[ -L "$f" ]] && continue
  LD_LIBRARY_PATH="$out${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" ldd "$f" | awk '$2 == "=>" && $3 ~ /^\// { print $1, $3 }'
done | sort -u | while read -r name path; do
  [[ "$name" =~ $system || "$name" == libgpualign.so* ]] && continue
  cp -L "$path" "$out/deps/$name"
done

echo "gpu-prepare: $out ($(du -sh "$out" | cut -f1); carry limit 64 MiB), deps: $(ls "$out/deps" | tr '\n' ' ')"
echo "on the device: GPUALIGN_PREBUILT=${out#"$root"/} scripts/gpu-check.sh"
