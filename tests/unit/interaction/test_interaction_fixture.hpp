// Shared by the interaction and self-energy tests: one reference case (crystal, fc3,
// BZ grid, phonons on the grid from tests/data/<case>/reference/phonons.hdf5) and the
// per-grid-point reference files (triplets, weights, interaction strength, Gamma).
// Phonons and weights come from the reference files, so these tests depend on the
// crystal and io modules but not on the phonon solver or the triplet code.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <complex>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "ph3mpi/common/ndarray.hpp"
#include "ph3mpi/crystal/primitive.hpp"
#include "ph3mpi/crystal/shortest_vectors.hpp"
#include "ph3mpi/crystal/supercell.hpp"
#include "ph3mpi/grid/bz_grid.hpp"
#include "ph3mpi/interaction/atom_triplets.hpp"
#include "ph3mpi/interaction/phonon_view.hpp"
#include "ph3mpi/interaction/triplets.hpp"
#include "ph3mpi/io/force_constants.hpp"
#include "ph3mpi/io/hdf5_file.hpp"
#include "ph3mpi/io/phono3py_yaml.hpp"
#include "test_support.hpp"

namespace ph3mpi::interaction::testing {

struct CaseData {
  std::string name;
  crystal::Supercell supercell;
  crystal::Primitive primitive;
  AtomTriplets atoms;
  io::ForceConstants fc3;
  std::vector<double> masses;  // primitive masses as phono3py used them (grid.hdf5)
  grid::BZGrid bz_grid;        // D_diag, Q, addresses (enough for the interaction)
  NdArray<double> frequencies;
  NdArray<std::complex<double>> eigenvectors;

  const std::int8_t* nonzero_indices() const {
    return fc3.has_nonzero_indices ? fc3.fc3_nonzero_indices.ptr() : nullptr;
  }
  PhononView phonons() const {
    PhononView v;
    v.frequencies = frequencies.ptr();
    v.eigenvectors = eigenvectors.ptr();
    v.num_grid_points = frequencies.shape[0];
    v.num_band = frequencies.shape[1];
    return v;
  }
};

inline std::string grid_group(const std::string& name) { return name == "aln-lda" ? "m775" : "m999"; }

inline const std::vector<std::string>& case_names() {
  static const std::vector<std::string> names = {"si-pbesol", "nacl-pbe", "aln-lda", "mgo"};
  return names;
}

// The two reference grid points of a case.
inline std::vector<std::int64_t> grid_points(const std::string& name) {
  if (name == "aln-lda") return {64, 55};
  return {105, 2};
}

inline std::vector<std::int8_t> to_int8(const NdArray<std::int64_t>& a) {
  std::vector<std::int8_t> out(a.size());
  for (std::size_t i = 0; i < a.size(); ++i) out[i] = static_cast<std::int8_t>(a[i]);
  return out;
}

inline const CaseData& load_case(const std::string& name) {
  static std::map<std::string, std::unique_ptr<CaseData>> cache;
  auto it = cache.find(name);
  if (it != cache.end()) return *it->second;
  auto data = std::make_unique<CaseData>();
  data->name = name;
  const io::Phono3pyYaml yaml = io::read_phono3py_yaml(test::data_path(name + "/phono3py.yaml"));
  // phono3py.load default symprec, not the file's.
  const double symprec = 1e-5;
  data->supercell = crystal::build_supercell(yaml.unitcell, yaml.supercell_matrix, symprec);
  data->primitive = crystal::build_primitive(data->supercell, yaml.primitive_matrix, symprec);
  const crystal::ShortestVectors sv = crystal::shortest_vectors(data->supercell, data->primitive, symprec);
  data->atoms = make_atom_triplets(data->supercell, data->primitive, sv);
  data->fc3 =
      io::read_fc3(test::data_path(name + "/fc3.hdf5"), data->supercell.num_atoms(), data->primitive.p2s_map);

  const io::Hdf5File grid(test::data_path(name + "/reference/grid.hdf5"));
  const std::string g = grid_group(name) + "/";
  data->masses = grid.read_double("cell/primitive_masses").data;
  const NdArray<std::int64_t> d_diag = grid.read_int(g + "D_diag");
  const NdArray<std::int64_t> q = grid.read_int(g + "Q");
  const NdArray<std::int64_t> addresses = grid.read_int(g + "addresses");
  for (int i = 0; i < 3; ++i) {
    data->bz_grid.D_diag(i) = d_diag[static_cast<std::size_t>(i)];
    for (int j = 0; j < 3; ++j) data->bz_grid.Q(i, j) = q[static_cast<std::size_t>(3 * i + j)];
  }
  for (std::size_t i = 0; i < addresses.shape[0]; ++i) {
    data->bz_grid.addresses.emplace_back(addresses[3 * i], addresses[3 * i + 1], addresses[3 * i + 2]);
  }
  const io::Hdf5File phonons(test::data_path(name + "/reference/phonons.hdf5"));
  data->frequencies = phonons.read_double("grid/frequencies");
  data->eigenvectors = phonons.read_complex("grid/eigenvectors");
  const NdArray<std::int64_t> ph_addresses = phonons.read_int("grid/addresses");
  if (ph_addresses.data != addresses.data) throw std::runtime_error(name + ": phonon grid != BZ grid");
  return *(cache[name] = std::move(data));
}

// Reference data of one grid point.
struct GridPointData {
  std::int64_t grid_point = 0;
  std::vector<Triplet> triplets;
  std::vector<std::int64_t> weights;
  NdArray<double> pp_full, pp_g_zero;           // eV^2
  NdArray<double> g_tetrahedron, g_sigma;       // (2, n, nb0, nb, nb)
  std::vector<std::int8_t> g_zero_tetrahedron;  // (n, nb0, nb, nb)
  std::vector<std::int8_t> g_zero_sigma;
  double cutoff_frequency = 0;
  double ise_unit_conversion = 0;
  std::vector<double> temperatures;
  NdArray<double> gamma_tetrahedron, gamma_sigma, gamma_tetrahedron_g_zero_path;  // (temps, nb0)
  NdArray<double> gamma_N_tetrahedron, gamma_U_tetrahedron;                       // si-pbesol only
};

inline const GridPointData& load_grid_point(const std::string& name, std::int64_t gp) {
  static std::map<std::string, std::unique_ptr<GridPointData>> cache;
  const std::string key = name + "/" + std::to_string(gp);
  auto it = cache.find(key);
  if (it != cache.end()) return *it->second;
  auto d = std::make_unique<GridPointData>();
  d->grid_point = gp;
  const std::string dir = name + "/reference/";
  const io::Hdf5File f(test::data_path(dir + "interaction_gp" + std::to_string(gp) + ".hdf5"));
  const NdArray<std::int64_t> tp = f.read_int("triplets_at_q");
  for (std::size_t i = 0; i < tp.shape[0]; ++i)
    d->triplets.push_back({tp[3 * i], tp[3 * i + 1], tp[3 * i + 2]});
  d->weights = f.read_int("weights").data;
  d->pp_full = f.read_double("interaction_strength_full");
  d->pp_g_zero = f.read_double("interaction_strength_g_zero");
  d->g_tetrahedron = f.read_double("g_tetrahedron");
  d->g_sigma = f.read_double("g_sigma0.1");
  d->g_zero_tetrahedron = to_int8(f.read_int("g_zero_tetrahedron"));
  d->g_zero_sigma = to_int8(f.read_int("g_zero_sigma0.1"));
  d->cutoff_frequency = f.read_double_scalar("cutoff_frequency");
  d->ise_unit_conversion = f.read_double_scalar("unit_conversion_factor");
  const io::Hdf5File ise(test::data_path(dir + "ise_gp" + std::to_string(gp) + ".hdf5"));
  d->temperatures = ise.read_double("temperatures").data;
  d->gamma_tetrahedron = ise.read_double("gamma_tetrahedron");
  d->gamma_sigma = ise.read_double("gamma_sigma0.1");
  d->gamma_tetrahedron_g_zero_path = ise.read_double("gamma_tetrahedron_g_zero_path");
  if (ise.exists("gamma_N_tetrahedron")) {
    d->gamma_N_tetrahedron = ise.read_double("gamma_N_tetrahedron");
    d->gamma_U_tetrahedron = ise.read_double("gamma_U_tetrahedron");
  }
  return *(cache[key] = std::move(d));
}

// Largest |a - b| / |b| over entries with |b| > floor * max|b| (and, when strict_zero,
// the requirement that a is exactly 0 wherever b is exactly 0: returned as infinity).
struct Deviation {
  double max_relative = 0;
  std::size_t compared = 0;
};

inline Deviation relative_deviation(const double* a, const double* b, std::size_t n, double floor = 1e-12,
                                    bool strict_zero = false) {
  double max_b = 0;
  for (std::size_t i = 0; i < n; ++i) max_b = std::max(max_b, std::abs(b[i]));
  Deviation d;
  for (std::size_t i = 0; i < n; ++i) {
    if (strict_zero && b[i] == 0.0 && a[i] != 0.0) d.max_relative = INFINITY;
    if (std::abs(b[i]) <= floor * max_b) continue;
    d.max_relative = std::max(d.max_relative, std::abs(a[i] - b[i]) / std::abs(b[i]));
    ++d.compared;
  }
  return d;
}

}  // namespace ph3mpi::interaction::testing
