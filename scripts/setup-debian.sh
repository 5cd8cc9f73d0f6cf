#!/usr/bin/env bash
# Installs the Debian 12 packages gpualign needs to build and test.  As root it
# runs apt-get itself; otherwise it prints the exact command and fails.
#   scripts/setup-debian.sh          build + test dependencies
set -euo pipefail

packages=(
  cmake g++ make pkg-config            # toolchain (OpenMP comes with g++)
  libhts-dev zlib1g-dev                # FASTA/FASTQ/BAM through htslib
  libcli11-dev nlohmann-json3-dev      # command line, JSON reports
  libgtest-dev libbenchmark-dev        # tests and microbenchmarks
  libparasail-dev libssw-dev           # test oracle and benchmark peers
  samtools                             # checks SAM/BAM output in tests
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
if [ "$(id -u)" -eq 0 ]; then
  echo "setup: installing ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  echo "setup: missing packages; run as root:" >&2
  echo "  apt-get install -y ${missing[*]}" >&2
  exit 1
fi
