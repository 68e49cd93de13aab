#!/usr/bin/env bash
# degenerate_average makes results independent of the eigenvector basis inside degenerate
# subspaces (issue 11): CASE runs four times on 2 ranks, with degenerate_average on and off,
# fed a phono3py phonon file and a copy whose eigenvectors are rotated by random unitaries
# inside every degenerate set (scripts/rotate_phonons.py). Averaged: every dataset
# equal to 1e-12; plain: the rotation changes gamma (printed, must be > 1e-9 except rse).
# Usage: run_rotation_case.sh CASE DATA_DIR PH3MPI MPIEXEC [MPIEXEC_FLAGS...]
set -euo pipefail
case_name="$1" data="$2" ph3mpi="$3" mpiexec="$4"
shift 4
here="$(cd "$(dirname "$0")" && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
fc3_line() { echo "fc3 = \"$data/$1/fc3.hdf5\""; }
case "$case_name" in
  si-rta-iso) crystal=si-pbesol phonons=runs/si-rta-m999/phonon-m999.hdf5 out=kappa-m999.hdf5
              body=$'mode = "rta"\nmesh = [9, 9, 9]\ntemperatures = [300, 600]\nisotope = true\nis_N_U = true'
              differ=(gamma gamma_isotope kappa) ;;
  si-lbte) crystal=si-pbesol phonons=runs/si-lbte-m999/phonon-m999.hdf5 out=kappa-m999.hdf5
           body=$'mode = "lbte"\nmesh = [9, 9, 9]\ntemperatures = [300]'
           differ=(gamma kappa kappa_RTA) ;;
  aln-lbte) crystal=aln-lda phonons=runs/aln-lbte-m775/phonon-m775.hdf5 out=kappa-m775.hdf5
            body=$'mode = "lbte"\nmesh = [7, 7, 5]\ntemperatures = [300]'
            differ=(gamma kappa) ;;
  si-lbte-reducible) crystal=si-pbesol phonons=runs/si-lbte-reducible-m555/phonon-m555.hdf5 out=kappa-m555.hdf5
                     body=$'mode = "lbte"\nmesh = [5, 5, 5]\ntemperatures = [300]\nreducible_collision_matrix = true'
                     differ=(gamma kappa) ;;
  nacl-ise) crystal=nacl-pbe phonons=reference/phonon-m999.hdf5 out=ise-m999.hdf5
            body=$'mode = "ise"\nmesh = [9, 9, 9]\ngrid_points = [105, 2, 10]\ntemperatures = [300]\nnum_frequency_points = 51'
            differ=(gamma) ;;
  si-rse) crystal=si-pbesol phonons=reference/phonon-m999.hdf5 out=rse-m999.hdf5
          body=$'mode = "rse"\nmesh = [9, 9, 9]\ngrid_points = [105, 2]\ntemperatures = [300]\nepsilons = [0.1]'
          # The principal-value weights of the real self energy hardly split degenerate bands,
          # so Delta barely depends on the basis even without averaging (printed).
          differ=() ;;
  *) echo "unknown case $case_name" >&2; exit 2 ;;
esac
rotated="$work/rotated-$(basename "$phonons")"
echo "rotated degenerate sets: $(/usr/bin/python3 "$here/../../scripts/rotate_phonons.py" "$data/$crystal/$phonons" "$rotated" 11)"
for average in true false; do
  for basis in original rotated; do
    name="$average-$basis"
    file="$data/$crystal/$phonons"
    [ "$basis" = rotated ] && file="$rotated"
    cat > "$work/$name.toml" <<TOML
phono3py_yaml = "$data/$crystal/phono3py.yaml"
fc2 = "$data/$crystal/fc2.hdf5"
$(fc3_line "$crystal")
output_dir = "$work/$name"
read_phonon = "$file"
degenerate_average = $average
$body
TOML
    OMP_NUM_THREADS=1 timeout 300 "$mpiexec" "$@" -n 2 "$ph3mpi" "$work/$name.toml" > "$work/$name.log"
  done
done
flags=()
for d in "${differ[@]+"${differ[@]}"}"; do flags+=(--must-differ "$d"); done
/usr/bin/python3 "$here/compare_rotation.py" "$work/true-original/$out" "$work/true-rotated/$out" \
  "$work/false-original/$out" "$work/false-rotated/$out" "${flags[@]}"
