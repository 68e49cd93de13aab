#!/usr/bin/env bash
# Runs one bad-input case and checks that ph3mpi fails the way it must:
#   - it ends within the timeout (a hang is a failure),
#   - the exit code is non-zero,
#   - every line of <case>/expect (and of <case>/expect.mpirank<N> if present)
#     appears in stderr,
#   - (<case>/env, if present: VAR=value lines added to the run's environment)
#   - exactly one error message is printed (no copy per rank),
#   - nothing is written: no new file anywhere in the case folder, and the
#     config's output_dir ("out") does not exist or is empty.
#
# usage: run_bad_input.sh CASE_DIR DATA_DIR NRANKS TIMEOUT_S PROGRAM MPIEXEC [MPIEXEC_FLAGS...]
#
# The case is copied to a fresh temp tree laid out like the source tree
# (TMP/cli/bad_input/<case>/ next to TMP/data -> DATA_DIR), so the configs' relative
# paths ../../../data/<crystal>/... resolve and any stray output lands in the copy.
set -u

case_dir=$1
data_dir=$2
nranks=$3
timeout_s=$4
program=$5
shift 5
mpiexec_cmd=("$@")

case_name=$(basename "$case_dir")
tmp=$(mktemp -d "${TMPDIR:-/tmp}/ph3mpi-bad-input-${case_name}-XXXXXX")
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/cli/bad_input"
cp -R "$case_dir" "$tmp/cli/bad_input/$case_name"
ln -s "$data_dir" "$tmp/data"
work="$tmp/cli/bad_input/$case_name"

fail() {
  echo "FAIL [$case_name, $nranks rank(s)]: $*"
  echo "----- stdout"
  cat "$tmp/stdout" 2>/dev/null
  echo "----- stderr"
  cat "$tmp/stderr" 2>/dev/null
  exit 1
}

[[ -f "$work/expect" ]] || fail "the case has no expect file"
(cd "$work" && find . -print | sort) > "$tmp/before.txt"

# <case>/env: extra environment for the run, one VAR=value per line (e.g. OMP_NUM_THREADS).
extra_env=()
if [[ -f "$work/env" ]]; then
  while IFS= read -r line || [[ -n "$line" ]]; do
    [[ -n "$line" ]] && extra_env+=("$line")
  done < "$work/env"
fi
env "${extra_env[@]}" timeout -k 10 "$timeout_s" "${mpiexec_cmd[@]}" -n "$nranks" "$program" "$work/config.toml" \
  > "$tmp/stdout" 2> "$tmp/stderr"
rc=$?

if [[ $rc -eq 124 || $rc -eq 137 ]]; then
  fail "no exit within ${timeout_s} s (hang)"
fi
[[ $rc -ne 0 ]] || fail "exit code 0 for bad input"

while IFS= read -r line || [[ -n "$line" ]]; do
  [[ -z "$line" ]] && continue
  grep -qF -- "$line" "$tmp/stderr" || fail "stderr lacks the expected line: $line"
done < "$work/expect"
if [[ -f "$work/expect.mpirank$nranks" ]]; then
  while IFS= read -r line || [[ -n "$line" ]]; do
    [[ -z "$line" ]] && continue
    grep -qF -- "$line" "$tmp/stderr" || fail "stderr lacks the expected line: $line"
  done < "$work/expect.mpirank$nranks"
fi

count=$(grep -c "ph3mpi: error" "$tmp/stderr")
[[ "$count" -eq 1 ]] || fail "expected exactly one 'ph3mpi: error' message, found $count"
grep -q "ph3mpi: error" "$tmp/stdout" && fail "the error message went to stdout"

(cd "$work" && find . -print | sort) > "$tmp/after.txt"
if ! diff -q "$tmp/before.txt" "$tmp/after.txt" > /dev/null; then
  fail "files were written: $(diff "$tmp/before.txt" "$tmp/after.txt" | grep '^>' | tr '\n' ' ')"
fi
if [[ -d "$work/out" ]] && [[ -n "$(ls -A "$work/out")" ]]; then
  fail "output_dir is not empty"
fi
echo "PASS [$case_name, $nranks rank(s)]: $(grep "ph3mpi: error" "$tmp/stderr")"
exit 0
