#!/usr/bin/env bash
# Checkpoint reuse across isotope and boundary settings (issue 15): ph-ph results and
# isotope Gamma live in checkpoint stages of their own, so on one output_dir
#   1. a run without isotope                            (ph-ph: 35 computed)
#   2. isotope = true                 -> ph-ph 0 computed, isotope 35 computed
#   3. mass_variances = [1e-4]        -> ph-ph 0, isotope 35 (another keyed stage)
#   4. isotope = true again           -> ph-ph 0, isotope 0 (the stage of step 2 reused)
#   5. boundary_mfp = 1000            -> nothing computed
# Each run's log says so, and with PH3MPI_TRACE no ph-ph kernel (site Interaction) runs in
# steps 2-5. Every kappa file is bit-identical to a run of the same settings into a fresh
# output_dir; mode rta step 2 also matches phono3py's isotope run (si-rta-iso-m999) at 1e-10
# and step 1 its plain run (si-rta-m999).
# Usage: run_stage_reuse_case.sh MODE DATA_DIR PH3MPI MPIEXEC [MPIEXEC_FLAGS...]
set -euo pipefail
mode="$1" data="$2" ph3mpi="$3" mpiexec="$4"
shift 4
flags=("$@")
here="$(cd "$(dirname "$0")" && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
export OMP_NUM_THREADS=1
# shellcheck source=si_case_lib.sh
source "$here/si_case_lib.sh"
phonons="$data/si-pbesol/runs/si-$mode-m999/phonon-m999.hdf5"
[ "$mode" = rta ] && phonons="$data/si-pbesol/runs/si-rta-iso-m999/phonon-m999.hdf5"

write_config() {  # dir output_dir extra-lines
  write_si_config "$1" "$mode" "$2" "[9, 9, 9]" "[300]" "$phonons" "$3"
}
run() {  # step extra-lines: on the shared folder (traced) and into a fresh one
  write_config "$work/$1" "$work/shared" "$2"
  PH3MPI_TRACE=1 timeout 600 "$mpiexec" "${flags[@]}" -n 2 "$ph3mpi" "$work/$1/config.toml" \
    > "$work/$1/log" 2> "$work/$1/err"
  grep -E "^$(tr a-z A-Z <<<"$mode"): " "$work/$1/log"
  cp "$work/shared/kappa-m999.hdf5" "$work/$1/kappa.hdf5"
  write_config "$work/$1/fresh" "$work/$1/fresh/out" "$2"
  timeout 600 "$mpiexec" "${flags[@]}" -n 2 "$ph3mpi" "$work/$1/fresh/config.toml" > "$work/$1/fresh/log"
  /usr/bin/python3 "$here/compare_exact.py" "$work/$1/kappa.hdf5" "$work/$1/fresh/out/kappa-m999.hdf5"
}
expect() {  # step phph-computed isotope-computed(or -)
  grep -q ": $2 grid points computed, " "$work/$1/log" || fail "step $1: ph-ph did not compute $2 grid points"
  if [ "$3" != - ]; then
    grep -q "isotope: $3 grid points computed" "$work/$1/log" || fail "step $1: isotope did not compute $3"
  fi
  if [ "$2" = 0 ] && grep -q "site=Interaction" "$work/$1/err"; then fail "step $1: a ph-ph kernel ran"; fi
}

run 1 ""
expect 1 35 -
run 2 "isotope = true"
expect 2 0 35
run 3 "mass_variances = [1e-4, 1e-4]"
expect 3 0 35
run 4 "isotope = true"
expect 4 0 0
grep -q "checkpoint isotope .*: resumed, 35 grid points restored" "$work/4/log" || fail "step 4 did not resume isotope"
run 5 $'isotope = true\nboundary_mfp = 1000'
expect 5 0 0
/usr/bin/python3 "$here/compare_exact.py" "$work/4/kappa.hdf5" "$work/2/kappa.hdf5"
if [ "$mode" = rta ]; then
  check=(/usr/bin/python3 "$here/check_kappa_file.py" --rtol 1e-10 --scale group_velocity --scale gv_by_gv)
  "${check[@]}" "$work/1/kappa.hdf5" "$data/si-pbesol/runs/si-rta-m999/kappa-m999.hdf5"
  "${check[@]}" "$work/2/kappa.hdf5" "$data/si-pbesol/runs/si-rta-iso-m999/kappa-m999.hdf5"
fi
echo "stage reuse case $mode passed"
