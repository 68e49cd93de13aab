#!/usr/bin/env bash
# Slurm test (a): the single-run template slurm/ph3mpi.sbatch, submitted unmodified
# with sbatch to a local cluster, runs the example config to completion; the output is
# checked against the bundled reference. Also: all four templates pass
# `sbatch --test-only` (their #SBATCH lines are valid for a real sbatch).
# Usage: run_slurm_single.sh SRC_DIR DATA_DIR PH3MPI CONFIG_REL
# Exit 77 (ctest skip) when no local Slurm can start.
set -euo pipefail
src="$1" data="$2" ph3mpi="$3" config_rel="$4"
# shellcheck source=slurm_lib.sh
source "$src/tests/ops/slurm_lib.sh"
ops_in_cluster "$src" "$0" "$@"

ops_workspace "$src" "$data" "$config_rel"
trap 'rm -rf "$work"' EXIT
cd "$work"
config="$work/config/$(basename "$config_rel")"
ops_test_env

echo "== sbatch --test-only on every template"
for t in ph3mpi.sbatch ph3mpi-chain.sbatch ph3mpi-lbte.sbatch ph3mpi-array.sbatch; do
  sbatch --test-only "$src/slurm/$t" 2>&1 | tee "$work/testonly.txt"
  grep -q "to start at" "$work/testonly.txt" || ops_fail "sbatch --test-only rejected slurm/$t"
done

echo "== single run: $config_rel"
jid="$(PH3MPI_CONFIG="config/$(basename "$config_rel")" PH3MPI_BIN="$ph3mpi" \
  sbatch --parsable "$src/slurm/ph3mpi.sbatch")"
jid="${jid%%;*}"
echo "submitted job $jid"
result="$(ops_wait_job "$jid" 90)"
echo "job $jid: $result"
echo "----- ph3mpi-$jid.log"
cat "ph3mpi-$jid.log" || true
echo "-----"
[ "$result" = "COMPLETED 0:0" ] || ops_fail "job $jid ended as '$result', expected 'COMPLETED 0:0'"
grep -q "2 ranks x 1 threads" "ph3mpi-$jid.log" || ops_fail "the job did not run 2 ranks x 1 thread"
grep -q "ph3mpi finished with status 0" "ph3mpi-$jid.log" || ops_fail "no success line in the job log"
ops_check_output "$src" "$data" "$config" "$(ops_expected_output "$config")"
echo "PASS: single Slurm job"
