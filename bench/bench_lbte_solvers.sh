#!/usr/bin/env bash
# LBTE direct vs conjugate-gradient solver (issue 12), Si-PBEsol, tetrahedron, 300 K, at
# 2 ranks x 1 thread: whole-process wall time (median of REPEAT), peak RSS per rank, the CG
# iteration count and the kappa both give, on MESHES (default "11 15 19"); the grid-point
# stage is the same for both, so the difference is the solver's. Then, from the memory model
# (--dry-run, 2 ranks on this node), the largest Si mesh each solver fits in this node's
# memory, and a run that only CG can do here: SHOW_MESH (default 19) with memory_per_rank set
# between the two solvers' needs.
# Usage: bench/bench_lbte_solvers.sh [build-dir]   env: REPEAT (3), MESHES ("11 15 19"), SHOW_MESH (19)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${1:-$here/build}"
repeat="${REPEAT:-3}"
meshes="${MESHES:-11 15 19}"
show_mesh="${SHOW_MESH:-19}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
export OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1
mpi_flags=(--oversubscribe --bind-to none -x OMP_NUM_THREADS -x OPENBLAS_NUM_THREADS)
if [ "$(id -u)" -eq 0 ]; then mpi_flags+=(--allow-run-as-root); fi
median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
echo "CPU: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'), $(nproc --all) cores; $(date -u +%Y-%m-%d)"

config() {  # mesh solver [extra line] -> config path
  local path="$work/m$1-$2.toml"
  cat > "$path" <<TOML
mode = "lbte"
phono3py_yaml = "$here/tests/data/si-pbesol/phono3py.yaml"
fc2 = "$here/tests/data/si-pbesol/fc2.hdf5"
fc3 = "$here/tests/data/si-pbesol/fc3.hdf5"
output_dir = "$work/out-$1-$2"
mesh = [$1, $1, $1]
temperatures = [300]
restart = false
lbte_solver = "$2"
${3:-}
TOML
  echo "$path"
}

run() {  # config -> "wall rss_MB_rank0 rss_MB_rank1"
  rm -f "$work"/rss.*
  local start end
  start=$(date +%s.%N)
  mpirun "${mpi_flags[@]}" -np 2 bash -c "/usr/bin/time -f %M -o $work/rss.\$OMPI_COMM_WORLD_RANK $build/ph3mpi $1" \
    > "$work/log" 2> "$work/err" || { cat "$work/err" >&2; return 1; }
  end=$(date +%s.%N)
  echo "$(echo "$end - $start" | bc -l) $(for f in "$work"/rss.*; do awk '{printf "%.0f ", $1/1024}' "$f"; done)"
}

printf '%-9s %-7s %6s %9s %16s %11s %14s\n' mesh solver n wall_s rss_MB_per_rank iterations kappa_xx
for m in $meshes; do
  # The two solvers alternate within each repeat, so that a change of the machine's load
  # hits both alike.
  declare -A times=() rss=() n=() iters=() kxx=()
  for _ in $(seq "$repeat"); do
    for solver in direct cg; do
      read -r t r0 r1 <<< "$(run "$(config "$m" "$solver")")"
      times[$solver]+="$t "
      rss[$solver]="$r0 $r1"
      n[$solver]="$(grep -o 'collision matrix [0-9]* x' "$work/log" | awk '{print $3}')"
      iters[$solver]="$(grep -o 'converged in [0-9]* iterations' "$work/log" | awk '{print $3}' || true)"
      kxx[$solver]="$(grep -A2 'LBTE -----' "$work/log" | tail -1 | awk '{print $2}')"
    done
  done
  for solver in direct cg; do
    printf '%-9s %-7s %6s %9.2f %16s %11s %14s\n' "${m}^3" "$solver" "${n[$solver]}" \
      "$(printf '%s\n' ${times[$solver]} | median)" "${rss[$solver]}" "${iters[$solver]:--}" "${kxx[$solver]}"
  done
  unset times rss n iters kxx
done

echo
echo "memory model, 2 ranks on this node (--dry-run): largest rank's need per solver"
printf '%-9s %8s %14s %14s\n' mesh n direct cg
for m in 19 25 30 35 38 40 45 50 55 60; do
  line=""
  for solver in direct cg; do
    need="$(mpirun "${mpi_flags[@]}" -np 2 "$build/ph3mpi" --dry-run "$(config "$m" "$solver")" 2>&1 |
            grep -o 'largest rank needs about [0-9.]* [KMGT]iB; .*' | sed 's/largest rank needs about //')"
    line="$line $(echo "$need" | awk -F'; ' '{fit = ($NF ~ /NOT/) ? "(no)" : "(fits)"; print $1 fit}' | tr ' ' '_')"
  done
  n="$(mpirun "${mpi_flags[@]}" -np 2 "$build/ph3mpi" --dry-run "$(config "$m" cg)" 2>&1 |
       grep -o 'collision matrix: [0-9]*' | awk '{print $3}')"
  printf '%-9s %8s %14s %14s\n' "${m}^3" "$n" $line
done

echo
echo "a run only CG can do here: ${show_mesh}^3 with memory_per_rank between the two solvers' needs"
budget_line='memory_per_rank = "BUDGET"'
need_cg="$(mpirun "${mpi_flags[@]}" -np 2 "$build/ph3mpi" --dry-run "$(config "$show_mesh" cg)" 2>&1 |
           grep -o 'largest rank needs about [0-9.]* MiB' | awk '{print $5}')"
budget="$(echo "$need_cg * 1.2" | bc -l | awk '{printf "%.0fMiB", $1}')"
for solver in direct cg; do
  cfg="$(config "$show_mesh" "$solver" "${budget_line/BUDGET/$budget}")"
  if out="$(run "$cfg")"; then
    echo "  $solver, memory_per_rank $budget: ran, wall ${out%% *} s, kappa_xx $(grep -A2 'LBTE -----' "$work/log" | tail -1 | awk '{print $2}')"
  else
    echo "  $solver, memory_per_rank $budget: refused: $(grep -o 'needs about [0-9.]* [KMG]iB per rank' "$work/err" | head -1)"
  fi
done
