#!/usr/bin/env bash
# Reliability of a run against its surroundings (issue 16), end to end.
# Usage: run_reliability.sh SCENARIO DATA_DIR PH3MPI MPIEXEC [MPIEXEC_FLAGS...]
#   concurrent  : two identical runs started together on one output_dir, 3 rounds (and one
#                 where the second starts mid-run): exactly one refuses at once ("is in use
#                 by PID ... on host ..."), the other finishes with kappa bit-identical to a
#                 run alone; nothing of either is left behind (lock, temporary folders)
#   symlinks    : symbolic links planted at every temporary and final name a run writes
#                 (kappa-m999.hdf5(.tmp), checkpoint/manifest.json.tmp, gp-N.h5(.tmp),
#                 phonon-m999.hdf5, ise-m999.hdf5) point at a file outside: it stays untouched,
#                 nothing appears outside the output folder, the results are right
#   kill9       : every rank of a 2-rank run killed with SIGKILL half way, then the same run
#                 again: the stale lock is taken over and the killed ranks' temporary folders
#                 removed, with a note each; kappa bit-identical to an uninterrupted run (2 rounds)
#   permissions : as an unprivileged user (root drops to nobody): an unreadable fc3, an
#                 unreadable config and an output_dir that may not be written are refused
#                 naming "permission denied" and the path; exit 77 (skipped) when no
#                 unprivileged user is available
set -euo pipefail
scenario="$1" data="$2" ph3mpi="$3" mpiexec="$4"
shift 4
flags=("$@")
here="$(cd "$(dirname "$0")" && pwd)"
compare_exact="$here/../rta/compare_exact.py"
work="$(mktemp -d "${TMPDIR:-/tmp}/ph3mpi-reliability-XXXXXX")"
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT
export OMP_NUM_THREADS=1

fail() {
  echo "FAIL [$scenario]: $*" >&2
  exit 1
}

write_config() {  # dir crystal mesh mode [extra lines]
  mkdir -p "$1"
  cat > "$1/config.toml" <<TOML
mode = "$4"
phono3py_yaml = "$data/$2/phono3py.yaml"
fc2 = "$data/$2/fc2.hdf5"
fc3 = "$data/$2/fc3.hdf5"
output_dir = "$1/out"
mesh = $3
temperatures = [300]
${5:-}
TOML
}
run() {  # dir np [log]; on failure the run's stderr is shown and the status returned
  local rc=0
  timeout 300 "$mpiexec" "${flags[@]}" -n "$2" "$ph3mpi" "$1/config.toml" > "$1/${3:-log}" 2> "$1/${3:-log}.err" || rc=$?
  [ "$rc" -eq 0 ] || { echo "run in $1 exited with $rc:" >&2; cat "$1/${3:-log}.err" >&2; }
  return "$rc"
}
# Nothing of a run may stay behind: no lock, no temporary folder, no *.tmp.
no_leftovers() {  # out
  local left
  left="$(find "$1" \( -name '.ph3mpi-lock*' -o -name '.ph3mpi-tmp-*' -o -name '*.tmp' \) -print)"
  [ -z "$left" ] || fail "left behind: $left"
}

case "$scenario" in
  concurrent)
    # Si 19x19x19 (220 ir grid points, ~5 s at 2 ranks): long enough that the two runs of a
    # round overlap even when the second mpirun starts seconds late on a loaded machine
    # (with 11x11x11, ~1 s since the issue-13 kernels, a late start could find the first
    # run finished, and both would rightly succeed).
    write_config "$work/ref" si-pbesol "[19, 19, 19]" rta
    run "$work/ref" 2
    for round in 1 2 3 4; do
      dir="$work/round$round"
      write_config "$dir" si-pbesol "[19, 19, 19]" rta
      ( rc=0; run "$dir" 2 log.a || rc=$?; echo "$rc" > "$dir/rc.a" ) &
      pids+=($!)
      if [ "$round" -eq 4 ]; then  # the second one starts while the first computes
        for _ in $(seq 1 1000); do
          ls "$dir"/out/checkpoint/*/gp-*.h5 > /dev/null 2>&1 && break
          sleep 0.01
        done
      fi
      ( rc=0; run "$dir" 2 log.b || rc=$?; echo "$rc" > "$dir/rc.b" ) &
      pids+=($!)
      wait
      pids=()
      a="$(cat "$dir/rc.a")"
      b="$(cat "$dir/rc.b")"
      echo "round $round: exit codes $a and $b"
      if [ "$a" -eq 0 ] && [ "$b" -ne 0 ]; then loser=b; elif [ "$b" -eq 0 ] && [ "$a" -ne 0 ]; then loser=a; else
        cat "$dir"/log.*.err >&2
        fail "round $round: expected exactly one run to finish and one to refuse"
      fi
      grep -E "ph3mpi: error: output_dir $dir/out is in use by PID [0-9]+ on host [^ ]+ \(since " "$dir/log.$loser.err" ||
        fail "round $round: the refusal does not name the holder: $(cat "$dir/log.$loser.err")"
      [ "$(grep -c 'ph3mpi: error' "$dir/log.$loser.err")" -eq 1 ] || fail "round $round: not exactly one error message"
      /usr/bin/python3 "$compare_exact" "$dir/out/kappa-m191919.hdf5" "$work/ref/out/kappa-m191919.hdf5"
      no_leftovers "$dir/out"
    done
    ;;

  symlinks)
    victims="$work/victims"
    mkdir -p "$victims"
    echo precious > "$victims/target"
    find "$victims" -printf "%p %s %T@\n" | sort > "$work/victims.before"
    write_config "$work/ref" si-pbesol "[9, 9, 9]" rta
    run "$work/ref" 2
    # The same run again on the same folder: learn the checkpoint's folder, then plant links
    # at every name it writes and re-run with the shards gone (they are recomputed).
    write_config "$work/a" si-pbesol "[9, 9, 9]" rta
    run "$work/a" 2
    shard_dir="$(dirname "$(ls "$work"/a/out/checkpoint/*/gp-*.h5 | head -1)")"
    rm -f "$shard_dir"/gp-*.h5 "$work/a/out/kappa-m999.hdf5"
    for gp in $(seq 0 800); do
      ln -s "$victims/target" "$shard_dir/gp-$gp.h5.tmp"
    done
    ln -s "$victims/target" "$shard_dir/gp-0.h5"
    ln -s "$victims/target" "$work/a/out/kappa-m999.hdf5"
    ln -s "$victims/target" "$work/a/out/kappa-m999.hdf5.tmp"
    ln -s "$victims/target" "$work/a/out/checkpoint/manifest.json.tmp"
    run "$work/a" 2
    [ ! -L "$work/a/out/kappa-m999.hdf5" ] || fail "kappa-m999.hdf5 is still the planted link"
    /usr/bin/python3 "$compare_exact" "$work/a/out/kappa-m999.hdf5" "$work/ref/out/kappa-m999.hdf5"
    # Modes phonons and ise (rank 0 writes) with links at their output names.
    write_config "$work/p" si-pbesol "[9, 9, 9]" phonons
    mkdir -p "$work/p/out"
    ln -s "$victims/target" "$work/p/out/phonon-m999.hdf5"
    ln -s "$victims/target" "$work/p/out/phonon-m999.hdf5.tmp"
    run "$work/p" 2
    [ ! -L "$work/p/out/phonon-m999.hdf5" ] || fail "phonon-m999.hdf5 is still the planted link"
    /usr/bin/python3 -c "import h5py,sys; f=h5py.File(sys.argv[1]); assert f['frequency'].shape[1] == 6" \
      "$work/p/out/phonon-m999.hdf5"
    write_config "$work/i" si-pbesol "[9, 9, 9]" ise "grid_points = [105]"
    mkdir -p "$work/i/out"
    ln -s "$victims/target" "$work/i/out/ise-m999.hdf5"
    ln -s "$victims/target" "$work/i/out/ise-m999.hdf5.tmp"
    run "$work/i" 2
    [ ! -L "$work/i/out/ise-m999.hdf5" ] || fail "ise-m999.hdf5 is still the planted link"
    [ "$(cat "$victims/target")" = precious ] || fail "the file the links point at was written"
    find "$victims" -printf "%p %s %T@\n" | sort > "$work/victims.after"
    diff "$work/victims.before" "$work/victims.after" || fail "something was written next to the target"
    for d in a p i; do
      left="$(find "$work/$d/out" -name '.ph3mpi-*' -print)"
      [ -z "$left" ] || fail "left behind: $left"
    done
    echo "every planted link left its target untouched"
    ;;

  kill9)
    # AlN 11x11x8: 80 irreducible grid points, ~4 s on 2 ranks: slow enough to be killed half way.
    write_config "$work/ref" aln-lda "[11, 11, 8]" rta
    run "$work/ref" 2
    for round in 1 2; do
      dir="$work/round$round"
      write_config "$dir" aln-lda "[11, 11, 8]" rta
      "$mpiexec" "${flags[@]}" -n 2 "$ph3mpi" "$dir/config.toml" > "$dir/killed.log" 2>&1 &
      launcher=$!
      pids+=("$launcher")
      for _ in $(seq 1 3000); do
        n="$( (ls "$dir"/out/checkpoint/*/gp-*.h5 2>/dev/null || true) | wc -l)"
        [ "$n" -ge $((2 + 2 * round)) ] && break
        kill -0 "$launcher" 2>/dev/null || break
        sleep 0.02
      done
      ranks="$(pgrep -P "$launcher" || true)"
      [ -n "$ranks" ] || fail "round $round: no rank processes found under mpiexec $launcher"
      kill -9 $ranks
      wait "$launcher" || true
      pids=()
      [ -e "$dir/out/.ph3mpi-lock" ] || fail "round $round: the killed run left no lock (finished too early?)"
      [ ! -e "$dir/out/kappa-m11118.hdf5" ] || fail "round $round: the run finished before it was killed"
      run "$dir" 2
      grep -q "ph3mpi: note: took over the lock of output_dir $dir/out left by PID" "$dir/log.err" ||
        fail "round $round: no takeover note: $(cat "$dir/log.err")"
      grep -q "no longer exists" "$dir/log.err" || fail "round $round: the note does not say why"
      grep -q "left by a killed run" "$dir/log.err" || fail "round $round: the killed ranks' temporary folders stayed"
      grep -E "resumed, [0-9]+ grid points restored" "$dir/log"
      /usr/bin/python3 "$compare_exact" "$dir/out/kappa-m11118.hdf5" "$work/ref/out/kappa-m11118.hdf5"
      no_leftovers "$dir/out"
    done
    ;;

  permissions)
    as_user=()
    if [ "$(id -u)" -eq 0 ]; then
      if command -v setpriv > /dev/null; then
        as_user=(setpriv --reuid=65534 --regid=65534 --clear-groups)
      elif command -v runuser > /dev/null; then
        as_user=(runuser -u nobody --)
      else
        echo "SKIP: root and no setpriv/runuser to become an unprivileged user"
        exit 77
      fi
      "${as_user[@]}" true 2> /dev/null || { echo "SKIP: cannot switch to uid 65534"; exit 77; }
      chmod 755 "$work"
    fi
    cp "$data/si-pbesol/fc3.hdf5" "$work/fc3.hdf5"
    chmod 600 "$work/fc3.hdf5"
    [ "$(id -u)" -eq 0 ] || chmod 000 "$work/fc3.hdf5"
    mkdir -p "$work/c" "$work/locked"
    chmod 777 "$work/c"
    chmod 555 "$work/locked"
    write_config "$work/c" si-pbesol "[9, 9, 9]" rta
    sed -i "s#^fc3 = .*#fc3 = \"$work/fc3.hdf5\"#" "$work/c/config.toml"
    check() {  # config expected-line
      local rc=0
      "${as_user[@]}" env OMP_NUM_THREADS=1 timeout 60 "$ph3mpi" "$1" > "$work/out.log" 2> "$work/err.log" || rc=$?
      [ "$rc" -ne 0 ] || fail "exit code 0 for $1"
      grep -qF -- "$2" "$work/err.log" || fail "stderr lacks '$2': $(cat "$work/err.log")"
      echo "refused as expected: $(cat "$work/err.log")"
    }
    check "$work/c/config.toml" "ph3mpi: error: $work/fc3.hdf5: permission denied"
    cp "$work/c/config.toml" "$work/unreadable.toml"
    chmod 600 "$work/unreadable.toml"
    [ "$(id -u)" -eq 0 ] || chmod 000 "$work/unreadable.toml"
    check "$work/unreadable.toml" "ph3mpi: error: $work/unreadable.toml: permission denied"
    write_config "$work/d" si-pbesol "[9, 9, 9]" rta
    sed -i "s#^output_dir = .*#output_dir = \"$work/locked/out\"#" "$work/d/config.toml"
    chmod 755 "$work/d"
    check "$work/d/config.toml" "output_dir $work/locked/out: cannot create the folder: permission denied"
    [ -z "$(ls -A "$work/locked")" ] || fail "something was written into the folder that may not be written"
    ;;

  *)
    fail "unknown scenario"
    ;;
esac
echo "PASS [$scenario]"
