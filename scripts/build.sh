#!/usr/bin/env bash
# Configure and build ph3mpi (Release). Usage: scripts/build.sh [build-dir] [extra cmake args...]
# PH3MPI_WERROR=ON in the environment turns warnings into errors (CI does).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${1:-$here/build}"
shift || true
jobs="$(nproc 2>/dev/null || echo 2)"
cmake -S "$here" -B "$build" -DCMAKE_BUILD_TYPE=Release -DPH3MPI_WERROR="${PH3MPI_WERROR:-OFF}" "$@"
cmake --build "$build" -j "$jobs"
