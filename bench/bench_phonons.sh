#!/usr/bin/env bash
# Benchmark: harmonic phonons (frequencies, eigenvectors, group velocities) on every
# BZ grid point of Si-PBEsol 19x19x19 and AlN-LDA 13x13x9 (the meshes of phono3py's
# speed anchors), 1 rank x OMP_NUM_THREADS threads. Prints wall time and peak RSS,
# median of REPEAT runs. Usage: bench/bench_phonons.sh [build-dir]  (REPEAT=3)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${1:-$here/build}"
repeat="${REPEAT:-3}"
export OMP_NUM_THREADS="${OMP_NUM_THREADS:-2}" OPENBLAS_NUM_THREADS=1
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

run_case() {
  local case="$1" mesh="$2"
  cat > "$work/$case.toml" <<TOML
mode = "phonons"
phono3py_yaml = "$here/tests/data/$case/phono3py.yaml"
fc2 = "$here/tests/data/$case/fc2.hdf5"
output_dir = "$work/out-$case"
mesh = [$mesh]
TOML
  local times=() rss=()
  for _ in $(seq "$repeat"); do
    /usr/bin/time -f "%e %M" -o "$work/time" "$build/ph3mpi" "$work/$case.toml" > "$work/log"
    read -r t m < "$work/time"
    times+=("$t"); rss+=("$m")
  done
  local med_t med_m
  med_t=$(printf '%s\n' "${times[@]}" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
  med_m=$(printf '%s\n' "${rss[@]}" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
  printf '%-10s mesh %-9s %s  wall %6.2f s (median of %d: %s)  peak RSS %6.1f MB\n' \
    "$case" "${mesh// /}" "$(grep -o '[0-9]* BZ grid points' "$work/log" | head -1)" "$med_t" "$repeat" \
    "${times[*]}" "$(awk -v m="$med_m" 'BEGIN {print m / 1024}')"
}

echo "ph3mpi phonons benchmark, $(date -u +%Y-%m-%d), $(nproc --all) cores, OMP_NUM_THREADS=$OMP_NUM_THREADS"
run_case si-pbesol "19, 19, 19"
run_case aln-lda "13, 13, 9"
