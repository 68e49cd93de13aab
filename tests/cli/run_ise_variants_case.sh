#!/usr/bin/env bash
# End-to-end: the interaction-strength variants of mode "ise" on si-pbesol (mesh 9x9x9,
# grid points 105 and 2, T = 0, 300, 1000 K, tetrahedron and sigma 0.1 THz, is_N_U):
#   low      the default low-memory path (also compared with phono3py's ise_gp*.hdf5)
#   full     is_full_pp + write_gamma_detail (gamma_detail-m999-g<gp>[-s0.1].hdf5)
#   wpp      write_pp (pp-m999-g<gp>.hdf5), tetrahedron only: only the elements with
#            nonzero tetrahedron weight are computed and written (g_zero in the file)
#   rpp      read_pp of wpp's files: Gamma bit-identical to wpp's
#   ave      use_ave_pp;  cst  const_ave_pp = 2e-10
# and two read_pp runs that must fail with a clear message: a file of another grid point,
# and wpp's tetrahedron-only file for a run that also needs sigma 0.1.
# check_ise_variants.py compares them (see there).
# Usage: run_ise_variants_case.sh DATA_DIR NP PH3MPI MPIEXEC [MPIEXEC_FLAGS...]
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
config() {  # name, methods, extra lines...
  local name=$1 methods=$2
  shift 2
  cat > "$work/$name.toml" <<TOML
mode = "ise"
phono3py_yaml = "$data/$case/phono3py.yaml"
fc2 = "$data/$case/fc2.hdf5"
read_phonon = "$phonon_file"
fc3 = "$data/$case/fc3.hdf5"
output_dir = "$work/$name"
mesh = [9, 9, 9]
grid_points = [105, 2]
temperatures = [0, 300, 1000]
$methods
is_N_U = true
TOML
  printf '%s\n' "$@" >> "$work/$name.toml"
}
run() { timeout 300 "$mpiexec" "$@" -n "$np" "$ph3mpi" "$work/$name.toml"; }
both="tetrahedron = true
sigmas = [0.1]"
config low "$both"
config full "$both" "is_full_pp = true" "write_gamma_detail = true"
config wpp "tetrahedron = true" "write_pp = true"
config rpp "tetrahedron = true" "read_pp = true"
config ave "$both" "use_ave_pp = true"
config cst "$both" "const_ave_pp = 2e-10"
for name in low full wpp; do run "$@"; done
mkdir -p "$work/rpp"
cp "$work"/wpp/pp-m999-g*.hdf5 "$work/rpp/"
for name in rpp ave cst; do run "$@"; done

# read_pp of the wrong grid point's file: a clear error, no output.
config wrong "$both" "read_pp = true"
mkdir -p "$work/wrong"
cp "$work/wpp/pp-m999-g2.hdf5" "$work/wrong/pp-m999-g105.hdf5"
cp "$work/wpp/pp-m999-g2.hdf5" "$work/wrong/pp-m999-g2.hdf5"
name=wrong
if run "$@" 2> "$work/wrong.err"; then
  echo "FAIL: read_pp of another grid point's file succeeded"
  exit 1
fi
cat "$work/wrong.err"
grep -qF "pp-m999-g105.hdf5: interaction strength has shape (85, 6, 6, 6), but grid point 105 needs (365, 6, 6, 6)" \
  "$work/wrong.err"
test ! -e "$work/wrong/ise-m999.hdf5"
# read_pp of a file that lacks elements sigma 0.1 needs.
config uncovered "$both" "read_pp = true"
mkdir -p "$work/uncovered"
cp "$work"/wpp/pp-m999-g*.hdf5 "$work/uncovered/"
name=uncovered
if run "$@" 2> "$work/uncovered.err"; then
  echo "FAIL: read_pp of a tetrahedron-only file succeeded for sigma 0.1"
  exit 1
fi
cat "$work/uncovered.err"
grep -qF "pp-m999-g105.hdf5: interaction strength lacks elements that sigma 0.1 THz needs" "$work/uncovered.err"
test ! -e "$work/uncovered/ise-m999.hdf5"

/usr/bin/python3 -B "$(dirname "$0")/check_ise_variants.py" "$work" "$data/$case/reference"
