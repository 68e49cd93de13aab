// Supercell geometry entering the real-to-reciprocal transform of fc3 (phono3py's
// AtomTriplets struct of c/real_to_reciprocal.h, filled by phono3py.phonon3.interaction
// .Interaction from Primitive.get_smallest_vectors() and Interaction._get_all_shortest()).
#pragma once

#include <Eigen/Dense>
#include <array>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "ph3mpi/crystal/primitive.hpp"
#include "ph3mpi/crystal/shortest_vectors.hpp"
#include "ph3mpi/crystal/supercell.hpp"

namespace ph3mpi::interaction {

struct AtomTriplets {
  std::size_t n_patom = 0;  // atoms in the primitive cell
  std::size_t n_satom = 0;  // atoms in the fc3 supercell
  // Shortest vectors from primitive atom p to supercell atom s, in fractional
  // coordinates of the PRIMITIVE lattice; multi[s * n_patom + p] = {count, first}.
  std::vector<Eigen::Vector3d> svecs;
  std::vector<std::array<std::int64_t, 2>> multi;
  std::vector<std::int64_t> p2s_map;  // [n_patom] supercell index of primitive atom p
  std::vector<std::int64_t> s2p_map;  // [n_satom] supercell index of the primitive atom s maps to
  // [n_patom][n_satom][n_satom]: 1 when the three atoms (p2s[i], j, k) are mutually
  // unique nearest images (phono3py Interaction.all_shortest). Used only with
  // make_r0_average: such atom triples are counted once, with weight 3, in the
  // first-atom leg and skipped in the two other legs.
  std::vector<std::int8_t> all_shortest;
};

// phono3py Interaction._get_all_shortest. For primitive atom i and supercell atoms j, k
// with single shortest vectors from i, k is translated by the primitive lattice vector
// that brings j onto its primitive representative p2s[j'] (phonopy's
// Primitive.atomic_permutations); the flag is set when that image k' also has a single
// shortest vector from j' and |r_k - r_j| (via i) equals |r_k' - r_j'| within symprec.
// supercell: the fc3 supercell; primitive: built from it (p2s/s2p/p2p maps, lattice,
// symprec); shortest: crystal::shortest_vectors(supercell, primitive).
std::vector<std::int8_t> compute_all_shortest(const crystal::Supercell& supercell,
                                              const crystal::Primitive& primitive,
                                              const crystal::ShortestVectors& shortest);

// Bundles the above: svecs/multi from `shortest`, maps from `primitive`, all_shortest
// computed. Throws ph3mpi::Error when the three do not describe the same supercell.
AtomTriplets make_atom_triplets(const crystal::Supercell& supercell, const crystal::Primitive& primitive,
                                const crystal::ShortestVectors& shortest);

}  // namespace ph3mpi::interaction
