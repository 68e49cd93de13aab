#!/usr/bin/env bash
# End-to-end: run `ph3mpi` in mode "ise" on si-pbesol (mesh 9x9x9, grid points 105 and 2,
# T = 0..1000 K, tetrahedron and sigma 0.1 THz, is_N_U) and compare the written
# ise-m999.hdf5 with phono3py's ImagSelfEnergy reference (ise_gp105/ise_gp2.hdf5).
# Usage: run_ise_case.sh DATA_DIR NP PH3MPI MPIEXEC [MPIEXEC_FLAGS...]
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
mode = "ise"
phono3py_yaml = "$data/$case/phono3py.yaml"
fc2 = "$data/$case/fc2.hdf5"
read_phonon = "$phonon_file"
fc3 = "$data/$case/fc3.hdf5"
output_dir = "$work/out"
mesh = [9, 9, 9]
grid_points = [105, 2]
temperatures = [0, 100, 200, 300, 400, 500, 600, 700, 800, 900, 1000]
tetrahedron = true
sigmas = [0.1]
is_N_U = true
TOML
timeout 300 "$mpiexec" "$@" -n "$np" "$ph3mpi" "$work/config.toml"
test ! -e "$work/out/ise-m999.hdf5.tmp"
/usr/bin/python3 "$(dirname "$0")/check_ise_file.py" "$work/out/ise-m999.hdf5" "$data/$case/reference"
