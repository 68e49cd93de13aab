#!/usr/bin/env bash
# End-to-end: the grid-point modes (ise, rse, jdos, isotope) compute their grid points over
# all ranks (driver/grid_point_modes.hpp) and write the same files at any rank count.
#   1. ise over 6 grid points at NP ranks with PH3MPI_TRACE=1: trace lines of the
#      Interaction kernel come from every rank 0..NP-1, and ise-m999.hdf5 is bit-identical
#      to the 1-rank run's;
#   2. ise variants (grid point listed twice, band_indices, is_full_pp, write_pp,
#      write_gamma_detail, frequency points, is_N_U), rse (epsilons, frequency points),
#      jdos (weighted) and isotope at NP ranks with PH3MPI_GP_BATCH_SIZE=2: every file
#      (the per-grid-point pp and gamma_detail files included) bit-identical to 1 rank.
# Usage: run_grid_point_modes_case.sh DATA_DIR NP PH3MPI MPIEXEC [MPIEXEC_FLAGS...]
set -euo pipefail
data="$1" np="$2" ph3mpi="$3" mpiexec="$4"
shift 4
mpiexec_flags=("$@")
crystal="$data/si-pbesol"
here="$(dirname "$0")"
work="$(mktemp -d "${TMPDIR:-/tmp}/ph3mpi-grid-point-modes-XXXXXX")"
trap 'rm -rf "$work"' EXIT
config() {  # name, ranks, lines...
  local name=$1 ranks=$2
  shift 2
  cat > "$work/$name-$ranks.toml" <<TOML
phono3py_yaml = "$crystal/phono3py.yaml"
fc2 = "$crystal/fc2.hdf5"
fc3 = "$crystal/fc3.hdf5"
output_dir = "$work/np$ranks/$name"
mesh = [9, 9, 9]
TOML
  printf '%s\n' "$@" >> "$work/$name-$ranks.toml"
}
run() {  # name, ranks
  timeout 300 "$mpiexec" "${mpiexec_flags[@]}" -n "$2" "$ph3mpi" "$work/$1-$2.toml"
}

cases=(ise6 ise_variants rse jdos isotope)
for ranks in 1 "$np"; do
  config ise6 "$ranks" 'mode = "ise"' 'grid_points = [0, 1, 2, 3, 30, 105]' 'temperatures = [300]' \
    'tetrahedron = false' 'sigmas = [0.1]'
  config ise_variants "$ranks" 'mode = "ise"' 'grid_points = [105, 2, 105]' 'temperatures = [0, 300]' \
    'tetrahedron = true' 'sigmas = [0.1]' 'band_indices = [0, 3, 5]' 'is_full_pp = true' 'write_pp = true' \
    'write_gamma_detail = true' 'num_frequency_points = 11' 'is_N_U = true'
  config rse "$ranks" 'mode = "rse"' 'grid_points = [105, 2, 30]' 'temperatures = [300]' \
    'epsilons = [0.05, 0.1]' 'num_frequency_points = 11'
  config jdos "$ranks" 'mode = "jdos"' 'grid_points = [105, 2, 30]' 'temperatures = [300]' \
    'tetrahedron = true' 'sigmas = [0.1]'
  config isotope "$ranks" 'mode = "isotope"' 'grid_points = [105, 2, 30]' 'tetrahedron = true' 'sigmas = [0.1]'
done

# 1. every rank computes.
run ise6 1
PH3MPI_TRACE=1 run ise6 "$np" 2> "$work/trace.err"
for ((r = 0; r < np; ++r)); do
  count=$(grep -c "^\[ph3mpi.trace\] rank=$r .*site=Interaction gp=" "$work/trace.err" || true)
  echo "rank $r: $count Interaction trace lines"
  if [[ "$count" -lt 1 ]]; then
    echo "FAIL: no trace line of rank $r"
    cat "$work/trace.err"
    exit 1
  fi
done
total=$(grep -c "site=Interaction gp=" "$work/trace.err")
[[ "$total" -eq 6 ]] || { echo "FAIL: $total Interaction trace lines for 6 grid points"; exit 1; }

# 2. the other modes and variants, NP ranks in batches of 2 grid points.
for name in "${cases[@]:1}"; do
  run "$name" 1
  PH3MPI_GP_BATCH_SIZE=2 run "$name" "$np"
done
for name in "${cases[@]}"; do
  echo "== $name: 1 rank vs $np ranks"
  /usr/bin/python3 -B "$here/check_same_hdf5.py" "$work/np1/$name" "$work/np$np/$name"
done
ls "$work/np$np/ise_variants"
