// Everything of the grid module (phono3py's BZGrid and its helpers) in one include.
#pragma once

#include "ph3mpi/grid/bz_grid.hpp"
#include "ph3mpi/grid/bz_grid_addresses.hpp"
#include "ph3mpi/grid/grid_address.hpp"
#include "ph3mpi/grid/grid_error.hpp"
#include "ph3mpi/grid/grid_matrix.hpp"
#include "ph3mpi/grid/ir_grid_points.hpp"
#include "ph3mpi/grid/make_bz_grid.hpp"
#include "ph3mpi/grid/reciprocal_rotations.hpp"
#include "ph3mpi/grid/snf3x3.hpp"
#include "ph3mpi/grid/spglib_symmetry.hpp"
#include "ph3mpi/grid/tetrahedron_grid.hpp"
