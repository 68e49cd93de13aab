#!/usr/bin/env bash
# Job-array parts without Slurm (issue 15): `ph3mpi --part I/3` for I = 1, 2, 3 started at
# the same time on one output_dir, then a plain run on it; the kappa file must be
# bit-identical to one uninterrupted run's, and the plain run must compute nothing.
#   rta : Si-PBEsol 9x9x9 (35 irreducible grid points), tetrahedron, 300 K
#   lbte: the same in mode lbte with isotope = true (ph-ph and isotope stages both split)
# Also checked: every part exits 0 without writing kappa and reports "part I/3" with what is
# left; the three shares are disjoint and cover every grid point (the PH3MPI_TRACE lines of
# site get_triplets_at_q name each grid point once over all parts); no staging folder is
# left in checkpoint/; --part with restart = false, with mode ise and a malformed --part
# are refused with one message.
# Usage: run_parts_case.sh MODE DATA_DIR PH3MPI MPIEXEC [MPIEXEC_FLAGS...]
set -euo pipefail
mode="$1" data="$2" ph3mpi="$3" mpiexec="$4"
shift 4
flags=("$@")
here="$(cd "$(dirname "$0")" && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
export OMP_NUM_THREADS=1
extra=""
[ "$mode" = lbte ] && extra="isotope = true"

# shellcheck source=si_case_lib.sh
source "$here/si_case_lib.sh"
write_config() {  # dir [more lines]
  write_si_config "$1" "$mode" "$1/out" "[9, 9, 9]" "[300]" "$data/si-pbesol/runs/si-$mode-m999/phonon-m999.hdf5" \
    "$extra"$'\n'"${2:-}"
}

# The uninterrupted run.
write_config "$work/ref"
timeout 600 "$mpiexec" "${flags[@]}" -n 2 "$ph3mpi" "$work/ref/config.toml" > "$work/ref/log"

# Three parts at once (one rank each), then the plain run.
write_config "$work/a"
pids=()
for i in 1 2 3; do
  PH3MPI_TRACE=1 timeout 600 "$mpiexec" "${flags[@]}" -n 1 "$ph3mpi" --part "$i/3" "$work/a/config.toml" \
    > "$work/a/part$i.log" 2> "$work/a/part$i.err" &
  pids+=($!)
done
for i in 1 2 3; do
  wait "${pids[$((i - 1))]}" || { cat "$work/a/part$i.log" "$work/a/part$i.err"; fail "part $i/3 did not exit 0"; }
  cat "$work/a/part$i.log"
  grep -q "part $i/3: " "$work/a/part$i.log" || fail "part $i/3 did not report its share"
  grep -q "overall: [0-9]* of 35 grid points done, [0-9]* pending" "$work/a/part$i.log" ||
    fail "part $i/3 did not say what is left"
done
shopt -s nullglob
kappa=("$work"/a/out/kappa-*.hdf5)
[ "${#kappa[@]}" -eq 0 ] || fail "a part wrote kappa: ${kappa[*]}"
staging=("$work"/a/out/checkpoint/.ph3mpi-tmp-*)
[ "${#staging[@]}" -eq 0 ] || fail "staging folders left in checkpoint/: ${staging[*]}"
# Every irreducible grid point was computed by exactly one part.
computed="$(cat "$work"/a/part*.err | grep 'site=get_triplets_at_q' | sed 's/.* gp=\([0-9]*\).*/\1/')"
[ "$(sort <<<"$computed" | uniq | wc -l)" -eq 35 ] || fail "the parts did not cover the 35 grid points"
[ "$(wc -l <<<"$computed")" -eq 35 ] || fail "a grid point was computed by two parts"
grep -q "overall: 35 of 35 grid points done, 0 pending" "$work"/a/part*.log || true  # the last one to end sees all

timeout 600 "$mpiexec" "${flags[@]}" -n 2 "$ph3mpi" "$work/a/config.toml" > "$work/a/log"
cat "$work/a/log"
grep -q "checkpoint ph-ph .*: resumed, 35 grid points restored" "$work/a/log" || fail "the plain run did not resume"
grep -q ": 0 grid points computed, 35 restored" "$work/a/log" || fail "the plain run recomputed grid points"
if [ "$mode" = lbte ]; then
  grep -q "isotope: 0 grid points computed, 35 restored" "$work/a/log" || fail "isotope Gamma was recomputed"
fi
/usr/bin/python3 "$here/compare_exact.py" "$work/a/out/kappa-m999.hdf5" "$work/ref/out/kappa-m999.hdf5"
if [ "$mode" = lbte ]; then
  /usr/bin/python3 "$here/compare_exact.py" "$work/a/out/coleigs-m999.hdf5" "$work/ref/out/coleigs-m999.hdf5"
fi

# Refusals: one message each, exit 1.
refuse() {  # what expected-fragment ph3mpi-args...
  local what="$1" fragment="$2"
  shift 2
  if timeout 300 "$mpiexec" "${flags[@]}" -n 2 "$ph3mpi" "$@" > "$work/r.log" 2> "$work/r.err"; then
    fail "$what was accepted"
  fi
  grep -q -- "$fragment" "$work/r.err" || { cat "$work/r.err"; fail "$what: no '$fragment' in the message"; }
  [ "$(grep -c "ph3mpi: error" "$work/r.err")" -eq 1 ] || { cat "$work/r.err"; fail "$what: not one message"; }
}
write_config "$work/b" "restart = false"
refuse "--part with restart = false" "would delete what the other parts computed" --part 1/2 "$work/b/config.toml"
refuse "--part 4/3" "expected I/N with 1 <= I <= N" --part 4/3 "$work/a/config.toml"
sed -i 's/^mode = .*/mode = "ise"\ngrid_points = [1]/' "$work/b/config.toml"
sed -i '/^restart/d' "$work/b/config.toml"
refuse "--part with mode ise" "job-array parts are for modes rta and lbte" --part 1/2 "$work/b/config.toml"
echo "parts case $mode passed"
