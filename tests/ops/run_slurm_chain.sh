#!/usr/bin/env bash
# Slurm test (b): the restart chain of slurm/ph3mpi-chain.sbatch on a local cluster.
#
# The template is used as a user would: copied, with only its EDIT-marked lines changed
# (wall time 1 minute, warning 55 s before the limit, MAX_LINKS). Checked:
#   1. The real chain. Link 1 runs past its time limit, Slurm's --signal warning
#      (SIGUSR1) reaches the script, which stops the payload, resubmits itself with an
#      afterany dependency and exits; link 2 runs ph3mpi to completion and ends the
#      chain. The output must pass the reference check and equal (compare-kappa.py,
#      rtol 0: bit for bit) the output of an uninterrupted run at the same rank count.
#      Honest note: with a quick example (mode phonons today) ph3mpi itself finishes in
#      seconds, far below the 1-minute minimum Slurm time limit, so link 1 uses the
#      template's test hook PH3MPI_CHAIN_TEST_STALL: before ph3mpi starts it runs `sleep`
#      under the same signal handling as ph3mpi. What is tested for real: Slurm's
#      signal, the stop, the resubmission, the dependency, the chain bookkeeping, and
#      ph3mpi completing in the resubmitted job (and, with an RTA config, resuming from
#      whatever checkpoint exists). ph3mpi being interrupted mid-run is covered by
#      the restart tests of the RTA service (kill -9 and re-run).
#   2. The MAX_LINKS guard: with MAX_LINKS=1 a stopped link gives up (status 3) instead
#      of resubmitting. The stop is requested with `scancel --batch --signal=USR1`, the
#      manual form of the warning, to keep the test short.
#   3. scancel (SIGTERM) stops the chain without resubmission (status 4).
# Usage: run_slurm_chain.sh SRC_DIR DATA_DIR PH3MPI MPIEXEC CONFIG_REL
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

# The user's copy of the template: only EDIT-marked lines change.
make_template() { # make_template OUT MAX_LINKS
  sed -e '/# EDIT/s/--time=[0-9:-]*/--time=1/' \
    -e '/# EDIT/s/--signal=B:USR1@[0-9]*/--signal=B:USR1@55/' \
    -e "/# EDIT/s/^MAX_LINKS=\"\${MAX_LINKS:-[0-9]*}\"/MAX_LINKS=\"\${MAX_LINKS:-$2}\"/" \
    "$src/slurm/ph3mpi-chain.sbatch" >"$1"
  local changed
  changed="$(diff "$src/slurm/ph3mpi-chain.sbatch" "$1" | grep -c '^>' || true)"
  [ "$changed" -eq 3 ] || ops_fail "expected 3 changed EDIT lines in $1, got $changed"
  diff "$src/slurm/ph3mpi-chain.sbatch" "$1" | grep '^>' | grep -vq 'EDIT' && ops_fail "a non-EDIT line changed"
  return 0
}

submit_chain() { # submit_chain TEMPLATE CHAIN_DIR STALL_S -> job id
  PH3MPI_CONFIG="config/$name" PH3MPI_BIN="$ph3mpi" PH3MPI_CHAIN_DIR="$2" PH3MPI_CHAIN_TEST_STALL="$3" \
    sbatch --parsable "$1" | cut -d';' -f1
}

wait_log() { # wait_log FILE PATTERN TIMEOUT_S
  local t=0
  until grep -q "$2" "$1" 2>/dev/null; do
    sleep 0.5
    t=$((t + 1))
    [ "$t" -lt $((2 * $3)) ] || ops_fail "no '$2' in $1 after $3 s"
  done
}

show() {
  local f
  for f in "$@"; do
    echo "----- $f"
    cat "$f" 2>/dev/null || echo "(missing)"
  done
  echo "-----"
}

echo "== 2. MAX_LINKS guard"
make_template chain-max1.sbatch 1
jid="$(submit_chain chain-max1.sbatch "$work/chain-max1" 300)"
wait_log "$work/chain-max1/chain.log" "test hook: stalling" 30
scancel --batch --signal=USR1 "$jid"
result="$(ops_wait_job "$jid" 60)"
show "$work/chain-max1/chain.log"
[ "$result" = "FAILED 3:0" ] || ops_fail "guard job $jid ended as '$result', expected 'FAILED 3:0'"
grep -q "giving up" "$work/chain-max1/chain.log" || ops_fail "no 'giving up' in the chain log"
[ -z "$(squeue -h -o %i)" ] || ops_fail "the guard resubmitted a job"

echo "== 3. scancel stops the chain"
make_template chain.sbatch 5
jid="$(submit_chain chain.sbatch "$work/chain-cancel" 300)"
wait_log "$work/chain-cancel/chain.log" "test hook: stalling" 30
scancel "$jid"
result="$(ops_wait_job "$jid" 60)"
sleep 1
show "$work/chain-cancel/chain.log"
[ "$result" = "CANCELLED 0:15" ] || echo "note: cancelled job $jid ended as '$result'"
grep -q "chain stopped" "$work/chain-cancel/chain.log" || ops_fail "no 'chain stopped' after scancel"
[ -z "$(squeue -h -o %i)" ] || ops_fail "scancel led to a resubmission"

echo "== 1. chain: link 1 hits its time limit, link 2 finishes ($config_rel)"
t0=$(date +%s)
jid1="$(submit_chain chain.sbatch "$work/chain" 300)"
echo "link 1: job $jid1"
# Meanwhile (link 1 only sleeps) the uninterrupted run, same rank count, outside Slurm.
direct_out="$(ops_direct_run "$mpiexec" "$ph3mpi" "$config")"
result1="$(ops_wait_job "$jid1" 100)"
echo "link 1 (job $jid1): $result1 after $(($(date +%s) - t0)) s"
jid2="$(sed -n 's/.*resubmitted as job \([0-9]*\).*/\1/p' "$work/chain/chain.log")"
[ -n "$jid2" ] || {
  show "$work/chain/chain.log" "ph3mpi-chain-$jid1.log"
  ops_fail "link 1 did not resubmit"
}
result2="$(ops_wait_job "$jid2" 90)"
echo "link 2 (job $jid2): $result2 after $(($(date +%s) - t0)) s"
show "$work/chain/chain.log" "ph3mpi-chain-$jid1.log" "ph3mpi-chain-$jid2.log"
[ "$result1" = "COMPLETED 0:0" ] || ops_fail "link 1 ended as '$result1'"
[ "$result2" = "COMPLETED 0:0" ] || ops_fail "link 2 ended as '$result2'"
grep -q "link=1/5 stopped at the time limit; resubmitted as job $jid2" "$work/chain/chain.log" ||
  ops_fail "chain log lacks link 1's resubmission"
grep -q "job=$jid2 link=2/5 ph3mpi finished: run complete" "$work/chain/chain.log" ||
  ops_fail "chain log lacks link 2's completion"
grep -q "SIGUSR1" "ph3mpi-chain-$jid1.log" || ops_fail "link 1 was not stopped by Slurm's SIGUSR1"
[ -z "$(squeue -h -o %i)" ] || ops_fail "jobs left after the chain finished"
out="$(ops_expected_output "$config")"
ops_check_output "$src" "$data" "$config" "$out"
/usr/bin/python3 "$src/scripts/compare-kappa.py" "$direct_out" "$out" --rtol 0 --quiet ||
  ops_fail "the chained output differs from the uninterrupted run's"
echo "PASS: Slurm restart chain"
