# Sourced by the issue-15 case scripts (run_parts_case.sh, run_stage_reuse_case.sh,
# run_gamma_files_case.sh): a Si-PBEsol config with the phonons of a phono3py run read in.
# Needs $data (the tests/data folder).

# write_si_config DIR MODE OUTPUT_DIR MESH TEMPERATURES PHONON_FILE [EXTRA_LINES]:
# DIR/config.toml (DIR is created).
write_si_config() {
  mkdir -p "$1"
  cat >"$1/config.toml" <<TOML
mode = "$2"
phono3py_yaml = "$data/si-pbesol/phono3py.yaml"
fc2 = "$data/si-pbesol/fc2.hdf5"
fc3 = "$data/si-pbesol/fc3.hdf5"
read_phonon = "$6"
output_dir = "$3"
mesh = $4
temperatures = $5
${7:-}
TOML
}

fail() {
  echo "FAIL: $*" >&2
  exit 1
}
