#!/usr/bin/env bash
# Checkpoint and restart of mode "rta" (issue 5; lbte_kill9: mode "lbte"), on AlN 7x7x5 (24 irreducible grid
# points, 12 bands: slow enough at one thread per rank to be killed half way).
# Usage: run_restart_case.sh SCENARIO DATA_DIR PH3MPI MPIEXEC [MPIEXEC_FLAGS...]
#   kill9        : SIGKILL every rank after some grid points are in the checkpoint, re-run on the
#                  same rank count: kappa file bit-identical to an uninterrupted run
#   other_ranks  : killed on 2 ranks, resumed on 3 and then on 1: within 1e-12 of uninterrupted
#   damaged      : one shard truncated, one garbled, one stale .tmp: reported, recomputed, identical
#   foreign      : re-run with other temperatures into the same output_dir: refused, output untouched
#   manifest     : garbled manifest.json (of the stage folder): refused with a clear message
#   fresh        : restart = false discards the checkpoint and recomputes everything
#   lbte_kill9   : kill9 in mode "lbte" (collision rows in the checkpoint)
#   interband_kill9, interband_lbte_kill9: kill9 with transport_type = "njc23" (the inter-band
#                  term is recomputed from the restored Gamma: bit-identical too)
set -euo pipefail
scenario="$1" data="$2" ph3mpi="$3" mpiexec="$4"
shift 4
flags=("$@")
here="$(cd "$(dirname "$0")" && pwd)"
work="$(mktemp -d)"
trap 'pkill -9 -f "$work/" 2>/dev/null || true; rm -rf "$work"' EXIT
export OMP_NUM_THREADS=1
mode=rta extra=""
case "$scenario" in
  lbte_kill9) mode=lbte scenario=kill9 ;;
  interband_kill9) extra='transport_type = "njc23"' scenario=kill9 ;;
  interband_lbte_kill9) mode=lbte extra='transport_type = "njc23"' scenario=kill9 ;;
esac

write_config() {  # dir temperatures restart
  mkdir -p "$1"
  cat > "$1/config.toml" <<TOML
mode = "$mode"
phono3py_yaml = "$data/aln-lda/phono3py.yaml"
fc2 = "$data/aln-lda/fc2.hdf5"
fc3 = "$data/aln-lda/fc3.hdf5"
output_dir = "$1/out"
mesh = [7, 7, 5]
temperatures = $2
restart = $3
$extra
TOML
}
run() {  # dir np [log]
  timeout 600 "$mpiexec" "${flags[@]}" -n "$2" "$ph3mpi" "$1/config.toml" > "$1/${3:-log}" 2> "$1/${3:-log}.err"
}
kappa() { echo "$1/out/kappa-m775.hdf5"; }
shards() { ls "$1"/out/checkpoint/*/gp-*.h5 2>/dev/null | wc -l; }

# Starts a run on NP ranks and SIGKILLs all of its processes once at least MIN shards exist.
run_and_kill() {  # dir np min
  "$mpiexec" "${flags[@]}" -n "$2" "$ph3mpi" "$1/config.toml" > "$1/killed.log" 2>&1 &
  local pid=$!
  for _ in $(seq 1 3000); do
    if [ "$(shards "$1")" -ge "$3" ]; then break; fi
    if ! kill -0 "$pid" 2>/dev/null; then break; fi
    sleep 0.02
  done
  pkill -9 -f "$1/config.toml" || true
  wait "$pid" || true
  local n
  n="$(shards "$1")"
  echo "killed with $n of 24 grid points in the checkpoint"
  if [ -e "$(kappa "$1")" ] || [ "$n" -ge 24 ]; then
    echo "FAIL: the run finished before it could be killed; the test proves nothing" >&2
    exit 1
  fi
}

# The uninterrupted run everything is compared with.
write_config "$work/ref" "[300]" true
run "$work/ref" 2
test -e "$(kappa "$work/ref")"

case "$scenario" in
  kill9)
    write_config "$work/a" "[300]" true
    run_and_kill "$work/a" 2 4
    run "$work/a" 2
    grep -E "resumed, [0-9]+ grid points restored" "$work/a/log"
    /usr/bin/python3 "$here/compare_exact.py" "$(kappa "$work/a")" "$(kappa "$work/ref")"
    ;;
  other_ranks)
    write_config "$work/a" "[300]" true
    run_and_kill "$work/a" 2 4
    write_config "$work/b" "[300]" true
    cp -r "$work/a/out" "$work/b/out"
    run "$work/a" 3
    grep -E "resumed, [0-9]+ grid points restored" "$work/a/log"
    /usr/bin/python3 "$here/compare_exact.py" "$(kappa "$work/a")" "$(kappa "$work/ref")" 1e-12
    run "$work/b" 1
    /usr/bin/python3 "$here/compare_exact.py" "$(kappa "$work/b")" "$(kappa "$work/ref")" 1e-12
    ;;
  damaged)
    dir="$(ls -d "$work"/ref/out/checkpoint/*/)"
    files=($(ls "$dir"gp-*.h5 | sort))
    truncate -s 100 "${files[0]}"
    size=$(stat -c %s "${files[1]}")
    printf '\x55\xaa\x55\xaa' | dd of="${files[1]}" bs=1 seek=$((size / 2)) conv=notrunc status=none
    echo junk > "${dir}gp-999999.h5.tmp"
    run "$work/ref" 1 log2
    cat "$work/ref/log2"
    test "$(grep -c "is damaged" "$work/ref/log2")" -eq 2
    grep -q "will be recomputed" "$work/ref/log2"
    grep -q "a write that was interrupted" "$work/ref/log2"
    grep -q "2 grid points computed" "$work/ref/log2"
    write_config "$work/b" "[300]" true
    run "$work/b" 1
    /usr/bin/python3 "$here/compare_exact.py" "$(kappa "$work/ref")" "$(kappa "$work/b")"
    ;;
  foreign)
    before="$(sha256sum "$(kappa "$work/ref")")"
    write_config "$work/ref" "[300, 400]" true
    if run "$work/ref" 2 log2; then echo "FAIL: a checkpoint of other settings was used" >&2; exit 1; fi
    cat "$work/ref/log2.err"
    grep -q "other settings" "$work/ref/log2.err"
    grep -q "temperatures" "$work/ref/log2.err"
    test "$(grep -c "ph3mpi: error" "$work/ref/log2.err")" -eq 1
    test "$before" = "$(sha256sum "$(kappa "$work/ref")")"
    ;;
  manifest)
    manifest=("$work"/ref/out/checkpoint/*/manifest.json)
    test "${#manifest[@]}" -eq 1
    echo '{"format": garbage' > "${manifest[0]}"
    if run "$work/ref" 2 log2; then echo "FAIL: a garbled manifest was accepted" >&2; exit 1; fi
    cat "$work/ref/log2.err"
    grep -q "manifest.json is unreadable" "$work/ref/log2.err"
    ;;
  fresh)
    write_config "$work/ref" "[300]" false
    run "$work/ref" 2 log2
    grep -q "removed the previous checkpoint" "$work/ref/log2"
    grep -q "24 grid points computed" "$work/ref/log2"
    ;;
  *) echo "unknown scenario $scenario" >&2; exit 2 ;;
esac
echo "scenario $scenario passed"
