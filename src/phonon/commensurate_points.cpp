// Commensurate points of a supercell and phonopy's BrillouinZone.shortest_qpoints.
#include "ph3mpi/phonon/commensurate_points.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>

#include "ph3mpi/common/error.hpp"
#include "ph3mpi/crystal/shortest_vectors.hpp"
#include "ph3mpi/phonon/numpy_linalg.hpp"

namespace ph3mpi::phonon {

std::vector<Eigen::Vector3d> commensurate_points(const Eigen::Matrix3i& supercell_matrix) {
  const Eigen::Matrix<std::int64_t, 3, 3> m = supercell_matrix.cast<std::int64_t>();
  const std::int64_t det = m(0, 0) * (m(1, 1) * m(2, 2) - m(1, 2) * m(2, 1)) -
                           m(0, 1) * (m(1, 0) * m(2, 2) - m(1, 2) * m(2, 0)) +
                           m(0, 2) * (m(1, 0) * m(2, 1) - m(1, 1) * m(2, 0));
  if (det <= 0) throw Error("commensurate_points: supercell matrix has determinant " + std::to_string(det));
  // phonopy's construction (get_commensurate_points -> get_supercell(unit cubic one-atom cell,
  // M^T), old style): lattice points of the diagonal frame enclosing the supercell, a index
  // fastest, scaled by the frame, re-expressed in the supercell basis, wrapped into [0, 1) and
  // deduplicated in order. These are the q with M^T q integral. numpy's operations are
  // repeated one by one: their rounding (values like 0.7499999999999999) enters the phases of
  // the short-range force constants.
  const Eigen::Matrix3i mat = supercell_matrix.transpose();
  int frame[3];
  for (int c = 0; c < 3; ++c) {
    // Corners of the supercell: 0, columns, sums of two columns, sum of all three.
    int lo = 0;
    int hi = 0;
    for (int mask = 1; mask < 8; ++mask) {
      int v = 0;
      for (int k = 0; k < 3; ++k)
        if (mask & (1 << k)) v += mat(c, k);
      lo = std::min(lo, v);
      hi = std::max(hi, v);
    }
    frame[c] = hi - lo;
  }
  Eigen::Matrix3d trim_frame;
  for (int r = 0; r < 3; ++r)
    for (int c = 0; c < 3; ++c) trim_frame(r, c) = double(mat(r, c)) / double(frame[r]);
  std::vector<Eigen::Vector3d> lattice_points;
  lattice_points.reserve(std::size_t(frame[0]) * std::size_t(frame[1]) * std::size_t(frame[2]));
  for (int k = 0; k < frame[2]; ++k)
    for (int j = 0; j < frame[1]; ++j)
      for (int i = 0; i < frame[0]; ++i) lattice_points.emplace_back(double(i), double(j), double(k));
  const Eigen::Matrix3d frame_matrix = Eigen::Vector3d(frame[0], frame[1], frame[2]).asDiagonal();
  const auto in_frame = numpy_linalg::dot_rows(lattice_points, numpy_linalg::inv(frame_matrix), true);
  auto in_supercell = numpy_linalg::dot_rows(in_frame, numpy_linalg::inv(trim_frame), true);
  // Lattice of the supercell in the frame's Cartesian units, for the overlap distance.
  const Eigen::Matrix3d trimmed_lattice = trim_frame.transpose() * frame_matrix;
  std::vector<Eigen::Vector3d> q;
  for (auto& p : in_supercell) {
    for (int c = 0; c < 3; ++c) p(c) -= std::floor(p(c));
    bool overlap = false;
    for (const auto& kept : q) {
      Eigen::Vector3d d = kept - p;
      for (int c = 0; c < 3; ++c) d(c) -= std::nearbyint(d(c));
      if ((trimmed_lattice.transpose() * d).norm() < 1e-5) {
        overlap = true;
        break;
      }
    }
    if (!overlap) q.push_back(p);
  }
  if (std::int64_t(q.size()) != det) {
    throw Error("commensurate_points: found " + std::to_string(q.size()) + " points, expected " +
                std::to_string(det));
  }
  for (auto& p : q)
    for (int c = 0; c < 3; ++c)
      if (p(c) > 1 - 1e-15) p(c) -= 1;
  return q;
}

std::vector<std::vector<Eigen::Vector3d>> shortest_qpoints_in_bz(const Eigen::Matrix3d& reciprocal_lattice,
                                                                 const std::vector<Eigen::Vector3d>& qpoints,
                                                                 double tolerance) {
  // phonopy's search_space: the 27 neighbours in its fixed order.
  static const int kSearch[27][3] = {
      {0, 0, 0},    {0, 0, 1},   {0, 1, -1},  {0, 1, 0},   {0, 1, 1},  {1, -1, -1}, {1, -1, 0},
      {1, -1, 1},   {1, 0, -1},  {1, 0, 0},   {1, 0, 1},   {1, 1, -1}, {1, 1, 0},   {1, 1, 1},
      {-1, -1, -1}, {-1, -1, 0}, {-1, -1, 1}, {-1, 0, -1}, {-1, 0, 0}, {-1, 0, 1},  {-1, 1, -1},
      {-1, 1, 0},   {-1, 1, 1},  {0, -1, -1}, {0, -1, 0},  {0, -1, 1}, {0, 0, -1}};
  double min_len2 = std::numeric_limits<double>::max();
  for (int j = 0; j < 3; ++j) min_len2 = std::min(min_len2, reciprocal_lattice.col(j).squaredNorm());
  const double tol = min_len2 * tolerance;
  // Rows of `reduced` are a Niggli-reduced basis of the reciprocal lattice.
  const Eigen::Matrix3d reduced = crystal::niggli_reduce(reciprocal_lattice.transpose(), 1e-5);
  // phonopy BrillouinZone, with numpy's arithmetic: tmat = inv(rec) . reduced^T,
  // q_reduced = q . tmat_inv^T - rint, |(q_reduced + n) . reduced|^2, and q + n back by . tmat^T.
  std::vector<Eigen::Vector3d> tm_rows{Eigen::Vector3d::Zero(), Eigen::Vector3d::Zero(),
                                       Eigen::Vector3d::Zero()};
  const Eigen::Matrix3d rec_inv = numpy_linalg::inv(reciprocal_lattice);
  for (int r = 0; r < 3; ++r) tm_rows[std::size_t(r)] = rec_inv.row(r).transpose();
  const auto tm = numpy_linalg::dot_rows(tm_rows, reduced, true);
  Eigen::Matrix3d tmat;
  for (int r = 0; r < 3; ++r) tmat.row(r) = tm[std::size_t(r)].transpose();
  const Eigen::Matrix3d tmat_inv = numpy_linalg::inv(tmat);

  std::vector<std::vector<Eigen::Vector3d>> result(qpoints.size());
  const std::vector<Eigen::Vector3d> reduced_q = numpy_linalg::dot_rows(qpoints, tmat_inv, true);
  std::vector<Eigen::Vector3d> candidates(27);
  for (std::size_t iq = 0; iq < qpoints.size(); ++iq) {
    Eigen::Vector3d rq = reduced_q[iq];
    for (int c = 0; c < 3; ++c) rq(c) -= std::nearbyint(rq(c));
    for (int s = 0; s < 27; ++s)
      for (int c = 0; c < 3; ++c) candidates[std::size_t(s)](c) = rq(c) + double(kSearch[s][c]);
    const auto x = numpy_linalg::dot_rows(candidates, reduced, false);
    double dist[27];
    double min_dist = std::numeric_limits<double>::max();
    for (int s = 0; s < 27; ++s) {
      const Eigen::Vector3d& v = x[std::size_t(s)];
      const double x0 = v(0) * v(0);
      const double x1 = v(1) * v(1);
      const double x2 = v(2) * v(2);
      dist[s] = (x0 + x1) + x2;
      min_dist = std::min(min_dist, dist[s]);
    }
    std::vector<Eigen::Vector3d> shortest;
    for (int s = 0; s < 27; ++s)
      if (dist[s] < min_dist + tol) shortest.push_back(candidates[std::size_t(s)]);
    result[iq] = numpy_linalg::dot_rows(shortest, tmat, true);
  }
  return result;
}

}  // namespace ph3mpi::phonon
