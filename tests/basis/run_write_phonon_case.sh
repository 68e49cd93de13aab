#!/usr/bin/env bash
# write_phonon / read_phonon round trip (issue 11): an RTA run that solves its phonons and
# writes them (write_phonon = true, 2 ranks), then the same run fed that file (read_phonon,
# 1 rank): the kappa files must be bit-identical, and the phonon file must have the datasets,
# shapes and dtypes of phono3py's --write-phonon file of the same grid (tests/data runs/).
# Also mode ise with write_phonon on a GR grid.
# Usage: run_write_phonon_case.sh DATA_DIR PH3MPI MPIEXEC [MPIEXEC_FLAGS...]
set -euo pipefail
data="$1" ph3mpi="$2" mpiexec="$3"
shift 3
here="$(cd "$(dirname "$0")" && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
common() {
  cat <<TOML
mode = "rta"
phono3py_yaml = "$data/si-pbesol/phono3py.yaml"
fc2 = "$data/si-pbesol/fc2.hdf5"
fc3 = "$data/si-pbesol/fc3.hdf5"
mesh = [8, 8, 8]
temperatures = [300]
TOML
}
{ common; echo "output_dir = \"$work/solved\""; echo "write_phonon = true"; } > "$work/solved.toml"
OMP_NUM_THREADS=1 timeout 300 "$mpiexec" "$@" -n 2 "$ph3mpi" "$work/solved.toml" | tee "$work/solved.log"
grep -q "phonons written to $work/solved/phonon-m888.hdf5" "$work/solved.log"
{ common; echo "output_dir = \"$work/read\""; echo "read_phonon = \"$work/solved/phonon-m888.hdf5\""; } > "$work/read.toml"
OMP_NUM_THREADS=1 timeout 300 "$mpiexec" "$@" -n 1 "$ph3mpi" "$work/read.toml" | tee "$work/read.log"
grep -q "phonons read from $work/solved/phonon-m888.hdf5" "$work/read.log"
/usr/bin/python3 "$here/../rta/compare_exact.py" "$work/read/kappa-m888.hdf5" "$work/solved/kappa-m888.hdf5"
/usr/bin/python3 "$here/check_phonon_layout.py" "$work/solved/phonon-m888.hdf5" \
  "$data/si-pbesol/runs/si-rta-m888/phonon-m888.hdf5"

# mode ise on the GR grid of mesh 30 writes the phonon file with grid_matrix, P and Q.
cat > "$work/ise.toml" <<TOML
mode = "ise"
phono3py_yaml = "$data/si-pbesol/phono3py.yaml"
fc2 = "$data/si-pbesol/fc2.hdf5"
fc3 = "$data/si-pbesol/fc3.hdf5"
output_dir = "$work/ise"
mesh = 30
use_grg = true
grid_points = [5]
temperatures = [300]
write_phonon = true
TOML
OMP_NUM_THREADS=1 timeout 300 "$mpiexec" "$@" -n 2 "$ph3mpi" "$work/ise.toml"
/usr/bin/python3 "$here/check_phonon_layout.py" "$work/ise/phonon-m61212.hdf5" \
  "$data/si-pbesol/runs/si-rta-grg-m30/phonon-m61212.hdf5"
