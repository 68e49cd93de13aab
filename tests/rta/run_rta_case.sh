#!/usr/bin/env bash
# End to end: `mpiexec -n NP ph3mpi config.toml` in mode "rta" or "lbte" on one of the
# phono3py runs bundled under tests/data/<crystal>/runs/<run>/ (made with phono3py 4.4 on
# an AMD EPYC, see tests/data/README.md), fed the phonons that run used (read_phonon):
# with the tetrahedron method the results depend on the eigenvector basis inside
# degenerate subspaces, which LAPACK picks differently per CPU, so only the same phonons
# reproduce a run on every machine. The written kappa file (and coleigs for LBTE) is
# compared with the run's by check_kappa_file.py: structure (names, shapes, dtypes) and
# values at 1e-10 relative (entries below 1e-6 of a dataset's scale absolutely).
# group_velocity and gv_by_gv are compared on their scale: ph3mpi computes them from its own D(q) (they do
# not depend on the basis), and their near-zero components carry ~1e-13 THz Angstrom
# rounding that differs between BLAS kernels.
# Usage: run_rta_case.sh CASE NP BATCH DATA_DIR PH3MPI MPIEXEC [MPIEXEC_FLAGS...]
set -euo pipefail
case_name="$1" np="$2" batch="$3" data="$4" ph3mpi="$5" mpiexec="$6"
shift 6
here="$(cd "$(dirname "$0")" && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

crystal=si-pbesol fc2=fc2.hdf5 fc3=fc3.hdf5 mesh="[9, 9, 9]" temps="[300]" extra="" mode=rta
check_flags=(--rtol 1e-10 --scale group_velocity --scale gv_by_gv)
case "$case_name" in
  si) run=si-rta-m999 ;;
  si-T) run=si-rta-nu-T0-1000-m999
        temps="[0, 100, 200, 300, 400, 500, 600, 700, 800, 900, 1000]" extra='is_N_U = true' ;;
  si-iso) run=si-rta-iso-m999 extra='isotope = true' ;;
  si-sigma) run=si-rta-sigma0.1-m999 extra=$'tetrahedron = false\nsigmas = [0.1]' ;;
  # The same force constants expanded to full fc2/fc3: the same numbers as the compact run.
  si-fullfc) run=si-rta-m999 fc2=fc2-full.hdf5 fc3=fc3-full.hdf5 ;;
  si-grg) run=si-rta-grg-m30 mesh=30 extra='use_grg = true' ;;
  si-m888) run=si-rta-m888 mesh="[8, 8, 8]" ;;
  nacl) crystal=nacl-pbe run=nacl-rta-m999 ;;
  nacl-m666) crystal=nacl-pbe run=nacl-rta-m666 mesh="[6, 6, 6]" temps="[300, 700]" ;;
  # is_kappa_star = false (phono3py --noks): all 216 grid points, weight 1. mode_kappa on its
  # scale too: without the star sum its yz/xz/xy entries are products with near-zero velocity
  # components that carry the ~1e-13 THz Angstrom rounding of the group velocity (kappa 1e-10).
  nacl-noks) crystal=nacl-pbe run=nacl-rta-noks-m666 mesh="[6, 6, 6]" extra='is_kappa_star = false'
             check_flags+=(--scale mode_kappa) ;;
  mgo) crystal=mgo run=mgo-rta-m999 ;;
  mgo-m888) crystal=mgo run=mgo-rta-m888 mesh="[8, 8, 8]" ;;
  aln) crystal=aln-lda run=aln-rta-m775 mesh="[7, 7, 5]" ;;
  aln-m664) crystal=aln-lda run=aln-rta-m664 mesh="[6, 6, 4]" ;;
  # LBTE: f_vector and the collision eigenvalues on their scale (their symmetry-zero entries
  # and the null space are rounding noise in both codes).
  si-lbte) mode=lbte run=si-lbte-m999 ;;
  si-lbte-reducible) mode=lbte run=si-lbte-reducible-m555 mesh="[5, 5, 5]" extra='reducible_collision_matrix = true' ;;
  aln-lbte) mode=lbte crystal=aln-lda run=aln-lbte-m775 mesh="[7, 7, 5]" ;;
  nacl-lbte) mode=lbte crystal=nacl-pbe run=nacl-lbte-m555 mesh="[5, 5, 5]" ;;
  # Inter-band conductivity: kappa_inter compared on its scale (its off-diagonal entries are
  # rounding noise in both codes, and it is the difference of two numbers ~2500x larger).
  aln-njc23|aln-ibdb19|aln-smm19) crystal=aln-lda tt="${case_name#aln-}" run="aln-rta-$tt-m775" mesh="[7, 7, 5]"
                                  extra="transport_type = \"$tt\"" check_flags+=(--scale kappa_inter) ;;
  si-smm19) run=si-rta-smm19-m999 temps="[300, 800]" extra='transport_type = "smm19"' check_flags+=(--scale kappa_inter) ;;
  aln-lbte-njc23) mode=lbte crystal=aln-lda run=aln-lbte-njc23-m775 mesh="[7, 7, 5]" extra='transport_type = "njc23"'
                  check_flags+=(--scale kappa_inter) ;;
  # LBTE with the conjugate-gradient solver: the same kappa file (no coleigs: no eigenvalues).
  si-lbte-cg) mode=lbte run=si-lbte-m999 extra='lbte_solver = "cg"' ;;
  si-lbte-reducible-cg) mode=lbte run=si-lbte-reducible-m555 mesh="[5, 5, 5]"
                        extra=$'reducible_collision_matrix = true\nlbte_solver = "cg"' ;;
  aln-lbte-cg) mode=lbte crystal=aln-lda run=aln-lbte-m775 mesh="[7, 7, 5]" extra='lbte_solver = "cg"' ;;
  # Si's 8-atom conventional cell as the primitive cell: 24 bands, many degenerate sets.
  siconv8) crystal=si-conv8 run=siconv8-rta-m444 mesh="[4, 4, 4]" ;;
  siconv8-lbte) mode=lbte crystal=si-conv8 run=siconv8-lbte-m333 mesh="[3, 3, 3]" ;;
  siconv8-lbte-cg) mode=lbte crystal=si-conv8 run=siconv8-lbte-m333 mesh="[3, 3, 3]" extra='lbte_solver = "cg"' ;;
  *) echo "unknown case $case_name" >&2; exit 2 ;;
esac
[ "$mode" = lbte ] && check_flags+=(--scale f_vector --scale collision_eigenvalues)
run_dir="$data/$crystal/runs/$run"
phonon_file=("$run_dir"/phonon-m*.hdf5)
cat > "$work/config.toml" <<TOML
mode = "$mode"
phono3py_yaml = "$data/$crystal/phono3py.yaml"
fc2 = "$data/$crystal/$fc2"
fc3 = "$data/$crystal/$fc3"
read_phonon = "${phonon_file[0]}"
output_dir = "$work/out"
mesh = $mesh
temperatures = $temps
gp_batch_size = $batch
$extra
TOML
timeout 600 "$mpiexec" "$@" -n "$np" "$ph3mpi" "$work/config.toml" | tee "$work/log"
grep -q "Thermal conductivity (W/m-k)" "$work/log"
grep -q "phonons read from ${phonon_file[0]}" "$work/log"
shopt -s nullglob
files=("$work"/out/kappa-m*.hdf5)
leftovers=("$work"/out/*.tmp)
test "${#files[@]}" -eq 1 || { echo "expected one kappa file, found: ${files[*]:-none}" >&2; exit 1; }
test "${#leftovers[@]}" -eq 0 || { echo "temporary files left: ${leftovers[*]}" >&2; exit 1; }
ref=("$run_dir"/kappa-m*.hdf5)
test "$(basename "${files[0]}")" = "$(basename "${ref[0]}")" || { echo "file name differs from phono3py's" >&2; exit 1; }
/usr/bin/python3 "$here/check_kappa_file.py" "${check_flags[@]}" "${files[0]}" "${ref[0]}"
if [[ "$extra" == *'lbte_solver = "cg"'* ]]; then
  grep -q "conjugate gradient converged in" "$work/log"
  coleigs=("$work"/out/coleigs-m*.hdf5)
  test "${#coleigs[@]}" -eq 0 || { echo "coleigs written by the CG solver" >&2; exit 1; }
elif [ "$mode" = lbte ]; then
  /usr/bin/python3 "$here/check_kappa_file.py" "${check_flags[@]}" "$work"/out/coleigs-m*.hdf5 "$run_dir"/coleigs-m*.hdf5
fi
