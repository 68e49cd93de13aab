#!/usr/bin/env bash
# mode "lbte" on 4 ranks (Si-PBEsol 9x9x9, matrix 630 x 630, block size 16): every rank's
# peak block-cyclic storage (matrix, symmetrization copy, eigenvectors) must stay below the
# whole matrix and near 3 n^2 / P, i.e. no rank ever allocates the collision matrix whole.
# Usage: run_lbte_memory.sh DATA_DIR PH3MPI MPIEXEC [MPIEXEC_FLAGS...]
set -euo pipefail
data="$1" ph3mpi="$2" mpiexec="$3"
shift 3
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cat > "$work/config.toml" <<TOML
mode = "lbte"
phono3py_yaml = "$data/si-pbesol/phono3py.yaml"
fc2 = "$data/si-pbesol/fc2.hdf5"
fc3 = "$data/si-pbesol/fc3.hdf5"
output_dir = "$work/out"
mesh = [9, 9, 9]
temperatures = [300]
blacs_block_size = 16
TOML
OMP_NUM_THREADS=1 timeout 300 "$mpiexec" "$@" -n 4 "$ph3mpi" "$work/config.toml" | tee "$work/log"
line="$(grep 'peak block-cyclic memory per rank' "$work/log")"
/usr/bin/python3 - "$line" <<'PY'
import re, sys
line = sys.argv[1]
peaks = [int(x) for x in re.search(r"\(bytes\):((?: \d+)+);", line).group(1).split()]
whole = int(re.search(r"whole matrix (\d+)", line).group(1))
assert len(peaks) == 4, peaks
for rank, p in enumerate(peaks):
    print("rank %d: peak %d bytes = %.3f of the whole matrix" % (rank, p, p / whole))
    assert p < whole, "rank %d allocated the whole matrix" % rank
    assert p <= 3 * whole / 4 * 1.25, "rank %d holds more than ~3 local blocks" % rank
print("no rank held the whole %d-byte matrix" % whole)
PY
