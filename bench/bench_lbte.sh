#!/usr/bin/env bash
# Benchmark of the LBTE solver (issue 6): whole-process wall time and peak RSS per rank of
#   mpirun -np R ph3mpi (mode = "lbte", tetrahedron, T = 300 K)
# on Si-PBEsol 11x11x11 (56 ir grid points, collision matrix 1008 x 1008), phono3py's
# anchor (9.1 s whole process, 149 MB, 2 threads), at 1 rank x 2 threads, 2 ranks x 1
# thread and 1 rank x 1 thread, REPEAT times each (median). Then the largest-mesh probe:
# MESHES (default "15 19") at 2 ranks x 1 thread, with the collision-matrix size and the
# per-rank peak RSS, to compare with what one phono3py process must hold ((3 N_ir nb)^2 x 8 B
# for the matrix alone, plus its eigenvectors in scipy's dsyev).
# Usage: bench/bench_lbte.sh [build-dir]   env: REPEAT (3), MESHES ("15 19")
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${1:-$here/build}"
repeat="${REPEAT:-3}"
meshes="${MESHES:-15 19}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
export OPENBLAS_NUM_THREADS=1
mpi_flags=(--oversubscribe --bind-to none)
if [ "$(id -u)" -eq 0 ]; then mpi_flags+=(--allow-run-as-root); fi
median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

config() {  # mesh -> config path
  cat > "$work/m$1.toml" <<TOML
mode = "lbte"
phono3py_yaml = "$here/tests/data/si-pbesol/phono3py.yaml"
fc2 = "$here/tests/data/si-pbesol/fc2.hdf5"
fc3 = "$here/tests/data/si-pbesol/fc3.hdf5"
output_dir = "$work/out-$1"
mesh = [$1, $1, $1]
temperatures = [300]
restart = false
TOML
  echo "$work/m$1.toml"
}

run() {  # config ranks threads -> "wall rss_per_rank..."
  rm -f "$work"/rss.*
  local start end
  start=$(date +%s.%N)
  OMP_NUM_THREADS=$3 mpirun "${mpi_flags[@]}" -np "$2" -x OMP_NUM_THREADS \
    bash -c "/usr/bin/time -f %M -o $work/rss.\$OMPI_COMM_WORLD_RANK $build/ph3mpi $1" > "$work/log"
  end=$(date +%s.%N)
  echo "$(echo "$end - $start" | bc -l) $(for f in "$work"/rss.*; do awk '{printf "%.0f ", $1/1024}' "$f"; done)"
}

printf '%-8s %-6s %10s %18s %s\n' mesh split wall_s rss_MB_per_rank "kappa_xx (RTA)"
cfg="$(config 11)"
for split in 1x2 2x1 1x1; do
  ranks="${split%x*}" threads="${split#*x}"
  times=() rss=""
  for _ in $(seq "$repeat"); do
    read -r t r <<< "$(run "$cfg" "$ranks" "$threads")"
    times+=("$t"); rss="$r"
  done
  kxx="$(grep -A2 'LBTE -----' "$work/log" | tail -1 | awk '{print $2}') ($(grep -A2 'RTA -----' "$work/log" | tail -1 | awk '{print $2}'))"
  printf '%-8s %-6s %10.2f %18s %s\n' 11x11x11 "$split" "$(printf '%s\n' "${times[@]}" | median)" "$rss" "$kxx"
done
for m in $meshes; do
  cfg="$(config "$m")"
  read -r t r <<< "$(run "$cfg" 2 1)"
  size="$(grep -o 'collision matrix [0-9]* x [0-9]* ([^)]*)' "$work/log" | head -1)"
  printf '%-8s %-6s %10.2f %18s %s; %s\n' "${m}x${m}x${m}" 2x1 "$t" "$r" \
    "$(grep -A2 'LBTE -----' "$work/log" | tail -1 | awk '{print $2}')" "$size"
done
