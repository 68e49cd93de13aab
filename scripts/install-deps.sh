#!/usr/bin/env bash
# Install every build and test dependency of ph3mpi from Debian 12 packages.
# Idempotent: packages already present are left alone. Works as root or via sudo.
set -euo pipefail

PACKAGES=(
  build-essential cmake pkg-config git
  openmpi-bin libopenmpi-dev            # MPI (Open MPI)
  libboost-serialization-dev            # Boost.Serialization (coordinator messages)
  libhdf5-openmpi-dev hdf5-tools        # HDF5, parallel (openmpi flavour)
  libscalapack-openmpi-dev              # ScaLAPACK + BLACS (openmpi)
  libopenblas-dev liblapack-dev         # BLAS / LAPACK
  libeigen3-dev                         # Eigen 3.4
  libgtest-dev googletest               # googletest
  libsymspg-dev                         # spglib
  libtomlplusplus-dev                   # toml++
  libyaml-cpp-dev                       # yaml-cpp
  libcli11-dev                          # CLI11
  clang-format                          # style check
  python3 python3-h5py python3-numpy python3-matplotlib   # scripts/, test helpers
  slurm-wlm munge                       # tests/ops: a local Slurm runs the slurm/ templates
)

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
    echo "install-deps.sh: not root and no sudo available" >&2; exit 1; fi
fi

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps.sh: all ${#PACKAGES[@]} packages already installed"
  exit 0
fi

echo "install-deps.sh: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
