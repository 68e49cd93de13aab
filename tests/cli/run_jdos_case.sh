#!/usr/bin/env bash
# End-to-end: run `ph3mpi` in mode "jdos" on si-pbesol (mesh 9x9x9, grid point 105,
# tetrahedron and sigma 0.1 THz, 201 frequency points) twice, plain (no temperatures
# key) and weighted at 300 K, and compare both jdos-m999.hdf5 with phono3py's
# Phono3pyJointDos reference (jdos_gp105.hdf5: joint_dos_plain, joint_dos_T300).
# Usage: run_jdos_case.sh DATA_DIR NP PH3MPI MPIEXEC [MPIEXEC_FLAGS...]
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
for kind in plain T300; do
  cat > "$work/$kind.toml" <<TOML
mode = "jdos"
phono3py_yaml = "$data/$case/phono3py.yaml"
fc2 = "$data/$case/fc2.hdf5"
read_phonon = "$phonon_file"
output_dir = "$work/$kind"
mesh = [9, 9, 9]
grid_points = [105]
tetrahedron = true
sigmas = [0.1]
num_frequency_points = 201
TOML
  [[ $kind == T300 ]] && echo "temperatures = [300]" >> "$work/$kind.toml"
  timeout 300 "$mpiexec" "$@" -n "$np" "$ph3mpi" "$work/$kind.toml"
  test ! -e "$work/$kind/jdos-m999.hdf5.tmp"
done
/usr/bin/python3 -B "$(dirname "$0")/check_jdos_file.py" "$work/plain/jdos-m999.hdf5" "$work/T300/jdos-m999.hdf5" \
  "$data/$case/reference/jdos_gp105.hdf5"
