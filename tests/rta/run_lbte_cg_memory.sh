#!/usr/bin/env bash
# lbte_solver = "cg" needs only the collision matrix (issue 12): the direct solver also holds
# a symmetrized copy, the eigenvectors and pdsyevd's workspace. Si 11x11x11 (n = 1008) at
# P = 2 ranks, one thread: the model gives CG ~19 MiB per rank (matrix 8 n^2 / P = 3.9 MiB,
# the rest the grid-point stage) and direct ~31 MiB, so with memory_per_rank = 24 MiB the
# direct solver is refused before any work, naming the shortfall and that CG fits, and
# writes nothing; the CG solver runs and reproduces phono3py's run (runs/si-lbte-m111111,
# its phonons read in) at 1e-10.
# Usage: run_lbte_cg_memory.sh DATA_DIR PH3MPI MPIEXEC [MPIEXEC_FLAGS...]
set -euo pipefail
data="$1" ph3mpi="$2" mpiexec="$3"
shift 3
here="$(cd "$(dirname "$0")" && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
run=si-pbesol/runs/si-lbte-m111111
for solver in direct cg; do
  cat > "$work/$solver.toml" <<TOML
mode = "lbte"
phono3py_yaml = "$data/si-pbesol/phono3py.yaml"
fc2 = "$data/si-pbesol/fc2.hdf5"
fc3 = "$data/si-pbesol/fc3.hdf5"
read_phonon = "$data/$run/phonon-m111111.hdf5"
output_dir = "$work/$solver"
mesh = [11, 11, 11]
temperatures = [300]
lbte_solver = "$solver"
memory_per_rank = "24MiB"   # between CG (~19 MiB) and direct (~31 MiB), see above
TOML
done
if OMP_NUM_THREADS=1 timeout 300 "$mpiexec" "$@" -n 2 "$ph3mpi" "$work/direct.toml" > "$work/direct.log" 2> "$work/direct.err"; then
  echo "FAIL: the direct solver ran within memory_per_rank = 24 MiB" >&2
  exit 1
fi
cat "$work/direct.err"
grep -q "key 'memory_per_rank': the LBTE run needs about" "$work/direct.err"
grep -q 'lbte_solver = "cg" needs about .* and fits' "$work/direct.err"
test "$(grep -c 'ph3mpi: error' "$work/direct.err")" -eq 1
test ! -e "$work/direct" || test -z "$(ls -A "$work/direct")"
OMP_NUM_THREADS=1 timeout 300 "$mpiexec" "$@" -n 2 "$ph3mpi" "$work/cg.toml" | tee "$work/cg.log"
grep -q "conjugate gradient converged in" "$work/cg.log"
/usr/bin/python3 "$here/check_kappa_file.py" --rtol 1e-10 --scale group_velocity --scale f_vector \
  "$work/cg/kappa-m111111.hdf5" "$data/$run/kappa-m111111.hdf5"
