#!/usr/bin/env bash
# Benchmark of the RTA service: whole-process wall time of
#   mpirun -np R ph3mpi (mode = "rta", tetrahedron, T = 300 K)
# on Si-PBEsol 19x19x19 (220 ir grid points), AlN-LDA 13x13x9 (105) and, with
# CASES=siconv8, the 24-band Si conventional cell at 8x8x8 (35) at the splits
# (ranks x threads) in SPLITS, REPEAT times each, median reported, with the peak RSS of
# each rank. Parallel efficiency 1 -> 2 ranks = t(1x1) / (2 t(2x1)) when both are run.
#
# Side by side, in the same invocation and alternating run by run so that the machine's
# noise falls on both alike:
# - BASE_BUILD=<dir>: another ph3mpi build (e.g. an older commit); prints base/this.
# - PHONO3PY_PYTHON=<python>: an interpreter that imports phono3py (bench/phono3py_rta.py
#   runs the same RTA through its API at PHONO3PY_THREADS, default 2 threads);
#   prints phono3py/this. Without it the ratio is to the last recorded phono3py figure
#   (RECORDED below: phono3py 4.4 C backend through bench/phono3py_rta.py,
#   OMP_NUM_THREADS=2, whole process, one run each on an idle "AMD EPYC" 2 vCPU VM,
#   2026-12-02; docs/performance.md).
# Usage: bench/bench_rta.sh [build-dir]
#   env: REPEAT (3), CASES ("si aln"), SPLITS ("1x2 2x1 1x1"), BASE_BUILD, PHONO3PY_PYTHON,
#        PHONO3PY_REPEAT (REPEAT), PHONO3PY_THREADS (2), PAIR (0; 1: also two independent
#        1x1 runs at once, the machine's throughput ceiling for two processes)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${1:-$here/build}"
repeat="${REPEAT:-3}"
cases="${CASES:-si aln}"
splits="${SPLITS:-1x2 2x1 1x1}"
base="${BASE_BUILD:-}"
p3py="${PHONO3PY_PYTHON:-}"
p3repeat="${PHONO3PY_REPEAT:-$repeat}"
p3threads="${PHONO3PY_THREADS:-2}"
declare -A RECORDED=([si]=106.3 [aln]=38.7)
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
export OPENBLAS_NUM_THREADS=1
mpi_flags=(--oversubscribe --bind-to none)
if [ "$(id -u)" -eq 0 ]; then mpi_flags+=(--allow-run-as-root); fi

median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
ratio() { echo "$1 / $2" | bc -l; }

crystal_of() { case "$1" in si) echo si-pbesol ;; aln) echo aln-lda ;; siconv8) echo si-conv8 ;; esac; }
mesh_of() { case "$1" in si) echo "19,19,19" ;; aln) echo "13,13,9" ;; siconv8) echo "8,8,8" ;; esac; }

config() {  # case tag -> config path (tag keeps the output folders of the builds apart)
  cat > "$work/$1-$2.toml" <<TOML
mode = "rta"
phono3py_yaml = "$here/tests/data/$(crystal_of "$1")/phono3py.yaml"
fc2 = "$here/tests/data/$(crystal_of "$1")/fc2.hdf5"
fc3 = "$here/tests/data/$(crystal_of "$1")/fc3.hdf5"
output_dir = "$work/out-$1-$2"
mesh = [$(mesh_of "$1")]
temperatures = [300]
restart = false
TOML
  echo "$work/$1-$2.toml"
}

# run_ph3mpi <binary-dir> <config> <ranks> <threads> -> prints "seconds kappa_xx rss..."
run_ph3mpi() {
  rm -f "$work"/rss.*
  local start end
  start=$(date +%s.%N)
  OMP_NUM_THREADS=$4 mpirun "${mpi_flags[@]}" -np "$3" -x OMP_NUM_THREADS \
    bash -c "/usr/bin/time -f %M -o $work/rss.\$OMPI_COMM_WORLD_RANK $1/ph3mpi $2" > "$work/log"
  end=$(date +%s.%N)
  local kxx rss
  kxx="$(grep -A2 'Thermal conductivity' "$work/log" | tail -1 | awk '{print $2}')"
  rss="$(for f in "$work"/rss.*; do awk '{printf "%.0f+", $1/1024}' "$f"; done)"
  echo "$(echo "$end - $start" | bc -l) $kxx ${rss%+}"
}

echo "CPU: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), $(nproc --all) cores"
echo "this: $build${base:+; base: $base}${p3py:+; phono3py: $p3py}"
printf '%-5s %-6s %-8s %10s %12s %s\n' case split build wall_s kappa_xx rss_MB_per_rank
for c in $cases; do
  declare -A med=()
  for split in $splits; do
    ranks="${split%x*}" threads="${split#*x}"
    this_t=() base_t=()
    for _ in $(seq "$repeat"); do
      read -r t kxx rss < <(run_ph3mpi "$build" "$(config "$c" this)" "$ranks" "$threads")
      this_t+=("$t")
      if [ -n "$base" ]; then
        read -r bt bkxx brss < <(run_ph3mpi "$base" "$(config "$c" base)" "$ranks" "$threads")
        base_t+=("$bt")
      fi
    done
    med[$split]="$(printf '%s\n' "${this_t[@]}" | median)"
    printf '%-5s %-6s %-8s %10.2f %12s %s\n' "$c" "$split" this "${med[$split]}" "$kxx" "$rss"
    if [ -n "$base" ]; then
      bmed="$(printf '%s\n' "${base_t[@]}" | median)"
      printf '%-5s %-6s %-8s %10.2f %12s %s   base/this %.2f\n' "$c" "$split" base "$bmed" "$bkxx" "$brss" \
        "$(ratio "$bmed" "${med[$split]}")"
    fi
  done
  first="${splits%% *}"
  if [ -n "$p3py" ]; then
    p_t=()
    for _ in $(seq "$p3repeat"); do
      start=$(date +%s.%N)
      pk="$(OMP_NUM_THREADS=$p3threads "$p3py" "$here/bench/phono3py_rta.py" "$here/tests/data/$(crystal_of "$c")" \
        "$(mesh_of "$c")" 300 | awk '/kappa_xx/ {print $2}')"
      end=$(date +%s.%N)
      p_t+=("$(echo "$end - $start" | bc -l)")
    done
    pmed="$(printf '%s\n' "${p_t[@]}" | median)"
    printf '%-5s %-6s %-8s %10.2f %12s    phono3py/this(%s) %.2f\n' "$c" "1x$p3threads" phono3py "$pmed" "$pk" \
      "$first" "$(ratio "$pmed" "${med[$first]}")"
  elif [ -n "${RECORDED[$c]:-}" ]; then
    printf '%-5s recorded phono3py %.1f s (2 threads): phono3py/this(%s) %.2f\n' "$c" "${RECORDED[$c]}" "$first" \
      "$(ratio "${RECORDED[$c]}" "${med[$first]}")"
  else
    printf '%-5s no recorded phono3py figure (set PHONO3PY_PYTHON)\n' "$c"
  fi
  if [ "${PAIR:-0}" = 1 ]; then
    # The machine's own ceiling for two processes: two independent 1x1 runs at once. On a
    # VM whose second vCPU is a hyperthread this is well below 2x, and no split of one run
    # over 2 ranks can beat it.
    pair_t=()
    for _ in $(seq "$repeat"); do
      start=$(date +%s.%N)
      for k in 1 2; do
        OMP_NUM_THREADS=1 "$build/ph3mpi" "$(config "$c" "pair$k")" > "$work/pair$k.log" &
      done
      wait
      end=$(date +%s.%N)
      pair_t+=("$(echo "$end - $start" | bc -l)")
    done
    med[pair]="$(printf '%s\n' "${pair_t[@]}" | median)"
    printf '%-5s %-6s %-8s %10.2f   two independent 1x1 runs at once\n' "$c" 2x1x1 this "${med[pair]}"
    if [ -n "${med[1x1]:-}" ]; then
      printf '%-5s machine throughput with 2 processes: %.2fx of one (2 t(1x1) / t(pair))\n' "$c" \
        "$(echo "2 * ${med[1x1]} / ${med[pair]}" | bc -l)"
    fi
  fi
  if [ -n "${med[1x1]:-}" ] && [ -n "${med[2x1]:-}" ]; then
    printf '%-5s parallel efficiency 1 -> 2 ranks: %.3f\n' "$c" "$(echo "${med[1x1]} / (2 * ${med[2x1]})" | bc -l)"
  fi
  if [ -n "${med[1x2]:-}" ] && [ -n "${med[2x1]:-}" ]; then
    printf '%-5s 2x1 / 1x2 wall: %.3f\n' "$c" "$(ratio "${med[2x1]}" "${med[1x2]}")"
  fi
  unset med
done
