#!/usr/bin/env bash
# End-to-end: run `ph3mpi` in mode "rse" on si-pbesol (mesh 9x9x9, grid point 105,
# T = 300 K, epsilons 0.05 and 0.1 THz, 201 frequency points) and compare the written
# rse-m999.hdf5 with phono3py's run_real_self_energy reference (rse_gp105.hdf5).
# Usage: run_rse_case.sh DATA_DIR NP PH3MPI MPIEXEC [MPIEXEC_FLAGS...]
set -euo pipefail
data="$1" np="$2" ph3mpi="$3" mpiexec="$4"
shift 4
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
case=si-pbesol
# The reference was computed with phono3py's own phonons (reference/phonons.hdf5 grid/,
# as a phonon file in reference/phonon-m999.hdf5); read them, since this machine's LAPACK
# may pick another basis inside degenerate subspaces (docs/validation.md).
phonon_file="$data/$case/reference/phonon-m999.hdf5"
cat > "$work/config.toml" <<TOML
mode = "rse"
phono3py_yaml = "$data/$case/phono3py.yaml"
fc2 = "$data/$case/fc2.hdf5"
read_phonon = "$phonon_file"
fc3 = "$data/$case/fc3.hdf5"
output_dir = "$work/out"
mesh = [9, 9, 9]
grid_points = [105]
temperatures = [300]
epsilons = [0.05, 0.1]
num_frequency_points = 201
TOML
timeout 300 "$mpiexec" "$@" -n "$np" "$ph3mpi" "$work/config.toml"
test ! -e "$work/out/rse-m999.hdf5.tmp"
/usr/bin/python3 -B "$(dirname "$0")/check_rse_file.py" "$work/out/rse-m999.hdf5" "$data/$case/reference/rse_gp105.hdf5"
