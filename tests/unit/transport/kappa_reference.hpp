// Loading phono3py's reference kappa files (tests/data/<case>/reference/kappa-*.hdf5) and the
// grid data the RTA kernel needs for them (tests/data/<case>/reference/grid.hdf5).
#pragma once

#include <Eigen/Dense>
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

#include "ph3mpi/common/ndarray.hpp"
#include "ph3mpi/grid/bz_grid.hpp"
#include "ph3mpi/io/hdf5_file.hpp"
#include "test_support.hpp"

namespace ph3mpi::transport::testing {

struct KappaCase {
  std::string case_name;   // folder under tests/data
  std::string kappa_file;  // reference/<kappa_file>
  std::string grid_group;  // group of reference/grid.hdf5 with the rotations
  // Mesh of the kappa file when grid.hdf5 has no group for it (MgO 11x11x11): the point-group
  // rotations of a regular mesh do not depend on the mesh, addresses are rint(q * mesh).
  std::int64_t regular_mesh_override = 0;
  // Run settings that decide the file layout (phono3py arguments of that run).
  bool is_isotope = false;
  bool is_N_U = false;
  double sigma = 0.0;  // 0 = tetrahedron method
};

inline std::vector<KappaCase> rta_cases() {
  return {
      {"si-pbesol", "kappa-rta-m999.hdf5", "m999", 0, false, false, 0.0},
      {"si-pbesol", "kappa-rta-m999-T0-1000.hdf5", "m999", 0, false, true, 0.0},
      {"si-pbesol", "kappa-rta-iso-m999.hdf5", "m999", 0, true, false, 0.0},
      {"si-pbesol", "kappa-rta-sigma0.1-m999.hdf5", "m999", 0, false, false, 0.1},
      {"si-pbesol", "kappa-rta-grg-m30.hdf5", "grg_mesh30", 0, false, false, 0.0},
      {"si-pbesol", "kappa-rta-fullfc-m999.hdf5", "m999", 0, false, false, 0.0},
      {"nacl-pbe", "kappa-rta-m999.hdf5", "m999", 0, false, false, 0.0},
      {"nacl-pbe", "kappa-rta-gvfd-m999.hdf5", "m999", 0, false, false, 0.0},
      {"nacl-pbe", "kappa-rta-wang-m999.hdf5", "m999", 0, false, false, 0.0},
      {"aln-lda", "kappa-rta-m775.hdf5", "m775", 0, false, false, 0.0},
      {"mgo", "kappa-rta-m999.hdf5", "m999", 0, false, false, 0.0},
      {"mgo", "kappa-rta-m111111.hdf5", "m999", 11, false, false, 0.0},
  };
}

inline std::string case_label(const KappaCase& c) { return c.case_name + "/" + c.kappa_file; }

// For googletest's messages about parameterized tests.
inline void PrintTo(const KappaCase& c, std::ostream* os) { *os << case_label(c); }

// The reference kappa file's arrays plus the grid data of its mesh.
struct KappaReference {
  NdArray<double> frequency, group_velocity, gv_by_gv, heat_capacity, gamma, gamma_isotope, gamma_N, gamma_U;
  NdArray<double> mode_kappa, kappa, qpoint, temperature;
  NdArray<std::int64_t> weight, grid_point, mesh;
  double kappa_unit_conversion = 0.0;
  std::size_t num_gp = 0, num_band = 0, num_temp = 0;
  // grid
  grid::Vector3l D_diag;
  std::vector<grid::Vector3l> addresses;  // of the kappa file's grid points (BZ addresses)
  std::vector<grid::Matrix3l> grg_rotations;
  std::vector<Eigen::Matrix3d> rotations_cartesian;
  Eigen::Matrix3d QDinv;
  Eigen::Matrix3d primitive_lattice;  // rows a, b, c (Angstrom)
  bool is_generalized_grid = false;
  grid::Matrix3l grid_matrix, P, Q;
};

inline std::vector<grid::Matrix3l> matrices3l(const NdArray<std::int64_t>& a) {
  std::vector<grid::Matrix3l> out(a.size() / 9);
  for (std::size_t k = 0; k < out.size(); ++k)
    for (int i = 0; i < 3; ++i)
      for (int j = 0; j < 3; ++j)
        out[k](i, j) = a[9 * k + 3 * static_cast<std::size_t>(i) + static_cast<std::size_t>(j)];
  return out;
}

inline std::vector<Eigen::Matrix3d> matrices3d(const NdArray<double>& a) {
  std::vector<Eigen::Matrix3d> out(a.size() / 9);
  for (std::size_t k = 0; k < out.size(); ++k)
    for (int i = 0; i < 3; ++i)
      for (int j = 0; j < 3; ++j)
        out[k](i, j) = a[9 * k + 3 * static_cast<std::size_t>(i) + static_cast<std::size_t>(j)];
  return out;
}

inline KappaReference load_kappa_reference(const KappaCase& c) {
  KappaReference r;
  const io::Hdf5File k(ph3mpi::test::data_path(c.case_name + "/reference/" + c.kappa_file));
  r.frequency = k.read_double("frequency");
  r.group_velocity = k.read_double("group_velocity");
  r.gv_by_gv = k.read_double("gv_by_gv");
  r.heat_capacity = k.read_double("heat_capacity");
  r.gamma = k.read_double("gamma");
  if (k.exists("gamma_isotope")) r.gamma_isotope = k.read_double("gamma_isotope");
  if (k.exists("gamma_N")) r.gamma_N = k.read_double("gamma_N");
  if (k.exists("gamma_U")) r.gamma_U = k.read_double("gamma_U");
  r.mode_kappa = k.read_double("mode_kappa");
  r.kappa = k.read_double("kappa");
  r.qpoint = k.read_double("qpoint");
  r.temperature = k.read_double("temperature");
  r.weight = k.read_int("weight");
  r.grid_point = k.read_int("grid_point");
  r.mesh = k.read_int("mesh");
  r.kappa_unit_conversion = k.read_double_scalar("kappa_unit_conversion");
  r.num_gp = r.frequency.shape[0];
  r.num_band = r.frequency.shape[1];
  r.num_temp = r.temperature.size();

  const io::Hdf5File g(ph3mpi::test::data_path(c.case_name + "/reference/grid.hdf5"));
  const std::string grp = c.grid_group + "/";
  r.grg_rotations = matrices3l(g.read_int(grp + "rotations"));
  r.rotations_cartesian = matrices3d(g.read_double(grp + "rotations_cartesian"));
  r.primitive_lattice = matrices3d(g.read_double("cell/primitive_lattice"))[0];
  if (c.regular_mesh_override > 0) {
    const std::int64_t n = c.regular_mesh_override;
    r.D_diag = grid::Vector3l(n, n, n);
    r.QDinv = Eigen::Matrix3d::Identity() / static_cast<double>(n);
    for (std::size_t i = 0; i < r.num_gp; ++i) {
      grid::Vector3l a;
      for (int j = 0; j < 3; ++j)
        a(j) = static_cast<std::int64_t>(
            std::lround(r.qpoint[3 * i + static_cast<std::size_t>(j)] * static_cast<double>(n)));
      r.addresses.push_back(a);
    }
  } else {
    const NdArray<std::int64_t> d = g.read_int(grp + "D_diag");
    r.D_diag = grid::Vector3l(d[0], d[1], d[2]);
    r.QDinv = matrices3d(g.read_double(grp + "QDinv"))[0];
    const NdArray<std::int64_t> adrs = g.read_int(grp + "addresses");
    for (std::size_t i = 0; i < r.num_gp; ++i) {
      const std::size_t gp = static_cast<std::size_t>(r.grid_point[i]);
      r.addresses.emplace_back(adrs[3 * gp], adrs[3 * gp + 1], adrs[3 * gp + 2]);
    }
    if (g.exists(grp + "grid_matrix")) {
      r.is_generalized_grid = true;
      r.grid_matrix = matrices3l(g.read_int(grp + "grid_matrix"))[0];
      r.P = matrices3l(g.read_int(grp + "P"))[0];
      r.Q = matrices3l(g.read_int(grp + "Q"))[0];
    }
  }
  return r;
}

// max |a - b| / max |b| over all elements (0 when both are all zeros).
inline double max_rel_deviation(const std::vector<double>& a, const std::vector<double>& b) {
  double diff = 0.0, scale = 0.0;
  for (std::size_t i = 0; i < a.size() && i < b.size(); ++i) {
    diff = std::max(diff, std::abs(a[i] - b[i]));
    scale = std::max(scale, std::abs(b[i]));
  }
  return scale > 0 ? diff / scale : diff;
}

}  // namespace ph3mpi::transport::testing
