#!/usr/bin/env bash
# Extra cost of the inter-band term (transport_type njc23) per irreducible grid point, next to
# Gamma and to the plain-RTA velocity work of the same grid point (bench_interband.cpp says
# what each part contains). One core (OMP_NUM_THREADS=1), CPU time per grid point, minimum
# over 5 repeats inside the program, median over REPEAT program runs here.
# Cases: AlN-LDA 13x13x9 (tests/data) and si-conv8 4x4x4 (24 bands, ../shared/data).
# Usage: bench/bench_interband.sh [build-dir]   env: REPEAT (3), SHARED_DATA (/work/shared/data)
# Needs a build configured with -DPH3MPI_BUILD_BENCH=ON.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${1:-$here/build}"
repeat="${REPEAT:-3}"
shared="${SHARED_DATA:-/work/shared/data}"
export OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1
median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2-)"
printf '%-18s %12s %12s %12s %12s %14s\n' case gamma_ms_gp plain_ms_gp inter_ms_gp inter/gamma extra_vs_rta
for spec in "aln-lda 13,13,9 $here/tests/data" "si-conv8 4,4,4 $shared"; do
  set -- $spec
  out="$(mktemp)"
  for _ in $(seq "$repeat"); do "$build/bench/bench_interband" "$1" "$2" njc23 5 "$3" >> "$out"; done
  g=$(awk '$1=="gamma"{print $3}' "$out" | median)
  p=$(awk '$1=="plain"{print $3}' "$out" | median)
  i=$(awk '$1=="inter"{print $3}' "$out" | median)
  awk -v c="$1 $2" -v g="$g" -v p="$p" -v i="$i" \
    'BEGIN {printf "%-18s %12.4f %12.4f %12.4f %12.2e %14.2e\n", c, g, p, i, i / g, (i - p) / (g + p)}'
  rm -f "$out"
done
