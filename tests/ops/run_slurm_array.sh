#!/usr/bin/env bash
# Slurm test (c): the job-array template slurm/ph3mpi-array.sbatch on a local cluster
# (issue 15). The template is used as a user would: copied with only EDIT-marked lines
# changed (one rank per part, 3 parts), then run with bash on the "login node", which
# submits an array of 3 parts (`ph3mpi --part I/3`) and the assembly job with an afterany
# dependency on it. Checked: every part ends with status 0, says which part it is and what
# is left, and writes no kappa; the assembly job starts after the parts, computes no grid
# point (all restored) and writes the kappa file, which passes the reference check and is
# bit-identical (compare-kappa.py --rtol 0) to an uninterrupted run's.
# Usage: run_slurm_array.sh SRC_DIR DATA_DIR PH3MPI MPIEXEC CONFIG_REL
# Exit 77 (ctest skip) when no local Slurm can start.
set -euo pipefail
src="$1" data="$2" ph3mpi="$3" mpiexec="$4" config_rel="$5"
# shellcheck source=slurm_lib.sh
source "$src/tests/ops/slurm_lib.sh"
ops_in_cluster "$src" "$0" "$@"

ops_workspace "$src" "$data" "$config_rel"
trap 'rm -rf "$work"' EXIT
cd "$work"
name="$(basename "$config_rel")"
config="$work/config/$name"
ops_test_env

# The user's copy: only EDIT-marked lines change.
sed -e '/# EDIT/s/--ntasks-per-node=[0-9]*/--ntasks-per-node=1/' \
  -e '/# EDIT/s/^PH3MPI_PARTS="${PH3MPI_PARTS:-[0-9]*}"/PH3MPI_PARTS="${PH3MPI_PARTS:-3}"/' \
  "$src/slurm/ph3mpi-array.sbatch" >array.sbatch
changed="$(diff "$src/slurm/ph3mpi-array.sbatch" array.sbatch | grep -c '^>' || true)"
[ "$changed" -eq 2 ] || ops_fail "expected 2 changed EDIT lines, got $changed"
diff "$src/slurm/ph3mpi-array.sbatch" array.sbatch | grep '^>' | grep -vq 'EDIT' && ops_fail "a non-EDIT line changed"

echo "== submit: bash array.sbatch ($config_rel)"
PH3MPI_CONFIG="config/$name" PH3MPI_BIN="$ph3mpi" bash array.sbatch | tee submit.txt
array="$(sed -n 's/.*parts: array job \([0-9]*\) .*/\1/p' submit.txt)"
assembly="$(sed -n 's/.*assembly: job \([0-9]*\) after it.*/\1/p' submit.txt)"
[ -n "$array" ] && [ -n "$assembly" ] || ops_fail "the submission printed no job ids"

# Meanwhile the uninterrupted run, outside Slurm.
direct_out="$(ops_direct_run "$mpiexec" "$ph3mpi" "$config")"

result="$(ops_wait_job "$assembly" 240)"
echo "assembly job $assembly: $result"
for i in 1 2 3; do
  log="ph3mpi-part-${array}_$i.log"
  echo "----- $log"
  cat "$log" || ops_fail "no log of part $i"
  grep -q "ph3mpi-array: job .*: part $i/3; 1 ranks x 1 threads" "$log" || ops_fail "task $i did not run part $i/3"
  grep -q "^part $i/3: " "$log" || ops_fail "part $i/3 did not report its share"
  grep -q "^overall: [0-9]* of [0-9]* grid points done" "$log" || ops_fail "part $i/3 did not say what is left"
  grep -q "ph3mpi finished with status 0" "$log" || ops_fail "part $i/3 did not end with status 0"
done
echo "----- ph3mpi-assembly-$assembly.log"
cat "ph3mpi-assembly-$assembly.log"
echo "-----"
[ "$result" = "COMPLETED 0:0" ] || ops_fail "the assembly job ended as '$result', expected 'COMPLETED 0:0'"
grep -q "ph3mpi-array: job $assembly .*: assembly" "ph3mpi-assembly-$assembly.log" || ops_fail "not an assembly run"
grep -q ": 0 grid points computed, [0-9]* restored" "ph3mpi-assembly-$assembly.log" ||
  ops_fail "the assembly recomputed grid points the parts had done"
[ -z "$(squeue -h -o %i)" ] || ops_fail "jobs left in the queue"
out="$(ops_expected_output "$config")"
ops_check_output "$src" "$data" "$config" "$out"
/usr/bin/python3 "$src/scripts/compare-kappa.py" "$direct_out" "$out" --rtol 0 --quiet ||
  ops_fail "the assembled output differs from the uninterrupted run's"
echo "PASS: Slurm job array and assembly"
