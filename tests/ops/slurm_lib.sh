# Helpers for the Slurm tests in tests/ops (sourced, not run).
#
# Every test runs inside a throw-away cluster (scripts/slurm-local.sh run), in a
# workspace that mirrors the repository layout the bundled configs expect:
#   $work/config/<example>.toml   a copy of the example config
#   $work/tests/data -> the test data folder (symlink)
# so the config's relative paths (../tests/data/..., ../out/...) resolve inside $work
# and nothing is written into the source tree.

ops_fail() {
  echo "FAIL: $*" >&2
  exit 1
}

# ops_in_cluster SCRIPT ARGS...: re-run SCRIPT inside a fresh local cluster unless it
# already runs in one. Exit status 77 (skip) comes from slurm-local.sh.
ops_in_cluster() {
  local src="$1"
  shift
  if [ -z "${PH3MPI_OPS_IN_CLUSTER:-}" ]; then
    export PH3MPI_OPS_IN_CLUSTER=1
    exec bash "$src/scripts/slurm-local.sh" run -- bash "$@"
  fi
}

# ops_workspace SRC DATA CONFIG_REL: create $work (global) with the layout above.
ops_workspace() {
  local src="$1" data="$2" config_rel="$3"
  work="$(mktemp -d /tmp/ph3mpi-ops-work.XXXXXX)"
  mkdir -p "$work/config" "$work/tests"
  cp "$src/$config_rel" "$work/config/"
  ln -s "$data" "$work/tests/data"
}

# ops_config_field FILE KEY: a top-level value of a TOML config (strings unquoted,
# arrays as comma-joined numbers).
ops_config_field() {
  /usr/bin/python3 - "$1" "$2" <<'EOF'
import sys, tomllib
with open(sys.argv[1], "rb") as f:
    value = tomllib.load(f).get(sys.argv[2], "")
print(",".join(str(v) for v in value) if isinstance(value, list) else value)
EOF
}

# ops_expected_output CONFIG: the file ph3mpi writes for this config (absolute path).
ops_expected_output() {
  local config="$1" mode out mesh
  mode="$(ops_config_field "$config" mode)"
  out="$(ops_config_field "$config" output_dir)"
  mesh="$(ops_config_field "$config" mesh | tr -d ',')"
  case "$out" in /*) ;; *) out="$(dirname "$config")/$out" ;; esac
  case "$mode" in
    phonons) echo "$out/phonon-m$mesh.hdf5" ;;
    rta) echo "$out/kappa-m$mesh.hdf5" ;;
    *) ops_fail "no expected output known for mode '$mode' (tests/ops/slurm_lib.sh)" ;;
  esac
}

# ops_check_output SRC DATA CONFIG FILE: check FILE against the bundled reference: for
# rta, the phono3py run whose phonons the config reads (read_phonon = <run>/phonon-m*.hdf5,
# compared with <run>/kappa-m*.hdf5 at 1e-10).
ops_check_output() {
  local src="$1" data="$2" config="$3" file="$4" mode mesh crystal ref phonon run_dir
  mode="$(ops_config_field "$config" mode)"
  mesh="$(ops_config_field "$config" mesh | tr -d ',')"
  crystal="$(basename "$(dirname "$(ops_config_field "$config" phono3py_yaml)")")"
  ref="$data/$crystal/reference"
  [ -f "$file" ] || ops_fail "expected output $file was not written"
  case "$mode" in
    phonons) /usr/bin/python3 "$src/tests/cli/check_phonon_file.py" "$file" "$ref" "m$mesh" ;;
    rta)
      phonon="$(ops_config_field "$config" read_phonon)"
      [ -n "$phonon" ] || ops_fail "the rta example reads no phonons (read_phonon), nothing to compare with"
      run_dir="$(cd "$(dirname "$config")" && cd "$(dirname "$phonon")" && pwd)"
      /usr/bin/python3 "$src/scripts/compare-kappa.py" "$run_dir/kappa-m$mesh.hdf5" "$file" --rtol 1e-10 --quiet ;;
    *) ops_fail "no output check for mode '$mode'" ;;
  esac || ops_fail "output $file does not match the reference"
  echo "output check passed: $file"
}

# ops_wait_job JOBID TIMEOUT_S: wait until the job left the queue; print its final
# "JobState ExitCode". Fails on timeout.
ops_wait_job() {
  local id="$1" timeout="$2" t=0 line
  while [ -n "$(squeue -h -j "$id" -o %i 2>/dev/null)" ]; do
    sleep 1
    t=$((t + 1))
    if [ "$t" -ge "$timeout" ]; then
      scontrol show job "$id" >&2
      ops_fail "job $id still queued/running after ${timeout}s"
    fi
  done
  line="$(scontrol show job -o "$id" 2>/dev/null)"
  echo "$(sed -n 's/.*JobState=\([A-Z_]*\).*/\1/p' <<<"$line") $(sed -n 's/.* ExitCode=\([0-9:]*\).*/\1/p' <<<"$line")"
}

# ops_test_env: what the jobs need on this machine, passed through sbatch's default
# --export=ALL. Root needs Open MPI's consent; set here, never in the templates.
ops_test_env() {
  export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
  export OMPI_MCA_btl_vader_single_copy_mechanism=none
}

# ops_direct_run MPIEXEC PH3MPI CONFIG: the uninterrupted run the Slurm jobs are compared
# with, outside Slurm on 2 ranks, into $work/out-direct (a copy of CONFIG under
# $work/direct/config/); prints the path of its output file.
ops_direct_run() {
  local mpiexec="$1" ph3mpi="$2" config="$3" name
  name="$(basename "$config")"
  mkdir -p "$work/direct/config"
  sed 's|^output_dir *=.*|output_dir = "../out-direct"|' "$config" >"$work/direct/config/$name"
  ln -sfn "$work/tests" "$work/direct/tests"
  OMP_NUM_THREADS=1 "$mpiexec" --oversubscribe -n 2 "$ph3mpi" "$work/direct/config/$name" >"$work/direct.log" 2>&1 ||
    {
      cat "$work/direct.log" >&2
      ops_fail "the uninterrupted run failed"
    }
  ops_expected_output "$work/direct/config/$name"
}
