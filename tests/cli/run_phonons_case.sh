#!/usr/bin/env bash
# End-to-end: run `ph3mpi` in mode "phonons" on a bundled crystal and compare the
# written phonon-m<mesh>.hdf5 with phono3py's reference phonons and grid.
# Usage: run_phonons_case.sh DATA_DIR CASE "MESH" GRID_GROUP NP PH3MPI MPIEXEC [MPIEXEC_FLAGS...]
set -euo pipefail
data="$1" case="$2" mesh="$3" group="$4" np="$5" ph3mpi="$6" mpiexec="$7"
shift 7
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cat > "$work/config.toml" <<TOML
mode = "phonons"
phono3py_yaml = "$data/$case/phono3py.yaml"
fc2 = "$data/$case/fc2.hdf5"
output_dir = "$work/out"
mesh = [$mesh]
TOML
timeout 300 "$mpiexec" "$@" -n "$np" "$ph3mpi" "$work/config.toml"
out="$(ls "$work"/out/phonon-m*.hdf5)"
/usr/bin/python3 "$(dirname "$0")/check_phonon_file.py" "$out" "$data/$case/reference" "$group"
