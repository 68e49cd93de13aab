#!/usr/bin/env bash
# Benchmark of the RTA service (issue 5): whole-process wall time of
#   mpirun -np R ph3mpi (mode = "rta", tetrahedron, T = 300 K)
# on Si-PBEsol 19x19x19 (220 ir grid points) and AlN-LDA 13x13x9 (105), the runs of
# phono3py's speed anchors (114.7 s and 52.6 s whole process at 2 threads), at
# 1 rank x 2 threads, 2 ranks x 1 thread and 1 rank x 1 thread, side by side in one
# invocation, REPEAT times each (median reported), with the peak RSS of each rank.
# Parallel efficiency 1 -> 2 ranks = t(1x1) / (2 t(2x1)).
# Usage: bench/bench_rta.sh [build-dir]   env: REPEAT (3), CASES ("si aln")
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${1:-$here/build}"
repeat="${REPEAT:-3}"
cases="${CASES:-si aln}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
export OPENBLAS_NUM_THREADS=1
mpi_flags=(--oversubscribe --bind-to none)
if [ "$(id -u)" -eq 0 ]; then mpi_flags+=(--allow-run-as-root); fi

median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

config() {  # case -> config path
  local crystal mesh
  case "$1" in
    si) crystal=si-pbesol mesh="19, 19, 19" ;;
    aln) crystal=aln-lda mesh="13, 13, 9" ;;
  esac
  cat > "$work/$1.toml" <<TOML
mode = "rta"
phono3py_yaml = "$here/tests/data/$crystal/phono3py.yaml"
fc2 = "$here/tests/data/$crystal/fc2.hdf5"
fc3 = "$here/tests/data/$crystal/fc3.hdf5"
output_dir = "$work/out-$1"
mesh = [$mesh]
temperatures = [300]
restart = false
TOML
  echo "$work/$1.toml"
}

printf '%-5s %-6s %10s %14s %s\n' case split wall_s rss_MB_per_rank kappa_xx
for c in $cases; do
  cfg="$(config "$c")"
  declare -A med
  for split in 1x2 2x1 1x1; do
    ranks="${split%x*}" threads="${split#*x}"
    times=() rss=""
    for _ in $(seq "$repeat"); do
      rm -f "$work"/rss.*
      start=$(date +%s.%N)
      OMP_NUM_THREADS=$threads mpirun "${mpi_flags[@]}" -np "$ranks" -x OMP_NUM_THREADS \
        bash -c "/usr/bin/time -f %M -o $work/rss.\$OMPI_COMM_WORLD_RANK $build/ph3mpi $cfg" > "$work/log"
      end=$(date +%s.%N)
      times+=("$(echo "$end - $start" | bc -l)")
      rss="$(for f in "$work"/rss.*; do awk '{printf "%.0f ", $1/1024}' "$f"; done)"
    done
    t="$(printf '%s\n' "${times[@]}" | median)"
    med[$split]="$t"
    kxx="$(grep -A2 'Thermal conductivity' "$work/log" | tail -1 | awk '{print $2}')"
    printf '%-5s %-6s %10.2f %14s %s\n' "$c" "$split" "$t" "$rss" "$kxx"
  done
  eff="$(echo "${med[1x1]} / (2 * ${med[2x1]})" | bc -l)"
  printf '%-5s parallel efficiency 1 -> 2 ranks: %.3f; speed-up vs 1x1 at 2 cores: 1x2 %.2f, 2x1 %.2f\n' "$c" "$eff" \
    "$(echo "${med[1x1]} / ${med[1x2]}" | bc -l)" "$(echo "${med[1x1]} / ${med[2x1]}" | bc -l)"
  unset med
done
