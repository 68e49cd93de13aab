// Inter-band (coherence) conductivity kernels against phono3py 4.4's transport_type runs
// (tests/data/<case>/runs/<run>/: kappa-m*.hdf5, the phonon-m*.hdf5 it used, run.json).
//
// Taken from the run: the eigenvectors and frequencies (phonon file, rows mapped to ph3mpi's
// BZ grid by grid address) and Gamma (kappa file). Computed by ph3mpi: D(q) and dD/dq, the
// velocity matrices, their star sums, the heat-capacity matrices, the group velocities, the
// per-grid-point contributions and kappa. The eigenvectors are read, so nothing depends on
// the basis this machine's LAPACK would pick inside degenerate subspaces.
//
// Comparison rule (kTolerance = 1e-10): an entry r of a reference tensor with largest
// magnitude s passes when |x - r| <= 1e-10 max(|r|, s). The tensor is one (sigma, T) row of
// 6 Voigt components for kappa-like datasets (so the ~1e-16 off-diagonal components, which
// are rounding residues, are held to 1e-10 of the diagonal ones), and the whole dataset for
// per-mode datasets (group_velocity, heat_capacity, mode_kappa_RTA).
#include <gtest/gtest.h>

#include <Eigen/Dense>
#include <algorithm>
#include <cmath>
#include <complex>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "ph3mpi/common/error.hpp"
#include "ph3mpi/driver/harmonic_setup.hpp"
#include "ph3mpi/driver/inputs.hpp"
#include "ph3mpi/grid/make_bz_grid.hpp"
#include "ph3mpi/io/hdf5_file.hpp"
#include "ph3mpi/phonon/degeneracy.hpp"
#include "ph3mpi/phonon/group_velocity.hpp"
#include "ph3mpi/phonon/heat_capacity.hpp"
#include "ph3mpi/phonon/phonon_solver.hpp"
#include "ph3mpi/transport/heat_capacity_matrix.hpp"
#include "ph3mpi/transport/interband_kappa.hpp"
#include "ph3mpi/transport/lbte_kappa.hpp"
#include "ph3mpi/transport/rta_kappa.hpp"
#include "ph3mpi/transport/velocity_matrix.hpp"
#include "test_support.hpp"

namespace ph3mpi::transport {
namespace {

namespace fs = std::filesystem;

constexpr double kTolerance = 1e-10;

struct InterbandRun {
  std::string case_name;  // tests/data/<case_name>
  std::string run;        // runs/<run>
  std::string mesh;       // config spelling, "[7, 7, 5]"
  std::string tag;        // file-name tag, "m775"
  InterbandVariant variant;
  bool lbte;
};

std::string run_label(const InterbandRun& r) { return r.run; }

const std::vector<InterbandRun>& runs() {
  static const std::vector<InterbandRun> all = {
      {"aln-lda", "aln-rta-njc23-m775", "[7, 7, 5]", "m775", InterbandVariant::kNJC23, false},
      {"aln-lda", "aln-rta-ibdb19-m775", "[7, 7, 5]", "m775", InterbandVariant::kIBDB19, false},
      {"aln-lda", "aln-rta-smm19-m775", "[7, 7, 5]", "m775", InterbandVariant::kSMM19, false},
      {"aln-lda", "aln-lbte-njc23-m775", "[7, 7, 5]", "m775", InterbandVariant::kNJC23, true},
      {"si-pbesol", "si-rta-smm19-m999", "[9, 9, 9]", "m999", InterbandVariant::kSMM19, false},
  };
  return all;
}

// Largest |x - r| / max(|r|, scale) seen; the pass criterion is <= kTolerance.
struct Deviation {
  double worst = 0;
  void add(double x, double r, double scale) {
    const double d = std::abs(x - r) / std::max(std::abs(r), scale);
    worst = std::isfinite(x) ? std::max(worst, d) : INFINITY;
  }
};

// Tensors of `width` consecutive entries, each compared on its own scale (width = n: one scale).
double compare(const std::string& what, const double* got, const double* ref, std::size_t n,
               std::size_t width) {
  Deviation dev;
  for (std::size_t start = 0; start < n; start += width) {
    double scale = 0;
    for (std::size_t i = start; i < start + width; ++i) scale = std::max(scale, std::abs(ref[i]));
    for (std::size_t i = start; i < start + width; ++i) dev.add(got[i], ref[i], scale);
  }
  std::printf("    %-18s %5zu values: max dev %.3e (of max(|ref|, scale))\n", what.c_str(), n, dev.worst);
  EXPECT_LE(dev.worst, kTolerance) << what;
  return dev.worst;
}

std::string write_config(const InterbandRun& r) {
  const std::string dir = test::make_temp_dir("interband_" + r.run);
  const std::string path = (fs::path(dir) / "config.toml").string();
  std::ofstream(path) << "mode = \"phonons\"\n"
                      << "phono3py_yaml = \"" << test::data_path(r.case_name + "/phono3py.yaml") << "\"\n"
                      << "fc2 = \"" << test::data_path(r.case_name + "/fc2.hdf5") << "\"\n"
                      << "mesh = " << r.mesh << "\n";
  return path;
}

// One run: ph3mpi's grid and D(q), the run's phonons and reference datasets, and what the
// kernels computed from them (once per run).
struct Computed {
  driver::Inputs inputs;
  grid::BZGrid bz;
  std::unique_ptr<phonon::DynamicalMatrix> dm;
  std::size_t nb = 0, num_gp = 0, num_temp = 0;
  std::vector<double> temperatures;
  std::vector<std::int64_t> ir_grid_points;    // ph3mpi BZ indices, in the kappa file's order
  NdArray<double> frequencies;                 // (num_bz, nb) in ph3mpi's BZ order, from the phonon file
  NdArray<std::complex<double>> eigenvectors;  // (num_bz, nb, nb) likewise, (component, band)
  NdArray<double> gamma;                       // (num_temp, num_gp, nb) from the kappa file
  double conversion_factor = 0;
  // computed
  NdArray<double> group_velocities;  // (num_gp, nb, 3)
  NdArray<double> vm_by_vm;          // (num_gp, nb, nb, 6)
  NdArray<double> contributions;     // (num_gp, 1, num_temp, 2, 6)
  InterbandKappa kappa;
};

Eigen::MatrixXcd eigenvector_matrix(const NdArray<std::complex<double>>& e, std::size_t gp, std::size_t nb) {
  const Eigen::Index n = static_cast<Eigen::Index>(nb);
  Eigen::MatrixXcd m(n, n);
  const std::complex<double>* p = e.ptr() + gp * nb * nb;
  for (std::size_t r = 0; r < nb; ++r)
    for (std::size_t c = 0; c < nb; ++c) m(Eigen::Index(r), Eigen::Index(c)) = p[r * nb + c];
  return m;
}

std::string run_file(const InterbandRun& r, const std::string& stem) {
  return test::data_path(r.case_name + "/runs/" + r.run + "/" + stem + "-" + r.tag + ".hdf5");
}

const Computed& compute(const InterbandRun& r) {
  static std::map<std::string, std::unique_ptr<Computed>> cache;
  if (auto it = cache.find(r.run); it != cache.end()) return *it->second;
  auto out = std::make_unique<Computed>();
  Computed& d = *out;
  const std::string config = write_config(r);
  d.inputs = driver::load_inputs(config);
  fs::remove_all(fs::path(config).parent_path());
  d.bz = driver::make_bz_grid(d.inputs);
  d.dm = driver::make_dynamical_matrix(d.inputs);
  d.nb = d.dm->num_band();
  const std::size_t nb = d.nb;
  const std::size_t num_bz = std::size_t(d.bz.num_bz_points());

  // Phonon file rows -> ph3mpi BZ indices by grid address.
  const io::Hdf5File ph(run_file(r, "phonon"));
  const NdArray<std::int64_t> address = ph.read_int("grid_address");
  const NdArray<double> freq = ph.read_double("frequency");
  const NdArray<std::complex<double>> eig = ph.read_complex("eigenvector");
  EXPECT_EQ(address.shape[0], num_bz);
  EXPECT_EQ(freq.shape, (std::vector<std::size_t>{num_bz, nb}));
  EXPECT_EQ(eig.shape, (std::vector<std::size_t>{num_bz, nb, nb}));
  std::vector<std::int64_t> to_ph3mpi(address.shape[0]);
  d.frequencies = NdArray<double>({num_bz, nb});
  d.eigenvectors = NdArray<std::complex<double>>({num_bz, nb, nb});
  std::vector<char> seen(num_bz, 0);
  for (std::size_t row = 0; row < address.shape[0]; ++row) {
    const grid::Vector3l a(address[3 * row], address[3 * row + 1], address[3 * row + 2]);
    const std::int64_t gp = grid::bz_grid_point_with_surface(d.bz, a);
    EXPECT_EQ(d.bz.addresses[std::size_t(gp)], a) << "phonon-file row " << row;
    EXPECT_FALSE(seen[std::size_t(gp)]) << "two phonon-file rows map to BZ point " << gp;
    seen[std::size_t(gp)] = 1;
    to_ph3mpi[row] = gp;
    std::copy(freq.ptr() + row * nb, freq.ptr() + (row + 1) * nb, d.frequencies.ptr() + std::size_t(gp) * nb);
    std::copy(eig.ptr() + row * nb * nb, eig.ptr() + (row + 1) * nb * nb,
              d.eigenvectors.ptr() + std::size_t(gp) * nb * nb);
  }

  const io::Hdf5File kf(run_file(r, "kappa"));
  const NdArray<std::int64_t> grid_point = kf.read_int("grid_point");
  d.num_gp = grid_point.size();
  d.temperatures = kf.read_double("temperature").data;
  d.num_temp = d.temperatures.size();
  d.gamma = kf.read_double("gamma");
  EXPECT_EQ(d.gamma.shape, (std::vector<std::size_t>{d.num_temp, d.num_gp, nb}));
  const NdArray<double> qpoint = kf.read_double("qpoint");
  for (std::size_t i = 0; i < d.num_gp; ++i) {
    const std::int64_t gp = to_ph3mpi.at(std::size_t(grid_point[i]));
    d.ir_grid_points.push_back(gp);
    const Eigen::Vector3d q = grid::qpoint_of_bz_point(d.bz, gp);
    for (int c = 0; c < 3; ++c)
      EXPECT_NEAR(q(c), qpoint[3 * i + std::size_t(c)], 1e-14) << "grid point " << i;
  }
  d.conversion_factor = kappa_unit_conversion(d.inputs.primitive.volume());
  EXPECT_NEAR(d.conversion_factor, kf.read_double_scalar("kappa_unit_conversion"),
              1e-14 * d.conversion_factor);

  InterbandSettings settings;
  settings.variant = r.variant;
  settings.temperatures = d.temperatures;
  settings.conversion_factor = d.conversion_factor;
  d.group_velocities = NdArray<double>({d.num_gp, nb, 3});
  d.vm_by_vm = NdArray<double>({d.num_gp, nb, nb, 6});
  d.contributions = NdArray<double>({d.num_gp, 1, d.num_temp, 2, 6});
  std::vector<double> gamma_gp(d.num_temp * nb);
  for (std::size_t i = 0; i < d.num_gp; ++i) {
    const std::int64_t gp = d.ir_grid_points[i];
    const Eigen::Vector3d q = grid::qpoint_of_bz_point(d.bz, gp);
    const double* f = d.frequencies.ptr() + std::size_t(gp) * nb;
    VelocityMatrices vm =
        velocity_matrices_at(*d.dm, q, eigenvector_matrix(d.eigenvectors, std::size_t(gp), nb), f);
    project_group_velocities(vm, q, d.bz.reciprocal_operations, d.bz.rotations_cartesian,
                             d.group_velocities.ptr() + i * nb * 3);
    double* vv = d.vm_by_vm.ptr() + i * nb * nb * 6;
    vm_by_vm_over_star(vm, d.bz.rotations_cartesian, kappa_star_multiplicity(d.bz, gp), vv);
    for (std::size_t t = 0; t < d.num_temp; ++t)
      std::copy_n(d.gamma.ptr() + (t * d.num_gp + i) * nb, nb, gamma_gp.data() + t * nb);
    InterbandGridPointInput in;
    in.frequencies = f;
    in.vm_by_vm = vv;
    in.gamma = gamma_gp.data();
    in.num_sigma = 1;
    in.num_band = nb;
    const NdArray<double> c = interband_kappa_at_grid_point(in, settings);
    std::copy(c.data.begin(), c.data.end(), d.contributions.ptr() + i * c.size());
  }
  d.kappa = finish_interband_kappa(d.contributions, d.bz.num_gr_points());
  return *(cache[r.run] = std::move(out));
}

class InterbandReference : public ::testing::TestWithParam<InterbandRun> {};

TEST_P(InterbandReference, KappaDatasetsMatchPhono3py) {
  const InterbandRun& r = GetParam();
  const Computed& d = compute(r);
  const io::Hdf5File kf(run_file(r, "kappa"));
  std::printf("  [%s] %zu ir grid points, %zu bands, %zu temperature(s):\n", r.run.c_str(), d.num_gp, d.nb,
              d.num_temp);
  const std::size_t n = d.num_temp * 6;  // file datasets are (num_temp, 6): sigma sliced
  compare("kappa_inter", d.kappa.kappa_inter.ptr(), kf.read_double("kappa_inter").ptr(), n, 6);
  if (!r.lbte) {
    compare("kappa", d.kappa.kappa.ptr(), kf.read_double("kappa").ptr(), n, 6);
    compare("kappa_intra", d.kappa.kappa_intra.ptr(), kf.read_double("kappa_intra").ptr(), n, 6);
  } else {
    // LBTE: the file's kappa is the exact intra-band LBTE solution (= kappa_intra_exact,
    // collision matrix needed: test_lbte_kappa), not kappa_intra + kappa_inter.
    const NdArray<double> kappa = kf.read_double("kappa");
    EXPECT_EQ(kappa.data, kf.read_double("kappa_intra_exact").data);
    EXPECT_EQ(kf.read_double("kappa_RTA").data, kf.read_double("kappa_intra_RTA").data);
  }
  // The velocity-matrix diagonal, little-group averaged: phono3py's group_velocity dataset.
  const NdArray<double> gv = kf.read_double("group_velocity");
  ASSERT_EQ(gv.shape, d.group_velocities.shape);
  compare("group_velocity", d.group_velocities.ptr(), gv.ptr(), gv.size(), gv.size());
}

TEST_P(InterbandReference, HeatCapacityMatrixDiagonalIsTheFilesHeatCapacity) {
  const InterbandRun& r = GetParam();
  const Computed& d = compute(r);
  const io::Hdf5File kf(run_file(r, "kappa"));
  const NdArray<double> cv = kf.read_double("heat_capacity");  // (num_temp, num_gp, nb)
  std::vector<double> diag(cv.size());
  std::vector<double> m(d.nb * d.nb);
  for (std::size_t t = 0; t < d.num_temp; ++t) {
    for (std::size_t i = 0; i < d.num_gp; ++i) {
      heat_capacity_matrix(r.variant, d.frequencies.ptr() + std::size_t(d.ir_grid_points[i]) * d.nb, d.nb,
                           d.temperatures[t], 1e-4, m.data());
      for (std::size_t j = 0; j < d.nb; ++j) diag[(t * d.num_gp + i) * d.nb + j] = m[j * d.nb + j];
    }
  }
  compare("heat_capacity", diag.data(), cv.ptr(), cv.size(), cv.size());
}

// phono3py derives kappa_RTA = kappa_intra_RTA and mode_kappa_RTA of an inter-band LBTE run
// from Gamma and the velocity-matrix group velocities alone (no collision matrix): the LBTE
// kernels' RTA branch fed with those must reproduce them.
TEST(InterbandLbte, RtaPartFromGamma) {
  const InterbandRun& r = runs()[3];
  ASSERT_TRUE(r.lbte);
  const Computed& d = compute(r);
  const io::Hdf5File kf(run_file(r, "kappa"));
  const LbteLayout layout = make_lbte_layout(d.bz, d.ir_grid_points, d.nb, false, true);
  ASSERT_EQ(layout.ir_grid_points, d.ir_grid_points);
  const NdArray<double> mode_kappa_RTA = kf.read_double("mode_kappa_RTA");  // (num_temp, num_gp, nb, 6)
  const NdArray<double> kappa_RTA = kf.read_double("kappa_RTA");
  for (std::size_t t = 0; t < d.num_temp; ++t) {
    NdArray<double> main_diagonals({d.num_gp, d.nb});
    std::copy_n(d.gamma.ptr() + t * d.num_gp * d.nb, d.num_gp * d.nb, main_diagonals.ptr());
    const NdArray<double> X =
        lbte_X(layout, d.frequencies.ptr(), d.group_velocities, d.temperatures[t], 1e-4);
    const NdArray<double> Y =
        rta_Y(X, rta_divisors_irreducible(main_diagonals), layout, d.frequencies.ptr(), 1e-4);
    const NdArray<double> mk = lbte_mode_kappa(X, Y, layout, d.temperatures[t], d.conversion_factor);
    compare("mode_kappa_RTA", mk.ptr(), mode_kappa_RTA.ptr() + t * mk.size(), mk.size(), mk.size());
    const std::array<double, 6> k = sum_mode_kappa(mk, d.bz.num_gr_points());
    compare("kappa_RTA", k.data(), kappa_RTA.ptr() + t * 6, 6, 6);
  }
}

// kappa_intra is the RTA conductivity of the velocity-matrix diagonal: C v v / (2 Gamma).
TEST_P(InterbandReference, IntraBandPartIsRtaOfTheDiagonal) {
  const InterbandRun& r = GetParam();
  const Computed& d = compute(r);
  const std::size_t nb = d.nb;
  for (std::size_t t = 0; t < d.num_temp; ++t) {
    std::array<double, 6> intra{};
    for (std::size_t i = 0; i < d.num_gp; ++i) {
      const double* f = d.frequencies.ptr() + std::size_t(d.ir_grid_points[i]) * nb;
      for (std::size_t j = 0; j < nb; ++j) {
        const double cv = phonon::mode_heat_capacity(f[j], d.temperatures[t]);
        const double g = d.gamma[(t * d.num_gp + i) * nb + j];
        for (std::size_t p = 0; p < 6; ++p) {
          const double value =
              cv * d.vm_by_vm[((i * nb + j) * nb + j) * 6 + p] / (2 * g) * d.conversion_factor;
          if (std::isfinite(value)) intra[p] += value;
        }
      }
    }
    for (double& x : intra) x /= double(d.bz.num_gr_points());
    compare("kappa_intra (RTA)", intra.data(), d.kappa.kappa_intra.ptr() + t * 6, 6, 6);
  }
}

INSTANTIATE_TEST_SUITE_P(Runs, InterbandReference, ::testing::ValuesIn(runs()),
                         [](const ::testing::TestParamInfo<InterbandRun>& param) {
                           std::string s = run_label(param.param);
                           std::replace(s.begin(), s.end(), '-', '_');
                           return s;
                         });

// ---------------------------------------------------------------- properties

// A unitary mix inside every degenerate subspace and random phases on every band leave
// invariant what kappa sees when Gamma and C are equal within degenerate sets: the diagonal
// (projected group velocities) and, for every pair of degenerate sets (A, B), the sum of
// vm_by_vm over j in A, j' in B, j != j'. Element by element the off-diagonal products
// change where the perturbation (1, 2, 3) does not split a subspace (AlN on Gamma-A: dD/dq
// is a multiple of the identity inside E1 and E2, so the rotated basis is whatever the
// input was). Checked on every irreducible grid point of AlN 7x7x5 and Si 9x9x9.
TEST(VelocityMatrix, KappaRelevantSumsDoNotDependOnTheEigenvectorBasis) {
  std::mt19937 rng(14);
  std::normal_distribution<double> normal;
  std::uniform_real_distribution<double> angle(0.0, 6.283185307179586);
  for (std::size_t run : {0u, 4u}) {
    const Computed& d = compute(runs()[run]);
    const std::size_t nb = d.nb;
    double worst = 0, scale = 0;
    std::size_t degenerate_points = 0;
    for (std::size_t i = 0; i < d.num_gp; ++i) {
      const std::int64_t gp = d.ir_grid_points[i];
      const double* f = d.frequencies.ptr() + std::size_t(gp) * nb;
      Eigen::MatrixXcd e = eigenvector_matrix(d.eigenvectors, std::size_t(gp), nb);
      const auto sets = phonon::degenerate_sets(f, nb);
      for (const auto& deg : sets) {
        const Eigen::Index k = Eigen::Index(deg.size());
        Eigen::MatrixXcd a(k, k);
        for (Eigen::Index x = 0; x < k; ++x)
          for (Eigen::Index y = 0; y < k; ++y) a(x, y) = {normal(rng), normal(rng)};
        const Eigen::MatrixXcd u = Eigen::HouseholderQR<Eigen::MatrixXcd>(a).householderQ();
        Eigen::MatrixXcd block(Eigen::Index(nb), k);
        for (Eigen::Index c = 0; c < k; ++c)
          block.col(c) = e.col(Eigen::Index(deg[std::size_t(c)])) * std::polar(1.0, angle(rng));
        block = block * u;
        for (Eigen::Index c = 0; c < k; ++c) e.col(Eigen::Index(deg[std::size_t(c)])) = block.col(c);
        degenerate_points += k > 1;
      }
      const Eigen::Vector3d q = grid::qpoint_of_bz_point(d.bz, gp);
      VelocityMatrices vm = velocity_matrices_at(*d.dm, q, e, f);
      std::vector<double> gv(nb * 3), vv(nb * nb * 6);
      project_group_velocities(vm, q, d.bz.reciprocal_operations, d.bz.rotations_cartesian, gv.data());
      vm_by_vm_over_star(vm, d.bz.rotations_cartesian, kappa_star_multiplicity(d.bz, gp), vv.data());
      const double* ref = d.vm_by_vm.ptr() + i * nb * nb * 6;
      for (std::size_t k = 0; k < vv.size(); ++k) scale = std::max(scale, std::abs(ref[k]));
      for (const auto& sa : sets) {
        for (const auto& sb : sets) {
          for (std::size_t p = 0; p < 6; ++p) {
            double got = 0, want = 0;
            for (std::size_t j : sa)
              for (std::size_t k : sb) {
                const std::size_t at = (j * nb + k) * 6 + p;
                if (j == k)
                  worst = std::max(worst, std::abs(vv[at] - ref[at]));
                else {
                  got += vv[at];
                  want += ref[at];
                }
              }
            worst = std::max(worst, std::abs(got - want));
          }
        }
      }
    }
    std::printf("    %s: %zu degenerate sets rotated; max change %.3e of max %.3e\n", runs()[run].run.c_str(),
                degenerate_points, worst, scale);
    EXPECT_GT(degenerate_points, 0u);
    EXPECT_LE(worst, 1e-12 * scale);
  }
}

// The projected diagonal makes the intra-band part the ordinary RTA: per grid point, the
// diagonal of vm_by_vm equals gv_by_gv_over_star of the projected group velocities.
TEST(VelocityMatrix, ProjectedDiagonalGivesGvByGv) {
  for (std::size_t run : {0u, 4u}) {
    const Computed& d = compute(runs()[run]);
    const std::size_t nb = d.nb;
    double worst = 0, scale = 0;
    for (std::size_t i = 0; i < d.num_gp; ++i) {
      std::vector<double> gg(nb * 6);
      gv_by_gv_over_star(d.group_velocities.ptr() + i * nb * 3, nb, d.bz.rotations_cartesian,
                         kappa_star_multiplicity(d.bz, d.ir_grid_points[i]), gg.data());
      for (std::size_t j = 0; j < nb; ++j)
        for (std::size_t p = 0; p < 6; ++p) {
          scale = std::max(scale, std::abs(gg[j * 6 + p]));
          worst = std::max(worst, std::abs(d.vm_by_vm[((i * nb + j) * nb + j) * 6 + p] - gg[j * 6 + p]));
        }
    }
    EXPECT_LE(worst, 1e-13 * scale) << runs()[run].run;
  }
}

// The raw diagonal of v is the group velocity: before the little-group projection it
// equals phonopy's GroupVelocity without symmetrization, and v is hermitian.
TEST(VelocityMatrix, DiagonalIsTheGroupVelocityAndMatrixIsHermitian) {
  const Computed& d = compute(runs()[4]);  // Si 9x9x9, no NAC
  const std::size_t nb = d.nb;
  const phonon::GroupVelocity gv(*d.dm);  // no symmetrization
  for (std::size_t i = 0; i < d.num_gp; ++i) {
    const std::int64_t gp = d.ir_grid_points[i];
    const Eigen::Vector3d q = grid::qpoint_of_bz_point(d.bz, gp);
    const VelocityMatrices vm =
        velocity_matrices_at(*d.dm, q, eigenvector_matrix(d.eigenvectors, std::size_t(gp), nb),
                             d.frequencies.ptr() + std::size_t(gp) * nb);
    const std::vector<double> ref = gv.at(q);
    for (std::size_t a = 0; a < 3; ++a) {
      EXPECT_LE((vm[a] - vm[a].adjoint()).cwiseAbs().maxCoeff(), 0.0);
      for (std::size_t j = 0; j < nb; ++j)
        EXPECT_NEAR(vm[a](Eigen::Index(j), Eigen::Index(j)).real(), ref[j * 3 + a], 1e-9) << "gp " << gp;
    }
  }
}

TEST(VelocityMatrix, RejectsInconsistentInput) {
  DynamicalMatrixDerivatives ddm;
  for (auto& m : ddm) m = Eigen::MatrixXcd::Zero(3, 3);
  const double f[3] = {1, 2, 3};
  EXPECT_THROW(velocity_matrices(ddm, Eigen::MatrixXcd::Identity(2, 2), f), Error);
  VelocityMatrices vm;
  for (auto& m : vm) m = Eigen::MatrixXcd::Zero(3, 3);
  std::vector<double> out(3 * 3 * 6);
  EXPECT_THROW(vm_by_vm_over_star(vm, {Eigen::Matrix3d::Identity()}, 0, out.data()), Error);
  EXPECT_THROW(project_group_velocities(vm, Eigen::Vector3d::Zero(), {}, {}, out.data()), Error);
}

TEST(HeatCapacityMatrix, VariantsReduceToModeHeatCapacityAndOrderAsTheDocSays) {
  // A zero (acoustic) band, two exactly degenerate bands and two close ones.
  const std::vector<double> f = {0.0, 3.0, 3.0, 7.5, 7.5000001, 15.0};
  const std::size_t nb = f.size();
  for (double t : {10.0, 300.0, 1000.0}) {
    std::vector<double> njc(nb * nb), ibdb(nb * nb), smm(nb * nb);
    heat_capacity_matrix(InterbandVariant::kNJC23, f.data(), nb, t, 1e-4, njc.data());
    heat_capacity_matrix(InterbandVariant::kIBDB19, f.data(), nb, t, 1e-4, ibdb.data());
    heat_capacity_matrix(InterbandVariant::kSMM19, f.data(), nb, t, 1e-4, smm.data());
    for (std::size_t j = 0; j < nb; ++j) {
      const double cj = phonon::mode_heat_capacity(f[j], t);
      for (std::size_t k = 0; k < nb; ++k) {
        const std::size_t jk = j * nb + k, kj = k * nb + j;
        for (const auto* m : {&njc, &ibdb, &smm}) {
          EXPECT_NEAR((*m)[jk], (*m)[kj], 1e-14 * std::abs((*m)[jk])) << "symmetric";
          if (j == 0 || k == 0) {
            EXPECT_EQ((*m)[jk], 0.0) << "below the cutoff";
          }
        }
        if (j == k || f[j] == f[k]) {
          for (const auto* m : {&njc, &ibdb, &smm}) EXPECT_EQ((*m)[jk], cj) << "fallback to C_j";
        } else if (j != 0 && k != 0) {
          // (E + E')^2 / 4 >= E E' (arithmetic vs geometric mean, doc): njc23 >= ibdb19 > 0.
          EXPECT_GT(ibdb[jk], 0.0);
          EXPECT_GE(njc[jk], ibdb[jk]);
          // Nearly degenerate bands: every variant is close to the mode heat capacity.
          if (std::abs(f[j] - f[k]) < 1e-3) {
            for (const auto* m : {&njc, &ibdb, &smm}) EXPECT_NEAR((*m)[jk], cj, 1e-6 * cj);
          }
        }
      }
    }
  }
  std::vector<double> zero(nb * nb);
  heat_capacity_matrix(InterbandVariant::kNJC23, f.data(), nb, 0.0, 1e-4, zero.data());
  for (double x : zero) EXPECT_EQ(x, 0.0) << "T = 0";
}

TEST(HeatCapacityMatrix, VariantNames) {
  EXPECT_EQ(parse_interband_variant("njc23"), InterbandVariant::kNJC23);
  EXPECT_EQ(parse_interband_variant("IBDB19"), InterbandVariant::kIBDB19);
  EXPECT_EQ(parse_interband_variant("Smm19"), InterbandVariant::kSMM19);
  EXPECT_FALSE(parse_interband_variant("wte"));
  EXPECT_FALSE(parse_interband_variant(""));
  EXPECT_EQ(interband_variant_name(InterbandVariant::kIBDB19), "IBDB19");
}

TEST(InterbandKappa, MatrixAndSumsAgreeAndLineShapeHalvesOnTheDiagonal) {
  const std::size_t nb = 4;
  const std::vector<double> f = {1.0, 2.0, 2.0, 5.0};
  const std::vector<double> g = {0.1, 0.0, 0.0, 0.3};  // degenerate pair with Gamma = 0: 0/0 -> 0
  std::vector<double> cv(nb * nb, 0.5), vv(nb * nb * 6);
  for (std::size_t i = 0; i < vv.size(); ++i) vv[i] = 0.1 * double(i % 7) + 0.01;
  std::vector<double> m(nb * nb * 6);
  interband_mode_kappa_matrix(f.data(), g.data(), cv.data(), vv.data(), nb, 2.0, m.data());
  const InterbandKappaSums s = interband_kappa_sums(f.data(), g.data(), cv.data(), vv.data(), nb, 2.0);
  for (std::size_t p = 0; p < 6; ++p) {
    double total = 0, intra = 0;
    for (std::size_t j = 0; j < nb; ++j)
      for (std::size_t k = 0; k < nb; ++k) {
        total += m[(j * nb + k) * 6 + p];
        if (j == k) intra += m[(j * nb + k) * 6 + p];
      }
    EXPECT_EQ(s.total[p], total);
    EXPECT_EQ(s.intra[p], intra);
    // Diagonal: C v v / (2 Gamma) c.
    EXPECT_DOUBLE_EQ(m[(0 * nb + 0) * 6 + p], 0.5 * vv[p] / (2 * 0.1) * 2.0);
    EXPECT_EQ(m[(1 * nb + 2) * 6 + p], 0.0);  // Gamma_1 + Gamma_2 = 0 at equal frequencies
    EXPECT_EQ(m[(1 * nb + 1) * 6 + p], 0.0);
  }
  EXPECT_DOUBLE_EQ(interband_lineshape(0.0, 0.2), 5.0);
  EXPECT_DOUBLE_EQ(interband_lineshape(3.0, 4.0), 4.0 / 25.0);
}

TEST(InterbandKappa, FinishRejectsBadShapes) {
  EXPECT_THROW(finish_interband_kappa(NdArray<double>({3, 1, 1, 6}), 10), Error);
  EXPECT_THROW(finish_interband_kappa(NdArray<double>({3, 1, 1, 2, 6}), 0), Error);
  InterbandGridPointInput in;
  EXPECT_THROW(interband_kappa_at_grid_point(in, InterbandSettings{}), Error);
}

}  // namespace
}  // namespace ph3mpi::transport
