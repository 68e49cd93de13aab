// The pruned BZ relocation kernel against a plain transcription of phonopy's
// full 125-translation scan (c/bzgrid.c type 2), on random lattices, meshes, GR
// grids and shifts, including bases that are not reduced.
#include <gtest/gtest.h>

#include <array>
#include <cmath>
#include <cstdint>

#include "ph3mpi/grid/bz_grid_addresses.hpp"
#include "ph3mpi/grid/grid_address.hpp"
#include "ph3mpi/grid/snf3x3.hpp"

namespace ph3mpi::grid {
namespace {

std::int64_t c_nint(double a) {
  return a < 0.0 ? static_cast<std::int64_t>(a - 0.5) : static_cast<std::int64_t>(a + 0.5);
}

Matrix3l inverse_unimodular(const Matrix3l& a) {
  const Eigen::Matrix3d inv = a.cast<double>().inverse();
  Matrix3l out;
  for (int i = 0; i < 3; ++i) {
    for (int j = 0; j < 3; ++j) out(i, j) = static_cast<std::int64_t>(std::llround(inv(i, j)));
  }
  return out;
}

// Straight full scan, every translation evaluated, as in phonopy.
BZGridAddresses full_scan(const Vector3l& D, const Matrix3l& Q, const Vector3l& PS,
                          const Eigen::Matrix3d& rec) {
  std::vector<std::array<std::int64_t, 3>> space;
  const std::int64_t order[5] = {0, 1, 2, -2, -1};
  for (auto a : order) {
    for (auto b : order) {
      for (auto c : order) space.push_back({a, b, c});
    }
  }
  const double tol = bz_reduction_tolerance(rec, D);
  const Matrix3l Qinv = inverse_unimodular(Q);
  BZGridAddresses out;
  out.gp_map.push_back(0);
  for (std::int64_t gp = 0; gp < D.prod(); ++gp) {
    const Vector3l adrs = grid_address_from_index(gp, D);
    double qr[3], q[3];
    std::int64_t n[3];
    for (int i = 0; i < 3; ++i)
      qr[i] = static_cast<double>(adrs(i) * 2 + PS(i)) / (2.0 * static_cast<double>(D(i)));
    for (int i = 0; i < 3; ++i) {
      q[i] = static_cast<double>(Q(i, 0)) * qr[0] + static_cast<double>(Q(i, 1)) * qr[1] +
             static_cast<double>(Q(i, 2)) * qr[2];
    }
    for (int i = 0; i < 3; ++i) {
      n[i] = c_nint(q[i]);
      q[i] -= static_cast<double>(n[i]);
    }
    std::vector<double> d(space.size());
    for (std::size_t s = 0; s < space.size(); ++s) {
      double v[3], w[3];
      for (int j = 0; j < 3; ++j) v[j] = q[j] + static_cast<double>(space[s][static_cast<std::size_t>(j)]);
      for (int j = 0; j < 3; ++j) w[j] = rec(j, 0) * v[0] + rec(j, 1) * v[1] + rec(j, 2) * v[2];
      d[s] = w[0] * w[0] + w[1] * w[1] + w[2] * w[2];
    }
    double m = d[0];
    for (std::size_t s = 1; s < d.size(); ++s) {
      if (d[s] < m - tol) m = d[s];
    }
    for (std::size_t s = 0; s < d.size(); ++s) {
      if (d[s] < m + tol) {
        Vector3l dG(space[s][0] - n[0], space[s][1] - n[1], space[s][2] - n[2]);
        dG = (Qinv * dG).eval();
        out.addresses.push_back(adrs + dG.cwiseProduct(D));
        out.bzg2grg.push_back(gp);
      }
    }
    out.gp_map.push_back(static_cast<std::int64_t>(out.addresses.size()));
  }
  return out;
}

TEST(BZFastPath, AgreesWithFullScan) {
  std::uint64_t state = 2024;
  auto uniform = [&state]() {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    return static_cast<double>(state >> 11) / 9007199254740992.0;
  };
  auto small_int = [&](int lo, int hi) { return lo + static_cast<int>(uniform() * (hi - lo + 1)); };

  std::vector<Eigen::Matrix3d> lattices;
  Eigen::Matrix3d cubic = Eigen::Matrix3d::Identity() * 0.2;
  Eigen::Matrix3d bcc;  // reciprocal of fcc: many exactly equidistant surface images
  bcc << -1, 1, 1, 1, -1, 1, 1, 1, -1;
  Eigen::Matrix3d hex;
  hex << 0.32, 0.16, 0, 0, 0.277, 0, 0, 0, 0.2;
  lattices.push_back(cubic);
  lattices.push_back(bcc * 0.18);
  lattices.push_back(hex);
  for (int k = 0; k < 6; ++k) {  // random triclinic
    Eigen::Matrix3d m;
    for (int i = 0; i < 9; ++i) m(i / 3, i % 3) = (uniform() - 0.5) * 0.6;
    m += Eigen::Matrix3d::Identity() * 0.3;
    lattices.push_back(m);
  }

  int compared = 0;
  for (const auto& lattice : lattices) {
    for (int trial = 0; trial < 4; ++trial) {
      Vector3l D;
      Matrix3l Q = Matrix3l::Identity();
      if (trial < 2) {
        D = Vector3l(small_int(1, 8), small_int(1, 8), small_int(1, 8));
        if (trial == 1) D = 2 * (D / 2 + Vector3l::Ones());  // even meshes
      } else {
        Matrix3l A;
        do {
          for (int i = 0; i < 9; ++i) A(i / 3, i % 3) = small_int(-4, 4);
        } while (std::llabs(static_cast<long long>(A.cast<double>().determinant())) < 8 ||
                 std::llabs(static_cast<long long>(std::llround(A.cast<double>().determinant()))) > 300);
        const auto snf = snf3x3(A);
        ASSERT_TRUE(snf);
        D = snf->D_diag;
        Q = snf->Q;
      }
      const Vector3l PS =
          trial == 3 ? Vector3l(small_int(0, 1), small_int(0, 1), small_int(0, 1)) : Vector3l::Zero();
      // Both the Niggli-reduced basis (as phonopy uses) and the raw one.
      for (int reduced = 0; reduced < 2; ++reduced) {
        Eigen::Matrix3d rec = lattice;
        Matrix3l Q_eff = Q;
        if (reduced == 1) {
          const ReducedReciprocalBasis b = reduced_reciprocal_basis(lattice);
          rec = b.reduced;
          Q_eff = b.tmat_inv * Q;
        }
        const BZGridAddresses fast = bz_grid_addresses_on_basis(D, Q_eff, PS, rec);
        const BZGridAddresses full = full_scan(D, Q_eff, PS, rec);
        ASSERT_EQ(fast.gp_map, full.gp_map) << "lattice\n" << lattice << "\nD " << D.transpose();
        ASSERT_EQ(fast.bzg2grg, full.bzg2grg);
        ASSERT_EQ(fast.addresses.size(), full.addresses.size());
        for (std::size_t i = 0; i < fast.addresses.size(); ++i)
          ASSERT_EQ(fast.addresses[i], full.addresses[i]);
        ++compared;
      }
    }
  }
  EXPECT_EQ(compared, 72);
}

}  // namespace
}  // namespace ph3mpi::grid
