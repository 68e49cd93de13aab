#!/usr/bin/env bash
# Install dependencies, build ph3mpi and run the main job on the bundled
# Si-PBEsol example (9x9x9 mesh) with 2 MPI ranks.
#
# What the main job computes grows with the project: today it is the harmonic
# stage (`mode = "phonons"`: BZ grid, irreducible points, frequencies, group
# velocities written to out/si-pbesol-phonons/phonon-m999.hdf5). When the RTA
# mode lands this script runs config/si-pbesol-rta.toml instead.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
config="${1:-$here/config/si-pbesol-phonons.toml}"
ranks="${PH3MPI_RANKS:-2}"

bash "$here/scripts/install-deps.sh"
bash "$here/scripts/build.sh" "$here/build"

mpi_flags=()
if [ "$(id -u)" -eq 0 ]; then mpi_flags+=(--allow-run-as-root); fi
if [ "$ranks" -gt "$(nproc)" ]; then mpi_flags+=(--oversubscribe); fi
export OMP_NUM_THREADS="${OMP_NUM_THREADS:-1}"
echo "+ mpirun -np $ranks ${mpi_flags[*]} build/ph3mpi $config"
mpirun -np "$ranks" "${mpi_flags[@]}" "$here/build/ph3mpi" "$config"
