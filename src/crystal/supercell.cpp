#include "ph3mpi/crystal/supercell.hpp"

#include <algorithm>
#include <cmath>
#include <sstream>

#include "ph3mpi/common/error.hpp"

namespace ph3mpi::crystal {

namespace detail {

Eigen::Matrix3d inverse(const Eigen::Matrix3d& m) {
  // LU with partial pivoting, as LAPACK's dgesv(A, I) that numpy.linalg.inv calls: for the
  // diagonal matrices that occur in practice this yields exactly 1/d on the diagonal.
  Eigen::PartialPivLU<Eigen::Matrix3d> lu(m);
  return lu.inverse();
}

bool same_species(const Cell& a, std::size_t i, const Cell& b, std::size_t j) {
  const bool same_number = a.numbers.empty() || b.numbers.empty() || a.numbers[i] == b.numbers[j];
  const bool same_symbol = a.symbols.empty() || b.symbols.empty() || a.symbols[i] == b.symbols[j];
  return same_number && same_symbol;
}

namespace {
// Copies per-atom properties of atom `i` of `from` to the end of `to`.
void append_atom(const Cell& from, std::size_t i, const Eigen::Vector3d& position, Cell& to) {
  to.positions.push_back(position);
  if (!from.symbols.empty()) to.symbols.push_back(from.symbols[i]);
  if (!from.numbers.empty()) to.numbers.push_back(from.numbers[i]);
  if (!from.masses.empty()) to.masses.push_back(from.masses[i]);
}
}  // namespace

std::vector<std::int64_t> trim_cell(const Eigen::Matrix3d& relative_axes, const Cell& cell, double symprec,
                                    bool check_overlap, Cell& trimmed) {
  trimmed = Cell{};
  trimmed.lattice = relative_axes.transpose() * cell.lattice;
  // Row-vector positions times inv(relative_axes)^T, then wrapped into [0, 1).
  const Eigen::Matrix3d to_new = inverse(relative_axes).transpose();
  std::vector<std::int64_t> extracted;
  for (std::size_t i = 0; i < cell.num_atoms(); ++i) {
    const Eigen::RowVector3d old_pos = cell.positions[i].transpose();
    Eigen::Vector3d pos;
    for (int k = 0; k < 3; ++k) {
      // Summed in index order like numpy's small dot.
      double v = old_pos(0) * to_new(0, k);
      v += old_pos(1) * to_new(1, k);
      v += old_pos(2) * to_new(2, k);
      pos(k) = v - std::floor(v);
    }
    bool overlaps = false;
    if (check_overlap) {
      for (std::size_t j = 0; j < extracted.size(); ++j) {
        Eigen::Vector3d diff = trimmed.positions[j] - pos;
        for (int k = 0; k < 3; ++k) diff(k) -= std::nearbyint(diff(k));
        const Eigen::Vector3d cart = trimmed.lattice.transpose() * diff;
        if (cart.norm() < symprec && same_species(cell, static_cast<std::size_t>(extracted[j]), cell, i)) {
          overlaps = true;
          break;
        }
      }
    }
    if (!overlaps) {
      append_atom(cell, i, pos, trimmed);
      extracted.push_back(static_cast<std::int64_t>(i));
    }
  }
  return extracted;
}

}  // namespace detail

namespace {

// phonopy's _get_surrounding_frame: extent along each Cartesian-index axis of the
// parallelepiped spanned by the columns of M.
std::array<int, 3> surrounding_frame(const Eigen::Matrix3i& m) {
  std::array<Eigen::Vector3i, 8> corners = {Eigen::Vector3i::Zero(),
                                            m.col(0),
                                            m.col(1),
                                            m.col(2),
                                            m.col(1) + m.col(2),
                                            m.col(2) + m.col(0),
                                            m.col(0) + m.col(1),
                                            m.col(0) + m.col(1) + m.col(2)};
  std::array<int, 3> frame{};
  for (int i = 0; i < 3; ++i) {
    int lo = corners[0](i), hi = corners[0](i);
    for (const auto& c : corners) {
      lo = std::min(lo, c(i));
      hi = std::max(hi, c(i));
    }
    frame[static_cast<std::size_t>(i)] = hi - lo;
  }
  return frame;
}

std::string matrix_text(const Eigen::Matrix3i& m) {
  std::ostringstream os;
  os << "[[" << m(0, 0) << ", " << m(0, 1) << ", " << m(0, 2) << "], [" << m(1, 0) << ", " << m(1, 1) << ", "
     << m(1, 2) << "], [" << m(2, 0) << ", " << m(2, 1) << ", " << m(2, 2) << "]]";
  return os.str();
}

}  // namespace

Supercell build_supercell(const Cell& unitcell, const Eigen::Matrix3i& supercell_matrix, double symprec) {
  const int det = supercell_matrix.determinant();
  if (det <= 0) {
    throw Error("supercell matrix " + matrix_text(supercell_matrix) + " has determinant " +
                std::to_string(det) + "; it must be positive");
  }
  const std::size_t n_unit = unitcell.num_atoms();
  if (n_unit == 0) throw Error("cannot build a supercell of a unit cell without atoms");

  // 1. A simple supercell diag(frame) that encloses the target one. Lattice points run with
  //    the a index fastest, then b, then c; atoms are the outer loop.
  const std::array<int, 3> frame = surrounding_frame(supercell_matrix);
  Cell simple;
  Eigen::Matrix3d frame_matrix = Eigen::Matrix3d::Zero();
  for (int i = 0; i < 3; ++i) frame_matrix(i, i) = frame[static_cast<std::size_t>(i)];
  simple.lattice = frame_matrix * unitcell.lattice;
  const Eigen::Matrix3d frame_inverse = detail::inverse(frame_matrix);
  std::vector<std::int64_t> simple_to_unit;
  const std::size_t n_lattice_points = static_cast<std::size_t>(frame[0]) * frame[1] * frame[2];
  simple.positions.reserve(n_unit * n_lattice_points);
  for (std::size_t u = 0; u < n_unit; ++u) {
    for (int c = 0; c < frame[2]; ++c) {
      for (int b = 0; b < frame[1]; ++b) {
        for (int a = 0; a < frame[0]; ++a) {
          const Eigen::Vector3d shifted = Eigen::Vector3d(a, b, c) + unitcell.positions[u];
          Eigen::Vector3d pos;
          for (int k = 0; k < 3; ++k) {
            double v = shifted(0) * frame_inverse(k, 0);
            v += shifted(1) * frame_inverse(k, 1);
            v += shifted(2) * frame_inverse(k, 2);
            pos(k) = v;
          }
          simple.positions.push_back(pos);
          if (!unitcell.symbols.empty()) simple.symbols.push_back(unitcell.symbols[u]);
          if (!unitcell.numbers.empty()) simple.numbers.push_back(unitcell.numbers[u]);
          if (!unitcell.masses.empty()) simple.masses.push_back(unitcell.masses[u]);
          simple_to_unit.push_back(static_cast<std::int64_t>(u));
        }
      }
    }
  }

  // 2. Trim to the target lattice: row i of the relative axes is M's row i over frame[i].
  Eigen::Matrix3d trim_frame;
  for (int i = 0; i < 3; ++i) {
    for (int j = 0; j < 3; ++j)
      trim_frame(i, j) = supercell_matrix(i, j) / static_cast<double>(frame[static_cast<std::size_t>(i)]);
  }
  Supercell supercell;
  Cell& trimmed = supercell;
  const std::vector<std::int64_t> extracted = detail::trim_cell(trim_frame, simple, symprec, true, trimmed);

  const std::size_t n_super = supercell.num_atoms();
  if (n_super != n_unit * static_cast<std::size_t>(det)) {
    std::ostringstream os;
    os << "supercell creation failed for supercell matrix " << matrix_text(supercell_matrix) << ": expected "
       << n_unit * static_cast<std::size_t>(det) << " atoms, got " << n_super
       << " (atoms overlap within symprec=" << symprec << " Angstrom?)";
    throw Error(os.str());
  }
  supercell.supercell_matrix = supercell_matrix;
  const auto n_per_unit = static_cast<std::int64_t>(det);
  supercell.u2s_map.resize(n_unit);
  for (std::size_t u = 0; u < n_unit; ++u) supercell.u2s_map[u] = static_cast<std::int64_t>(u) * n_per_unit;
  supercell.s2u_map.resize(n_super);
  for (std::size_t s = 0; s < n_super; ++s) {
    supercell.s2u_map[s] = simple_to_unit[static_cast<std::size_t>(extracted[s])] * n_per_unit;
  }
  return supercell;
}

}  // namespace ph3mpi::crystal
