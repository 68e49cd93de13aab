#!/usr/bin/env bash
# Run log, tracing and --dry-run of mode "rta" on Si-PBEsol 9x9x9 (35 ir grid points).
# Usage: run_log_case.sh DATA_DIR PH3MPI MPIEXEC [MPIEXEC_FLAGS...]
#  - the settings block names ranks, threads, batch size, mesh, N_ir, temperatures and
#    the memory estimate; progress lines count to 35/35; the kappa table follows;
#  - PH3MPI_TRACE=1: one well-formed trace line per kernel call site on stderr, each ir grid
#    point traced exactly once at site=Interaction, lines from both ranks; unset: none;
#  - --dry-run prints the plan (triplets min/median/max, memory, suggested split) and writes nothing.
set -euo pipefail
data="$1" ph3mpi="$2" mpiexec="$3"
shift 3
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
export OMP_NUM_THREADS=1
cat > "$work/config.toml" <<TOML
mode = "rta"
phono3py_yaml = "$data/si-pbesol/phono3py.yaml"
fc2 = "$data/si-pbesol/fc2.hdf5"
fc3 = "$data/si-pbesol/fc3.hdf5"
output_dir = "$work/out"
mesh = [9, 9, 9]
temperatures = [300, 400]
gp_batch_size = 3
TOML
PH3MPI_TRACE=1 timeout 300 "$mpiexec" "$@" -n 2 "$ph3mpi" "$work/config.toml" > "$work/log" 2> "$work/err"
cat "$work/log"
grep -q "ranks 2 x OpenMP threads 1, gp_batch_size 3" "$work/log"
grep -q "mesh 9x9x9, 35 irreducible grid points, 6 bands" "$work/log"
grep -q "temperatures (K): 300 400" "$work/log"
grep -q "memory estimate per rank:" "$work/log"
grep -q "progress: 35/35 grid points" "$work/log"
test "$(grep -c '^  *300.0 ' "$work/log")" -eq 1
test "$(grep -c '^  *400.0 ' "$work/log")" -eq 1
# Trace lines: all well formed, from both ranks, Interaction once per ir grid point.
bad="$(grep -v -E '^\[ph3mpi\.trace\] rank=[01] threads=1 site=[A-Za-z_]+ gp=[0-9]+ batch=-?[0-9]+$' "$work/err" || true)"
test -z "$bad" || { echo "unexpected stderr: $bad" >&2; exit 1; }
test "$(grep -c 'site=Interaction' "$work/err")" -eq 35
test "$(grep 'site=Interaction' "$work/err" | sed 's/.* gp=\([0-9]*\).*/\1/' | sort -u | wc -l)" -eq 35
grep -q 'rank=0 .*site=Interaction' "$work/err"
grep -q 'rank=1 .*site=Interaction' "$work/err"
grep -q 'site=get_triplets_at_q' "$work/err"
grep -q 'site=RTAKappa' "$work/err"
# Without PH3MPI_TRACE: silent stderr.
sed -i 's/^temperatures.*/temperatures = [300]/' "$work/config.toml"
sed -i "s|^output_dir.*|output_dir = \"$work/out2\"|" "$work/config.toml"
timeout 300 "$mpiexec" "$@" -n 2 "$ph3mpi" "$work/config.toml" > "$work/log2" 2> "$work/err2"
test ! -s "$work/err2" || { echo "stderr not empty without PH3MPI_TRACE:"; cat "$work/err2"; exit 1; } >&2
# Dry run: the plan, nothing written.
sed -i "s|^output_dir.*|output_dir = \"$work/dry\"|" "$work/config.toml"
"$ph3mpi" --dry-run --cores 16 "$work/config.toml" > "$work/dry.log"
cat "$work/dry.log"
grep -q "plan:            35 irreducible grid points; triplets per grid point min [0-9]*, median [0-9]*, max [0-9]*" "$work/dry.log"
grep -q "memory:          force constants" "$work/dry.log"
grep -q "suggested split: 8 ranks x 2 threads per 16-core node" "$work/dry.log"
test ! -e "$work/dry"
# LBTE dry run: the collision matrix and its BLACS grid.
sed -i 's/^mode = .*/mode = "lbte"/' "$work/config.toml"
"$ph3mpi" --dry-run --cores 16 "$work/config.toml" > "$work/dry2.log"
cat "$work/dry2.log"
grep -q "collision matrix: 630 x 630" "$work/dry2.log"
grep -q "on 1 ranks: BLACS grid 1 x 1, block size 64" "$work/dry2.log"
grep -q "on 8 ranks: BLACS grid 2 x 4" "$work/dry2.log"
test ! -e "$work/dry"
echo "log, trace and dry-run checks passed"
