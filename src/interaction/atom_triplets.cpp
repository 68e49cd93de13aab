#include "ph3mpi/interaction/atom_triplets.hpp"

#include <cmath>
#include <sstream>

#include "ph3mpi/common/error.hpp"

namespace ph3mpi::interaction {

namespace {

void check_consistent(const crystal::Supercell& supercell, const crystal::Primitive& primitive,
                      const crystal::ShortestVectors& shortest) {
  const std::size_t n_s = supercell.num_atoms();
  const std::size_t n_p = primitive.p2s_map.size();
  std::ostringstream os;
  if (shortest.n_satom != n_s || shortest.n_patom != n_p || shortest.multi.size() != n_s * n_p) {
    os << "shortest vectors are for " << shortest.n_satom << " supercell and " << shortest.n_patom
       << " primitive atoms, the cells have " << n_s << " and " << n_p;
  } else if (primitive.s2p_map.size() != n_s || primitive.p2p_map.size() != n_s) {
    os << "primitive maps have " << primitive.s2p_map.size() << " entries for " << n_s << " supercell atoms";
  } else if (n_p == 0 || n_s % n_p != 0) {
    os << n_s << " supercell atoms are not a multiple of " << n_p << " primitive atoms";
  }
  for (const auto& m : shortest.multi) {
    if (!os.str().empty()) break;
    if (m[0] < 1 || m[1] < 0 || static_cast<std::size_t>(m[1] + m[0]) > shortest.svecs.size()) {
      os << "shortest-vector multiplicity entry {" << m[0] << ", " << m[1] << "} out of range";
    }
  }
  if (!os.str().empty()) throw Error("atom triplets: " + os.str());
}

// Index of the supercell atom at fractional position x (modulo 1), or -1.
std::int64_t find_atom(const crystal::Supercell& supercell, const Eigen::Vector3d& x, double symprec) {
  for (std::size_t s = 0; s < supercell.num_atoms(); ++s) {
    Eigen::Vector3d d = supercell.positions[s] - x;
    for (int k = 0; k < 3; ++k) d(k) -= std::nearbyint(d(k));
    if ((supercell.lattice.transpose() * d).norm() < symprec) return static_cast<std::int64_t>(s);
  }
  return -1;
}

}  // namespace

std::vector<std::int8_t> compute_all_shortest(const crystal::Supercell& supercell,
                                              const crystal::Primitive& primitive,
                                              const crystal::ShortestVectors& shortest) {
  check_consistent(supercell, primitive, shortest);
  const std::size_t n_s = supercell.num_atoms();
  const std::size_t n_p = primitive.p2s_map.size();
  const double symprec = primitive.symprec;
  auto multi = [&](std::size_t s, std::size_t p) { return shortest.multi[s * n_p + p]; };
  auto cart = [&](const Eigen::Vector3d& frac) -> Eigen::Vector3d {
    return primitive.lattice.transpose() * frac;
  };

  // Primitive index of each supercell atom (phono3py's s2pp_map).
  std::vector<std::size_t> s2pp(n_s);
  for (std::size_t s = 0; s < n_s; ++s) {
    s2pp[s] = static_cast<std::size_t>(primitive.p2p_map[static_cast<std::size_t>(primitive.s2p_map[s])]);
  }

  // perm_of[j][k]: the image of atom k under the pure translation moving j onto
  // p2s[s2pp[j]]. Translations are shared by many j, so compute each one once.
  std::vector<Eigen::Vector3d> translations;
  std::vector<std::vector<std::int64_t>> perms;
  std::vector<std::size_t> perm_index(n_s);
  for (std::size_t j = 0; j < n_s; ++j) {
    const auto target = static_cast<std::size_t>(primitive.p2s_map[s2pp[j]]);
    Eigen::Vector3d t = supercell.positions[target] - supercell.positions[j];
    std::size_t found = translations.size();
    for (std::size_t n = 0; n < translations.size(); ++n) {
      Eigen::Vector3d d = translations[n] - t;
      for (int k = 0; k < 3; ++k) d(k) -= std::nearbyint(d(k));
      if ((supercell.lattice.transpose() * d).norm() < symprec) {
        found = n;
        break;
      }
    }
    if (found == translations.size()) {
      std::vector<std::int64_t> perm(n_s);
      for (std::size_t k = 0; k < n_s; ++k) {
        perm[k] = find_atom(supercell, supercell.positions[k] + t, symprec);
        if (perm[k] < 0) {
          std::ostringstream os;
          os << "atom triplets: supercell atom " << k + 1 << " translated by the primitive lattice vector ("
             << t.transpose() << ") (supercell coordinates) lands on no atom within symprec=" << symprec;
          throw Error(os.str());
        }
      }
      translations.push_back(t);
      perms.push_back(std::move(perm));
    }
    perm_index[j] = found;
  }

  std::vector<std::int8_t> all_shortest(n_p * n_s * n_s, 0);
  for (std::size_t i = 0; i < n_p; ++i) {
    for (std::size_t j = 0; j < n_s; ++j) {
      if (multi(j, i)[0] > 1) continue;
      const std::size_t jp = s2pp[j];
      const std::vector<std::int64_t>& perm = perms[perm_index[j]];
      const Eigen::Vector3d& s_ij = shortest.svecs[static_cast<std::size_t>(multi(j, i)[1])];
      for (std::size_t k = 0; k < n_s; ++k) {
        if (multi(k, i)[0] > 1) continue;
        const auto k_mapped = static_cast<std::size_t>(perm[k]);
        if (multi(k_mapped, jp)[0] > 1) continue;
        const Eigen::Vector3d& s_ik = shortest.svecs[static_cast<std::size_t>(multi(k, i)[1])];
        const double d_jk = cart(s_ik - s_ij).norm();
        const double d_jk_mapped =
            cart(shortest.svecs[static_cast<std::size_t>(multi(k_mapped, jp)[1])]).norm();
        if (std::abs(d_jk_mapped - d_jk) < symprec) all_shortest[(i * n_s + j) * n_s + k] = 1;
      }
    }
  }
  return all_shortest;
}

AtomTriplets make_atom_triplets(const crystal::Supercell& supercell, const crystal::Primitive& primitive,
                                const crystal::ShortestVectors& shortest) {
  AtomTriplets atoms;
  atoms.all_shortest = compute_all_shortest(supercell, primitive, shortest);  // checks consistency
  atoms.n_patom = primitive.p2s_map.size();
  atoms.n_satom = supercell.num_atoms();
  atoms.svecs = shortest.svecs;
  atoms.multi = shortest.multi;
  atoms.p2s_map = primitive.p2s_map;
  atoms.s2p_map = primitive.s2p_map;
  return atoms;
}

}  // namespace ph3mpi::interaction
