// Commensurate q-points of a supercell and phonopy's Brillouin-zone reduction of q-points
// (phonopy.harmonic.dynmat_to_fc.get_commensurate_points and
// phonopy.structure.brillouin_zone.BrillouinZone).
#pragma once

#include <Eigen/Dense>
#include <vector>

namespace ph3mpi::phonon {

// The det(M) q-points (reduced coordinates of the primitive reciprocal basis) whose phase
// exp(2 pi i q.R) is 1 on every supercell lattice vector R; column j of supercell_matrix is
// supercell lattice vector j in primitive fractional coordinates, so these are the q with
// M^T q integral. Order and values are phonopy's, to the last bit: the lattice points of the
// supercell M^T of a unit cubic cell built with numpy's arithmetic, in [0, 1) except that
// coordinates above 1 - 1e-15 are shifted by -1 (so ~-1e-16 can occur). Both fix the rounding
// of the Gonze-Lee short-range force constants. Throws ph3mpi::Error if det(M) <= 0.
std::vector<Eigen::Vector3d> commensurate_points(const Eigen::Matrix3i& supercell_matrix);

// For each q (reduced), all of its lattice translates q + G of minimal length within
// `tolerance` * min_i |b_i|^2, in phonopy's order (search over the 27 neighbours of the
// Niggli-reduced reciprocal basis, with numpy's arithmetic so that ties and the last bits come
// out as in phonopy). reciprocal_lattice has b1, b2, b3 as columns. The first entry is
// phonopy's pick (BrillouinZone.shortest_qpoints[i][0]).
std::vector<std::vector<Eigen::Vector3d>> shortest_qpoints_in_bz(const Eigen::Matrix3d& reciprocal_lattice,
                                                                 const std::vector<Eigen::Vector3d>& qpoints,
                                                                 double tolerance = 0.01);

}  // namespace ph3mpi::phonon
