#!/usr/bin/env bash
# mode "lbte" gives the same numbers at every rank count: CASE (si-pbesol 9x9x9, or
# reducible 5x5x5) at 1 and 4 ranks (1x1 and 2x2 BLACS grids, block size 16), every dataset
# of the two kappa files within 1e-10 relative of each other (and of the dataset's scale).
# Usage: run_lbte_ranks.sh CASE DATA_DIR PH3MPI MPIEXEC [MPIEXEC_FLAGS...]
set -euo pipefail
case_name="$1" data="$2" ph3mpi="$3" mpiexec="$4"
shift 4
here="$(cd "$(dirname "$0")" && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mesh="[9, 9, 9]" extra="" file=kappa-m999.hdf5
if [ "$case_name" = reducible ]; then mesh="[5, 5, 5]" extra="reducible_collision_matrix = true" file=kappa-m555.hdf5; fi
for np in 1 4; do
  mkdir -p "$work/np$np"
  cat > "$work/np$np/config.toml" <<TOML
mode = "lbte"
phono3py_yaml = "$data/si-pbesol/phono3py.yaml"
fc2 = "$data/si-pbesol/fc2.hdf5"
fc3 = "$data/si-pbesol/fc3.hdf5"
output_dir = "$work/np$np/out"
mesh = $mesh
temperatures = [300, 500]
blacs_block_size = 16
$extra
TOML
  OMP_NUM_THREADS=1 timeout 300 "$mpiexec" "$@" -n "$np" "$ph3mpi" "$work/np$np/config.toml" > "$work/np$np/log"
  grep "BLACS grid" "$work/np$np/log"
done
/usr/bin/python3 "$here/compare_exact.py" "$work/np4/out/$file" "$work/np1/out/$file" 1e-10
