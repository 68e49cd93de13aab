#!/usr/bin/env bash
# End-to-end: run `ph3mpi` in mode "isotope" on si-pbesol (mesh 9x9x9, grid points 105
# and 2, tetrahedron and sigma 0.1 THz, natural-abundance mass variances) and compare
# the written isotope-m999.hdf5 with phono3py's Phono3pyIsotope reference.
# Usage: run_isotope_case.sh DATA_DIR NP PH3MPI MPIEXEC [MPIEXEC_FLAGS...]
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
mode = "isotope"
phono3py_yaml = "$data/$case/phono3py.yaml"
fc2 = "$data/$case/fc2.hdf5"
read_phonon = "$phonon_file"
output_dir = "$work/out"
mesh = [9, 9, 9]
grid_points = [105, 2]
tetrahedron = true
sigmas = [0.1]
# The reference was made through the API (Phono3pyIsotope, cutoff_frequency None = 0),
# not the CLI (whose default is 1e-4 THz).
cutoff_frequency = 0.0
TOML
timeout 300 "$mpiexec" "$@" -n "$np" "$ph3mpi" "$work/config.toml"
test ! -e "$work/out/isotope-m999.hdf5.tmp"
/usr/bin/python3 "$(dirname "$0")/check_isotope_file.py" "$work/out/isotope-m999.hdf5" "$data/$case/reference/isotope_gp105.hdf5"
