// The tetrahedron integration weights of triplets as ph3mpi computed them at commit
// 734e1dd (src/interaction/integration_weights.cpp then): per band pair, the vertex
// values of the three channels, the 24 tetrahedra sorted once, and the weight of every
// frequency point summed over the kept tetrahedra. Kept (test and bench code only,
// library ph3mpi_reference_kernels) so that the current kernel can be checked bit for bit
// against it on many more triplets than phono3py's reference files hold.
#pragma once

#include <cstdint>
#include <vector>

#include "ph3mpi/common/ndarray.hpp"
#include "ph3mpi/grid/bz_grid.hpp"
#include "ph3mpi/interaction/triplets.hpp"

namespace ph3mpi::interaction {

// Same arguments, layouts and results as set_triplets_integration_weights_tetrahedron
// (integration_weights.hpp); inputs are not checked.
void set_triplets_integration_weights_tetrahedron_reference(double* g, std::int8_t* g_zero, int num_g,
                                                            const std::vector<double>& frequency_points,
                                                            const std::vector<Triplet>& triplets,
                                                            const NdArray<double>& frequencies,
                                                            const grid::BZGrid& bz_grid);

}  // namespace ph3mpi::interaction
