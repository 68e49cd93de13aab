#include "ph3mpi/crystal/primitive.hpp"

#include <cmath>
#include <sstream>

#include "ph3mpi/common/error.hpp"

namespace ph3mpi::crystal {

Primitive build_primitive(const Supercell& supercell, const Eigen::Matrix3d& primitive_matrix,
                          double symprec) {
  Primitive primitive;
  primitive.primitive_matrix = primitive_matrix;
  primitive.symprec = symprec;
  // phono3py hands Primitive the matrix relative to the supercell: inv(M_super) * P.
  const Eigen::Matrix3d t_mat = detail::inverse(supercell.supercell_matrix.cast<double>()) * primitive_matrix;
  primitive.primitive_matrix_to_supercell = t_mat;

  Cell& cell = primitive;
  const std::vector<std::int64_t> extracted = detail::trim_cell(t_mat, supercell, symprec, true, cell);
  const double expected_real = static_cast<double>(supercell.num_atoms()) * t_mat.determinant();
  const auto expected = static_cast<long long>(std::nearbyint(expected_real));
  if (std::abs(expected_real - static_cast<double>(expected)) > 1e-6 ||
      static_cast<long long>(extracted.size()) != expected) {
    std::ostringstream os;
    os << "primitive cell creation failed: the supercell of " << supercell.num_atoms() << " atoms times det("
       << "inv(supercell_matrix) * primitive_matrix) = " << expected_real << " atoms expected, trimming left "
       << extracted.size() << " (primitive matrix inconsistent with the crystal, or symprec=" << symprec
       << " Angstrom too large/small)";
    throw Error(os.str());
  }
  primitive.p2s_map = extracted;

  // s2p_map: positions in primitive coordinates (not wrapped) compared modulo lattice vectors
  // with the primitive atoms' own, in Cartesian distance, same species only.
  const Eigen::Matrix3d to_prim = detail::inverse(t_mat).transpose();
  const std::size_t n_s = supercell.num_atoms();
  std::vector<Eigen::Vector3d> frac(n_s);
  for (std::size_t s = 0; s < n_s; ++s) {
    const Eigen::Vector3d& p = supercell.positions[s];
    for (int k = 0; k < 3; ++k) {
      double v = p(0) * to_prim(0, k);
      v += p(1) * to_prim(1, k);
      v += p(2) * to_prim(2, k);
      frac[s](k) = v;
    }
  }
  primitive.s2p_map.resize(n_s);
  for (std::size_t s = 0; s < n_s; ++s) {
    std::int64_t found = -1;
    int n_found = 0;
    for (std::size_t p = 0; p < primitive.p2s_map.size(); ++p) {
      const auto ps = static_cast<std::size_t>(primitive.p2s_map[p]);
      Eigen::Vector3d diff = frac[ps] - frac[s];
      for (int k = 0; k < 3; ++k) diff(k) -= std::nearbyint(diff(k));
      const Eigen::Vector3d cart = primitive.lattice.transpose() * diff;
      if (cart.norm() < symprec && detail::same_species(supercell, ps, supercell, s)) {
        found = primitive.p2s_map[p];
        ++n_found;
      }
    }
    if (n_found != 1) {
      std::ostringstream os;
      os << "primitive cell creation failed: supercell atom " << s + 1 << " matches " << n_found
         << " primitive-cell atoms within symprec=" << symprec << " Angstrom (exactly one expected)";
      throw Error(os.str());
    }
    primitive.s2p_map[s] = found;
  }
  primitive.p2p_map.assign(n_s, -1);
  for (std::size_t p = 0; p < primitive.p2s_map.size(); ++p) {
    primitive.p2p_map[static_cast<std::size_t>(primitive.p2s_map[p])] = static_cast<std::int64_t>(p);
  }
  return primitive;
}

}  // namespace ph3mpi::crystal
