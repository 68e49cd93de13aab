#!/usr/bin/env bash
# Install dependencies (Debian 12 packages), build in Release with warnings as
# errors, check formatting, and run the whole test suite with ctest.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${PH3MPI_BUILD_DIR:-$here/build}"

bash "$here/scripts/install-deps.sh"
bash "$here/scripts/check-format.sh"
PH3MPI_WERROR=ON bash "$here/scripts/build.sh" "$build"

# Root needs these for mpirun; harmless otherwise.
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
# Keep Open MPI quiet and local in containers without a network.
export OMPI_MCA_btl_vader_single_copy_mechanism=none OMPI_MCA_rmaps_base_oversubscribe=1
cd "$build"
ctest --output-on-failure -j "${PH3MPI_TEST_JOBS:-2}" --timeout 1200
