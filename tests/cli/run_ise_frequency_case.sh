#!/usr/bin/env bash
# End-to-end: frequency-resolved Gamma(omega) in mode "ise" on si-pbesol (mesh 9x9x9, grid
# point 105, T = 300 K, tetrahedron and sigma 0.1 THz, num_frequency_points = 201),
# computed per triplet (default) and from the stored full interaction (is_full_pp), both
# compared with phono3py's run_imag_self_energy reference (ise_gp105.hdf5 group
# frequency_resolved/), and Gamma at the bands with ise_gp105.hdf5 at 300 K.
# Usage: run_ise_frequency_case.sh DATA_DIR NP PH3MPI MPIEXEC [MPIEXEC_FLAGS...]
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
for run in computed stored; do
  cat > "$work/$run.toml" <<TOML
mode = "ise"
phono3py_yaml = "$data/$case/phono3py.yaml"
fc2 = "$data/$case/fc2.hdf5"
read_phonon = "$phonon_file"
fc3 = "$data/$case/fc3.hdf5"
output_dir = "$work/$run"
mesh = [9, 9, 9]
grid_points = [105]
temperatures = [300]
tetrahedron = true
sigmas = [0.1]
num_frequency_points = 201
TOML
  [[ $run == stored ]] && echo "is_full_pp = true" >> "$work/$run.toml"
  timeout 300 "$mpiexec" "$@" -n "$np" "$ph3mpi" "$work/$run.toml"
done
/usr/bin/python3 -B "$(dirname "$0")/check_ise_frequency_file.py" "$work/computed/ise-m999.hdf5" \
  "$work/stored/ise-m999.hdf5" "$data/$case/reference/ise_gp105.hdf5"
