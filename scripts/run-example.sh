#!/usr/bin/env bash
# Install dependencies, build ph3mpi and run the main job on the bundled
# Si-PBEsol example (9x9x9 mesh) with 2 MPI ranks.
#
# The main job is the RTA thermal conductivity (config/si-pbesol-rta.toml, 300 K,
# tetrahedron method): it prints the kappa table (phono3py: 107.721 W/m-K) and writes
# out/si-pbesol-rta/kappa-m999.hdf5. Another config may be given as the first argument.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
config="${1:-$here/config/si-pbesol-rta.toml}"
ranks="${PH3MPI_RANKS:-2}"

bash "$here/scripts/install-deps.sh"
bash "$here/scripts/build.sh" "$here/build"

mpi_flags=()
if [ "$(id -u)" -eq 0 ]; then mpi_flags+=(--allow-run-as-root); fi
if [ "$ranks" -gt "$(nproc)" ]; then mpi_flags+=(--oversubscribe); fi
export OMP_NUM_THREADS="${OMP_NUM_THREADS:-1}"
echo "+ mpirun -np $ranks ${mpi_flags[*]} build/ph3mpi $config"
mpirun -np "$ranks" "${mpi_flags[@]}" "$here/build/ph3mpi" "$config"
