#!/usr/bin/env bash
# phono3py's per-grid-point gamma files both ways (issue 15), on phono3py's own
# --write-gamma run tests/data/si-pbesol/runs/si-rta-write-gamma-m888 (Si 8x8x8, 300 and
# 600 K, tetrahedron; its phonons read in):
#   1. read_gamma = that folder: the kappa file equals phono3py's kappa-m888.hdf5 (1e-10,
#      group velocities on their scale as everywhere), no grid point computed;
#   2. write_gamma = true: ph3mpi's kappa-m888-g<gp>.hdf5 have phono3py's file names,
#      datasets, shapes, dtypes and compression, and its values (1e-10 on the scale;
#      check_gamma_files.py), the kappa file is the same as without write_gamma;
#   3. read_gamma of ph3mpi's own files (at 1 rank) gives the kappa file of step 2 bit for bit,
#      and with transport_type = smm19 the file of a run that computes Gamma;
#   4. refusals naming the file and the mismatch: a missing file, other temperatures,
#      is_N_U without gamma_N/gamma_U.
# Usage: run_gamma_files_case.sh DATA_DIR PH3MPI MPIEXEC [MPIEXEC_FLAGS...]
set -euo pipefail
data="$1" ph3mpi="$2" mpiexec="$3"
shift 3
flags=("$@")
here="$(cd "$(dirname "$0")" && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
export OMP_NUM_THREADS=1
run_dir="$data/si-pbesol/runs/si-rta-write-gamma-m888"
# shellcheck source=si_case_lib.sh
source "$here/si_case_lib.sh"
write_config() {  # dir extra-lines
  write_si_config "$1" rta "$1/out" "[8, 8, 8]" "[300, 600]" "$run_dir/phonon-m888.hdf5" "$2"
}
run() {  # dir np
  timeout 600 "$mpiexec" "${flags[@]}" -n "$2" "$ph3mpi" "$1/config.toml" > "$1/log" 2> "$1/err"
}
check=(/usr/bin/python3 "$here/check_kappa_file.py" --rtol 1e-10 --scale group_velocity --scale gv_by_gv)

echo "== 1. read_gamma of phono3py's files"
write_config "$work/read" "read_gamma = \"$run_dir\""
run "$work/read" 2
cat "$work/read/log"
grep -q "ph-ph Gamma read from the gamma files in $run_dir" "$work/read/log" || fail "no read_gamma line"
grep -q "Gamma of 29 grid points read from gamma files" "$work/read/log" || fail "no summary of the files read"
"${check[@]}" "$work/read/out/kappa-m888.hdf5" "$run_dir/kappa-m888.hdf5"
[ ! -e "$work/read/out/checkpoint" ] || fail "read_gamma without isotope made a checkpoint"

echo "== 2. write_gamma"
write_config "$work/write" "write_gamma = true"
run "$work/write" 2
grep -q "gamma files of 29 grid points x 1 integration method(s) written to" "$work/write/log" || fail "no write line"
/usr/bin/python3 "$here/check_gamma_files.py" "$work/write/out" "$run_dir"
"${check[@]}" "$work/write/out/kappa-m888.hdf5" "$run_dir/kappa-m888.hdf5"

echo "== 3. read_gamma of ph3mpi's files"
write_config "$work/again" "read_gamma = \"$work/write/out\""
run "$work/again" 1
/usr/bin/python3 "$here/compare_exact.py" "$work/again/out/kappa-m888.hdf5" "$work/write/out/kappa-m888.hdf5"

echo "== 3b. read_gamma with the inter-band term (transport_type = smm19)"
# The inter-band sums take Gamma_j + Gamma_j' from the files and compute the velocity
# matrices themselves: the same kappa, kappa_intra and kappa_inter as computing Gamma.
write_config "$work/tt-read" $'transport_type = "smm19"\nread_gamma = "'"$work/write/out"'"'
run "$work/tt-read" 2
write_config "$work/tt-computed" 'transport_type = "smm19"'
run "$work/tt-computed" 2
/usr/bin/python3 "$here/compare_exact.py" "$work/tt-read/out/kappa-m888.hdf5" "$work/tt-computed/out/kappa-m888.hdf5"

echo "== 4. refusals"
refuse() {  # dir fragment...
  local dir="$1"
  shift
  if run "$dir" 2; then fail "$dir: accepted"; fi
  cat "$dir/err"
  [ "$(grep -c "ph3mpi: error" "$dir/err")" -eq 1 ] || fail "$dir: not one error message"
  for fragment in "$@"; do grep -qF -- "$fragment" "$dir/err" || fail "$dir: no '$fragment' in the message"; done
}
mkdir -p "$work/partial"
cp "$run_dir"/kappa-m888-g*.hdf5 "$work/partial/"
rm "$work/partial/kappa-m888-g109.hdf5"
write_config "$work/missing" "read_gamma = \"$work/partial\""
refuse "$work/missing" "$work/partial/kappa-m888-g109.hdf5" "no gamma file of grid point 109"
write_config "$work/temps" "read_gamma = \"$run_dir\""
sed -i 's/^temperatures = .*/temperatures = [300]/' "$work/temps/config.toml"
refuse "$work/temps" "kappa-m888-g0.hdf5: temperatures (K): [300 600] in the file, [300] in this run"
write_config "$work/nu" $'is_N_U = true\nread_gamma = "'"$run_dir"'"'
refuse "$work/nu" "kappa-m888-g0.hdf5: is_N_U = true needs gamma_N and gamma_U"
echo "gamma files case passed"
