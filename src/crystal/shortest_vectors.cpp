#include "ph3mpi/crystal/shortest_vectors.hpp"

#include <spglib.h>

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <sstream>

#include "ph3mpi/common/error.hpp"

namespace ph3mpi::crystal {

namespace {

// Rounds a matrix that must be integral (a change of basis between two bases of the same
// lattice); `what` names it in the error.
Eigen::Matrix3i round_integral(const Eigen::Matrix3d& m, const char* what) {
  Eigen::Matrix3i r;
  for (int i = 0; i < 3; ++i) {
    for (int j = 0; j < 3; ++j) {
      const double v = std::nearbyint(m(i, j));
      if (std::abs(m(i, j) - v) >= 1e-8) {
        std::ostringstream os;
        os << what << " is not integral: element (" << i << "," << j << ") = " << m(i, j);
        throw Error(os.str());
      }
      r(i, j) = static_cast<int>(v);
    }
  }
  return r;
}

// The lattice points tried for each pair: i*a + j*b + k*c + l*(-a-b-c) with i, j, k, l in
// {-1, 0, 1}, without duplicates and in lexicographic order (65 points).
std::vector<Eigen::Vector3i> search_lattice_points() {
  std::vector<Eigen::Vector3i> points;
  for (int i = -1; i <= 1; ++i)
    for (int j = -1; j <= 1; ++j)
      for (int k = -1; k <= 1; ++k)
        for (int l = -1; l <= 1; ++l) points.emplace_back(i - l, j - l, k - l);
  auto less = [](const Eigen::Vector3i& x, const Eigen::Vector3i& y) {
    return std::lexicographical_compare(x.data(), x.data() + 3, y.data(), y.data() + 3);
  };
  std::sort(points.begin(), points.end(), less);
  points.erase(std::unique(points.begin(), points.end()), points.end());
  return points;
}

}  // namespace

Eigen::Matrix3d niggli_reduce(const Eigen::Matrix3d& lattice_rows, double tolerance) {
  // spglib wants basis vectors as columns: lattice[i][j] = component i of vector j.
  double lattice[3][3];
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 3; ++j) lattice[i][j] = lattice_rows(j, i);
  if (spg_niggli_reduce(lattice, tolerance) == 0) {
    throw Error(std::string("Niggli reduction of the supercell lattice failed (spglib: ") +
                spg_get_error_message(spg_get_error_code()) + ")");
  }
  Eigen::Matrix3d reduced;
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 3; ++j) reduced(j, i) = lattice[i][j];
  return reduced;
}

ShortestVectors smallest_vectors_in_supercell(const Eigen::Matrix3d& supercell_lattice,
                                              const std::vector<Eigen::Vector3d>& to_positions,
                                              const std::vector<Eigen::Vector3d>& from_positions,
                                              double symprec) {
  // Search in a Niggli-reduced basis of the supercell lattice, where the 65 neighbouring
  // lattice points are enough in practice to contain every shortest image.
  const Eigen::Matrix3d reduced = niggli_reduce(supercell_lattice, symprec);
  // supercell_lattice = trans_mat * reduced (rows): fractional coordinates map as x -> x * trans_mat.
  const Eigen::Matrix3i trans_mat = round_integral(supercell_lattice * detail::inverse(reduced),
                                                   "supercell-to-Niggli-reduced transformation");
  const Eigen::Matrix3i trans_mat_inv =
      round_integral(detail::inverse(trans_mat.cast<double>()), "inverse supercell-to-Niggli transformation");

  auto to_reduced = [&](const Eigen::Vector3d& x) {
    Eigen::Vector3d r;
    for (int k = 0; k < 3; ++k) {
      double v = x(0) * trans_mat(0, k);
      v += x(1) * trans_mat(1, k);
      v += x(2) * trans_mat(2, k);
      r(k) = v - std::nearbyint(v);
    }
    return r;
  };
  std::vector<Eigen::Vector3d> to_fracs, from_fracs;
  to_fracs.reserve(to_positions.size());
  from_fracs.reserve(from_positions.size());
  for (const auto& x : to_positions) to_fracs.push_back(to_reduced(x));
  for (const auto& x : from_positions) from_fracs.push_back(to_reduced(x));

  const std::vector<Eigen::Vector3i> lattice_points = search_lattice_points();
  const std::size_t n_lp = lattice_points.size();

  ShortestVectors result;
  result.n_satom = to_positions.size();
  result.n_patom = from_positions.size();
  result.multi.resize(result.n_satom * result.n_patom);
  std::vector<double> length(n_lp);
  std::vector<Eigen::Vector3d> vec(n_lp);
  for (std::size_t i = 0; i < result.n_satom; ++i) {
    for (std::size_t j = 0; j < result.n_patom; ++j) {
      double minimum = DBL_MAX;
      for (std::size_t k = 0; k < n_lp; ++k) {
        double len2 = 0;
        for (int l = 0; l < 3; ++l) vec[k](l) = to_fracs[i](l) - from_fracs[j](l) + lattice_points[k](l);
        for (int l = 0; l < 3; ++l) {
          // Cartesian component l of vec in the reduced basis.
          const double c = reduced(0, l) * vec[k](0) + reduced(1, l) * vec[k](1) + reduced(2, l) * vec[k](2);
          len2 += c * c;
        }
        length[k] = std::sqrt(len2);
        minimum = std::min(minimum, length[k]);
      }
      const auto first = static_cast<std::int64_t>(result.svecs.size());
      std::int64_t count = 0;
      for (std::size_t k = 0; k < n_lp; ++k) {
        if (length[k] - minimum < symprec) {
          // Back to supercell fractional coordinates.
          Eigen::Vector3d v;
          for (int l = 0; l < 3; ++l) {
            v(l) = trans_mat_inv(0, l) * vec[k](0) + trans_mat_inv(1, l) * vec[k](1) +
                   trans_mat_inv(2, l) * vec[k](2);
          }
          result.svecs.push_back(v);
          ++count;
        }
      }
      result.multi[i * result.n_patom + j] = {count, first};
    }
  }
  return result;
}

ShortestVectors shortest_vectors(const Supercell& supercell, const Primitive& primitive, double symprec) {
  std::vector<Eigen::Vector3d> primitive_positions;
  primitive_positions.reserve(primitive.p2s_map.size());
  for (auto s : primitive.p2s_map)
    primitive_positions.push_back(supercell.positions[static_cast<std::size_t>(s)]);
  ShortestVectors result =
      smallest_vectors_in_supercell(supercell.lattice, supercell.positions, primitive_positions, symprec);
  // Supercell fractional -> primitive fractional: supercell_lattice = trans_mat * primitive_lattice.
  const Eigen::Matrix3i trans_mat = round_integral(supercell.lattice * detail::inverse(primitive.lattice),
                                                   "supercell-to-primitive transformation");
  for (auto& v : result.svecs) {
    Eigen::Vector3d w;
    for (int k = 0; k < 3; ++k) {
      double x = v(0) * trans_mat(0, k);
      x += v(1) * trans_mat(1, k);
      x += v(2) * trans_mat(2, k);
      w(k) = x;
    }
    v = w;
  }
  return result;
}

}  // namespace ph3mpi::crystal
