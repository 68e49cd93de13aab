#!/usr/bin/env bash
# Memory per rank (issue 13 item 3, "ranks as cheap as threads"): mode = "rta" at 1, 2
# and 4 ranks x 1 thread on one node, with fc3 and its interaction tables once per node
# (default: node rank 0 reads fc3 and builds the tables into an MPI-3 shared window,
# driver/shared_interaction.hpp) and once per rank (PH3MPI_NODE_SHARED_FC3=0, the path
# before). Every rank reports after the scattering stage (PH3MPI_MEMORY_REPORT=1, from
# /proc/self/status and /proc/self/smaps_rollup):
#   peak RSS  VmHWM: pages the process touched, shared ones counted in every rank
#   Pss       resident memory with each shared page divided among the processes mapping
#             it, of the heap and the shared windows (Pss_Anon + Pss_Shmem): the sum
#             over the ranks of a node is the node's memory. File-backed pages (shared
#             libraries) are left out: their share depends on the other processes of the
#             machine that map the same libraries.
#   fc3+tab   fc3 held by the rank + interaction-table bytes it allocated (exact)
# Printed per rank count: the mean over ranks and the node sum; memory does not depend
# on timing, so one run each (REPEAT to change). kappa_xx of both paths side by side.
# Usage: bench/bench_memory.sh [build-dir]   env: CASES ("si aln siconv8"), RANKS ("1 2 4")
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${1:-$here/build}"
cases="${CASES:-si aln siconv8}"
rank_counts="${RANKS:-1 2 4}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
export OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 PH3MPI_MEMORY_REPORT=1
mpi_flags=(--oversubscribe --bind-to none)
if [ "$(id -u)" -eq 0 ]; then mpi_flags+=(--allow-run-as-root); fi

config() {  # case -> config path
  local crystal mesh
  case "$1" in
    si) crystal=si-pbesol mesh="19, 19, 19" ;;
    aln) crystal=aln-lda mesh="13, 13, 9" ;;
    siconv8) crystal=si-conv8 mesh="4, 4, 4" ;;
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

echo "CPU: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), $(nproc --all) cores; MB = 2^20 bytes"
printf '%-8s %-9s %5s | %11s %9s %11s | %9s %12s | %s\n' case fc3 ranks peak_rss/rk pss/rk fc3+tab/rk \
  pss_node fc3+tab_node kappa_xx
for c in $cases; do
  cfg="$(config "$c")"
  for ranks in $rank_counts; do
    for mode in per-rank per-node; do
      share=1
      [ "$mode" = per-rank ] && share=0
      PH3MPI_NODE_SHARED_FC3=$share mpirun "${mpi_flags[@]}" -np "$ranks" \
        -x OMP_NUM_THREADS -x OPENBLAS_NUM_THREADS -x PH3MPI_MEMORY_REPORT -x PH3MPI_NODE_SHARED_FC3 \
        "$build/ph3mpi" "$cfg" > "$work/log" 2> "$work/err"
      kxx="$(grep -A2 'Thermal conductivity' "$work/log" | tail -1 | awk '{print $2}')"
      grep '^\[ph3mpi.memory\]' "$work/err" | awk -v c="$c" -v m="$mode" -v r="$ranks" -v k="$kxx" '
        { for (i = 2; i <= NF; ++i) { split($i, kv, "="); v[kv[1]] = kv[2] }
          peak += v["peak_rss_kB"]; pss += v["pss_anon_kB"] + v["pss_shmem_kB"]; fc += v["fc3_bytes"] + v["table_bytes"]; n++ }
        END { printf "%-8s %-9s %5d | %9.1fMB %7.1fMB %9.2fMB | %7.1fMB %10.2fMB | %s\n", c, m, r,
                peak / n / 1024, pss / n / 1024, fc / n / 1048576, pss / 1024, fc / 1048576, k }'
    done
  done
done
