#!/usr/bin/env bash
# End to end: `mpiexec -n NP ph3mpi config.toml` in mode "rta" or "lbte" on one of the bundled
# reference cases, then the written kappa file is compared with phono3py's own
# (structure: names, shapes, dtypes; values: 1e-8 relative) by check_kappa_file.py.
# Usage: run_rta_case.sh CASE NP BATCH DATA_DIR PH3MPI MPIEXEC [MPIEXEC_FLAGS...]
set -euo pipefail
case_name="$1" np="$2" batch="$3" data="$4" ph3mpi="$5" mpiexec="$6"
shift 6
here="$(cd "$(dirname "$0")" && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

crystal=si-pbesol fc2=fc2.hdf5 fc3=fc3.hdf5 mesh="[9, 9, 9]" temps="[300]" extra="" mode=rta check_flags=()
case "$case_name" in
  si) ref=kappa-rta-m999.hdf5 ;;
  si-T) ref=kappa-rta-m999-T0-1000.hdf5
        temps="[0, 100, 200, 300, 400, 500, 600, 700, 800, 900, 1000]" extra='is_N_U = true' ;;
  si-iso) ref=kappa-rta-iso-m999.hdf5 extra='isotope = true' ;;
  si-sigma) ref=kappa-rta-sigma0.1-m999.hdf5 extra=$'tetrahedron = false\nsigmas = [0.1]' ;;
  si-fullfc) ref=kappa-rta-fullfc-m999.hdf5 fc2=fc2-full.hdf5 fc3=fc3-full.hdf5 ;;
  # GR grid: velocity components that are zero by symmetry come out as ~1e-15 noise in
  # both codes; compare group_velocity on its scale (kappa and gv_by_gv stay elementwise).
  si-grg) ref=kappa-rta-grg-m30.hdf5 mesh=30 extra='use_grg = true' check_flags=(--scale group_velocity) ;;
  nacl) crystal=nacl-pbe ref=kappa-rta-m999.hdf5 ;;
  mgo) crystal=mgo ref=kappa-rta-m999.hdf5 ;;
  aln) crystal=aln-lda ref=kappa-rta-m775.hdf5 mesh="[7, 7, 5]" ;;
  # LBTE (f_vector compared on its scale: its symmetry-zero entries are rounding noise)
  si-lbte) mode=lbte ref=kappa-lbte-m999.hdf5 check_flags=(--scale f_vector) ;;
  si-lbte-reducible) mode=lbte ref=kappa-lbte-reducible-m555.hdf5 mesh="[5, 5, 5]"
                     extra='reducible_collision_matrix = true' check_flags=(--scale f_vector) ;;
  aln-lbte) mode=lbte crystal=aln-lda ref=kappa-lbte-m775.hdf5 mesh="[7, 7, 5]" check_flags=(--scale f_vector) ;;
  *) echo "unknown case $case_name" >&2; exit 2 ;;
esac
cat > "$work/config.toml" <<TOML
mode = "$mode"
phono3py_yaml = "$data/$crystal/phono3py.yaml"
fc2 = "$data/$crystal/$fc2"
fc3 = "$data/$crystal/$fc3"
output_dir = "$work/out"
mesh = $mesh
temperatures = $temps
gp_batch_size = $batch
$extra
TOML
timeout 600 "$mpiexec" "$@" -n "$np" "$ph3mpi" "$work/config.toml" | tee "$work/log"
grep -q "Thermal conductivity (W/m-k)" "$work/log"
if [ "$mode" = lbte ]; then test -e "$work"/out/coleigs-m*.hdf5; fi
shopt -s nullglob
files=("$work"/out/kappa-m*.hdf5)
# coleigs-*.hdf5 (LBTE) sits beside it
leftovers=("$work"/out/*.tmp)
test "${#files[@]}" -eq 1 || { echo "expected one kappa file, found: ${files[*]:-none}" >&2; exit 1; }
test "${#leftovers[@]}" -eq 0 || { echo "temporary files left: ${leftovers[*]}" >&2; exit 1; }
/usr/bin/python3 "$here/check_kappa_file.py" "${check_flags[@]}" "${files[0]}" "$data/$crystal/reference/$ref"
