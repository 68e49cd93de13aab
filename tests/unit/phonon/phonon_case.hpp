// Test helpers of the phonon tests: a reference case built the way phono3py.load builds it
// (phono3py.yaml -> phonon supercell -> phonon primitive -> shortest vectors, fc2.hdf5), the
// reference datasets of reference/phonons*.hdf5, and comparison helpers that record the
// largest deviations.
#pragma once

#include <gtest/gtest.h>

#include <Eigen/Dense>
#include <algorithm>
#include <cmath>
#include <complex>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "ph3mpi/crystal/primitive.hpp"
#include "ph3mpi/crystal/shortest_vectors.hpp"
#include "ph3mpi/crystal/supercell.hpp"
#include "ph3mpi/crystal/symmetry.hpp"
#include "ph3mpi/io/force_constants.hpp"
#include "ph3mpi/io/hdf5_file.hpp"
#include "ph3mpi/io/phono3py_yaml.hpp"
#include "ph3mpi/phonon/dynamical_matrix.hpp"
#include "ph3mpi/phonon/group_velocity.hpp"
#include "test_support.hpp"

namespace ph3mpi::phonon::testing {

constexpr double kSymprec = 1e-5;

struct Case {
  std::string name;
  io::Phono3pyYaml yaml;
  crystal::Supercell supercell;  // the fc2 (phonon) supercell
  crystal::Primitive primitive;
  crystal::ShortestVectors svecs;
  io::ForceConstants fc2;
  crystal::Symmetry symmetry;  // of the primitive cell (phono3py's primitive_symmetry)
  std::unique_ptr<DynamicalMatrix> dm;

  // Dynamical matrix with a given NAC method ("gonze", "wang") or fc2 file.
  std::unique_ptr<DynamicalMatrix> make_dm(const std::string& method,
                                           const std::string& fc2_file = "fc2.hdf5") const {
    std::optional<NacParams> nac = yaml.nac;
    if (nac) nac->method = method;
    io::ForceConstants fc = fc2_file == "fc2.hdf5" ? fc2
                                                   : io::read_fc2(test::data_path(name + "/" + fc2_file),
                                                                  supercell.num_atoms(), primitive.p2s_map);
    return std::make_unique<DynamicalMatrix>(make_dynamical_matrix_input(primitive, svecs, std::move(fc.fc)),
                                             nac);
  }
};

// Built once per process and shared by the tests of a case.
inline const Case& load_case(const std::string& name) {
  static std::map<std::string, std::unique_ptr<Case>> cache;
  auto& slot = cache[name];
  if (!slot) {
    auto c = std::make_unique<Case>();
    c->name = name;
    c->yaml = io::read_phono3py_yaml(test::data_path(name + "/phono3py.yaml"));
    c->supercell = crystal::build_supercell(c->yaml.unitcell, c->yaml.phonon_supercell_matrix, kSymprec);
    c->primitive = crystal::build_primitive(c->supercell, c->yaml.primitive_matrix, kSymprec);
    c->svecs = crystal::shortest_vectors(c->supercell, c->primitive, kSymprec);
    c->fc2 =
        io::read_fc2(test::data_path(name + "/fc2.hdf5"), c->supercell.num_atoms(), c->primitive.p2s_map);
    c->symmetry = crystal::get_symmetry(c->primitive, kSymprec);
    c->dm = c->make_dm("gonze");
    slot = std::move(c);
  }
  return *slot;
}

inline std::vector<Eigen::Vector3d> read_vectors(const io::Hdf5File& h5, const std::string& name) {
  const NdArray<double> a = h5.read_double(name);
  std::vector<Eigen::Vector3d> v(a.shape.at(0));
  for (std::size_t i = 0; i < v.size(); ++i) v[i] = Eigen::Vector3d(a[3 * i], a[3 * i + 1], a[3 * i + 2]);
  return v;
}

// Largest deviations seen, printed at the end of each test (for the report).
struct Deviation {
  double max_abs = 0;
  double max_rel = 0;
  void abs(double d) { max_abs = std::max(max_abs, d); }
  void rel(double d) { max_rel = std::max(max_rel, d); }
};

// Projectors onto the spans of groups of eigenvectors (columns `cols` of a row-major
// (nb, nb) array): P = E E^H. Returns max |P_a - P_b| over all groups.
inline double projector_deviation(const std::complex<double>* a, const std::complex<double>* b,
                                  std::size_t nb, const std::vector<std::vector<std::size_t>>& groups) {
  double worst = 0;
  for (const auto& g : groups) {
    for (std::size_t r = 0; r < nb; ++r) {
      for (std::size_t c = 0; c < nb; ++c) {
        std::complex<double> pa = 0.0, pb = 0.0;
        for (std::size_t k : g) {
          pa += a[r * nb + k] * std::conj(a[c * nb + k]);
          pb += b[r * nb + k] * std::conj(b[c * nb + k]);
        }
        worst = std::max(worst, std::abs(pa - pb));
      }
    }
  }
  return worst;
}

}  // namespace ph3mpi::phonon::testing
