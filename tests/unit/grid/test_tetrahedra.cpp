// Tetrahedron relative grid addresses (phonopy c/tetrahedron_method.c).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <set>

#include "ph3mpi/common/error.hpp"
#include "ph3mpi/grid/tetrahedron_grid.hpp"

namespace ph3mpi::grid {
namespace {

std::int64_t det3(const Vector3l& a, const Vector3l& b, const Vector3l& c) {
  return a(0) * (b(1) * c(2) - b(2) * c(1)) - a(1) * (b(0) * c(2) - b(2) * c(0)) +
         a(2) * (b(0) * c(1) - b(1) * c(0));
}

TEST(Tetrahedra, TablesDescribeTheShortestDiagonalCut) {
  const Vector3l diagonals[4] = {Vector3l(1, 1, 1), Vector3l(-1, 1, 1), Vector3l(1, -1, 1),
                                 Vector3l(1, 1, -1)};
  for (int d = 0; d < 4; ++d) {
    const auto& table = tetrahedra_relative_grid_address_table(d);
    std::set<std::vector<std::int64_t>> distinct;
    for (const auto& tet : table) {
      // Every tetrahedron starts at the grid point, fills 1/6 of a parallelepiped,
      // and has the chosen main diagonal as one of its edges.
      EXPECT_EQ(tet[0], Vector3l::Zero());
      EXPECT_EQ(std::abs(det3(tet[1] - tet[0], tet[2] - tet[0], tet[3] - tet[0])), 1);
      bool has_diagonal = false;
      for (int i = 0; i < 4; ++i) {
        for (int j = 0; j < 4; ++j) {
          const Vector3l e = tet[j] - tet[i];
          has_diagonal = has_diagonal || e == diagonals[d];
        }
      }
      EXPECT_TRUE(has_diagonal) << "diagonal " << d;
      std::vector<std::int64_t> key;
      std::vector<std::vector<std::int64_t>> verts;
      for (const auto& v : tet) verts.push_back({v(0), v(1), v(2)});
      std::sort(verts.begin(), verts.end());
      for (const auto& v : verts) key.insert(key.end(), v.begin(), v.end());
      distinct.insert(key);
    }
    EXPECT_EQ(distinct.size(), 24u);
  }
  EXPECT_THROW(tetrahedra_relative_grid_address_table(4), Error);
}

TEST(Tetrahedra, MainDiagonalFollowsTheMicrozoneMetric) {
  EXPECT_EQ(shortest_main_diagonal(Eigen::Matrix3d::Identity()), 0);  // all equal: first wins
  Eigen::Matrix3d fcc_rec;  // bcc-like reciprocal of fcc: columns (-1,1,1), (1,-1,1), (1,1,-1)
  fcc_rec << -1, 1, 1, 1, -1, 1, 1, 1, -1;
  EXPECT_EQ(shortest_main_diagonal(fcc_rec), 0);
  Eigen::Matrix3d hex;  // a and b at 60 degrees: -a + b + c and a - b + c tie, the first (1) wins
  hex << 1, 0.5, 0, 0, std::sqrt(3.0) / 2, 0, 0, 0, 1;
  EXPECT_EQ(shortest_main_diagonal(hex), 1);
  Eigen::Matrix3d obl = Eigen::Matrix3d::Identity();
  obl(0, 2) = 0.6;  // c tilted along +a: -a + b + c and a + b - c tie, 1 wins
  EXPECT_EQ(shortest_main_diagonal(obl), 1);
  Eigen::Matrix3d obl2 = Eigen::Matrix3d::Identity();
  obl2(1, 2) = 0.6;  // c tilted along +b: a - b + c and a + b - c tie, 2 wins
  EXPECT_EQ(shortest_main_diagonal(obl2), 2);
  Eigen::Matrix3d obl3 = Eigen::Matrix3d::Identity();
  obl3(0, 2) = -0.6;
  obl3(1, 2) = -0.6;  // c tilted along -(a + b): a + b + c shortest
  EXPECT_EQ(shortest_main_diagonal(obl3), 0);
  Eigen::Matrix3d obl4 = Eigen::Matrix3d::Identity();
  obl4(0, 2) = 0.6;
  obl4(1, 2) = 0.6;  // c tilted along +(a + b): a + b - c shortest
  EXPECT_EQ(shortest_main_diagonal(obl4), 3);
  EXPECT_EQ(tetrahedra_relative_grid_address(obl4)[0], tetrahedra_relative_grid_address_table(3)[0]);
}

}  // namespace
}  // namespace ph3mpi::grid
