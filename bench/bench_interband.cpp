// Extra cost of the inter-band (coherence) term per irreducible grid point, next to the
// plain RTA work of the same grid point.
//
//   bench_interband [case=aln-lda] [mesh=13,13,9] [variant=njc23] [repeats=5] [data_dir]
//
// Builds the run as mode rta does (inputs, BZ grid, phonons on all BZ points, the
// interaction, T = 300 K, tetrahedron method) and measures, per irreducible grid point,
// the CPU time (process clock, so run with OMP_NUM_THREADS=1 for a one-core figure) of
//   gamma : driver::GridPointGamma::compute (triplets, weights, interaction, Gamma): once;
//   plain : what plain RTA adds per grid point: GroupVelocity::at, gv_by_gv over the star,
//           the mode heat capacities and the mode kappa (min over `repeats`);
//   inter : what transport_type adds instead: velocity matrices (dD/dq, degenerate
//           rotation, three nb x nb products), their little-group group velocities,
//           vm_by_vm over the star, the heat-capacity matrix and the band-pair sums
//           (min over `repeats`).
// Prints the totals over all irreducible grid points, inter / plain and
// (inter - plain) / (gamma + plain): the relative extra cost of an inter-band RTA run.
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <vector>

#include "ph3mpi/driver/grid_point_gamma.hpp"
#include "ph3mpi/driver/harmonic_setup.hpp"
#include "ph3mpi/driver/inputs.hpp"
#include "ph3mpi/grid/ir_grid_points.hpp"
#include "ph3mpi/grid/make_bz_grid.hpp"
#include "ph3mpi/phonon/group_velocity.hpp"
#include "ph3mpi/phonon/heat_capacity.hpp"
#include "ph3mpi/phonon/phonon_solver.hpp"
#include "ph3mpi/transport/heat_capacity_matrix.hpp"
#include "ph3mpi/transport/interband_kappa.hpp"
#include "ph3mpi/transport/rta_kappa.hpp"
#include "ph3mpi/transport/velocity_matrix.hpp"

#ifndef PH3MPI_BENCH_DATA_DIR
#define PH3MPI_BENCH_DATA_DIR "tests/data"
#endif

namespace {

using namespace ph3mpi;

double cpu_now() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return double(ts.tv_sec) + 1e-9 * double(ts.tv_nsec);
}

template <typename F>
double min_cpu(int repeats, F&& f) {
  double best = 1e300;
  for (int r = 0; r < repeats; ++r) {
    const double c0 = cpu_now();
    f();
    best = std::min(best, cpu_now() - c0);
  }
  return best;
}

std::string cpu_model() {
  std::ifstream in("/proc/cpuinfo");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("model name", 0) == 0) return line.substr(line.find(':') + 2);
  return "unknown";
}

int run(const std::string& name, const std::string& mesh, const std::string& variant_name, int repeats,
        const std::string& data) {
  const auto variant = transport::parse_interband_variant(variant_name);
  if (!variant) throw std::runtime_error("unknown variant " + variant_name);
  namespace fs = std::filesystem;
  const fs::path dir = fs::temp_directory_path() / ("ph3mpi-bench-interband-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  const std::string config = (dir / "config.toml").string();
  std::ofstream(config) << "mode = \"rta\"\n"
                        << "phono3py_yaml = \"" << data << "/" << name << "/phono3py.yaml\"\n"
                        << "fc2 = \"" << data << "/" << name << "/fc2.hdf5\"\n"
                        << "fc3 = \"" << data << "/" << name << "/fc3.hdf5\"\n"
                        << "mesh = [" << mesh << "]\n"
                        << "temperatures = [300]\n";
  const driver::Inputs inputs = driver::load_inputs(config);
  fs::remove_all(dir);
  const grid::BZGrid bz = driver::make_bz_grid(inputs);
  const grid::IrGridPoints ir = grid::get_ir_grid_points(bz);
  const auto dm = driver::make_dynamical_matrix(inputs);
  std::vector<std::int64_t> all(std::size_t(bz.num_bz_points()));
  for (std::size_t i = 0; i < all.size(); ++i) all[i] = std::int64_t(i);
  const phonon::Phonons ph = phonon::solve_phonons(*dm, grid::qpoints_of_bz_points(bz, all));
  const std::size_t nb = dm->num_band();
  interaction::PhononView view;
  view.frequencies = ph.frequencies.ptr();
  view.eigenvectors = ph.eigenvectors.ptr();
  view.num_grid_points = ph.frequencies.shape[0];
  view.num_band = nb;
  const interaction::Interaction itr = driver::make_interaction(inputs, bz);
  const driver::GridPointGamma gamma_kernel(inputs.settings, itr, view, ph.frequencies, bz, {});
  const phonon::GroupVelocity gv_kernel(*dm, inputs.primitive_symmetry.reciprocal_operations, inputs.symprec);
  const double conversion = transport::kappa_unit_conversion(inputs.primitive.volume());
  const std::vector<double> temperatures = {300.0};

  double t_gamma = 0, t_plain = 0, t_inter = 0, sink = 0;
  std::array<double, 4> t_stage{};
  const std::vector<std::int64_t>& gps = ir.ir_grid_points_bz;
  for (const std::int64_t gp : gps) {
    const Eigen::Vector3d q = grid::qpoint_of_bz_point(bz, gp);
    const double* f = ph.frequencies.ptr() + std::size_t(gp) * nb;
    NamedArrays g;
    const double c0 = cpu_now();
    g = gamma_kernel.compute(gp, 0);
    t_gamma += cpu_now() - c0;
    const std::vector<double> gamma(g.reals.at("gamma").data.begin(),
                                    g.reals.at("gamma").data.begin() + std::ptrdiff_t(nb));

    const std::int64_t multi = transport::kappa_star_multiplicity(bz, gp);
    t_plain += min_cpu(repeats, [&] {
      std::vector<double> v(nb * 3), vv(nb * 6);
      gv_kernel.at(q, v.data());
      transport::gv_by_gv_over_star(v.data(), nb, bz.rotations_cartesian, multi, vv.data());
      for (std::size_t j = 0; j < nb; ++j) {
        const double cv = phonon::mode_heat_capacity(f[j], 300.0);
        for (std::size_t p = 0; p < 6; ++p) {
          const double x = vv[j * 6 + p] * cv / (2 * gamma[j]) * conversion;
          if (std::isfinite(x)) sink += x;
        }
      }
    });
    const Eigen::Index n_b = static_cast<Eigen::Index>(nb);
    Eigen::MatrixXcd e(n_b, n_b);
    for (std::size_t r = 0; r < nb; ++r)
      for (std::size_t c = 0; c < nb; ++c)
        e(Eigen::Index(r), Eigen::Index(c)) = ph.eigenvectors[(std::size_t(gp) * nb + r) * nb + c];
    transport::InterbandSettings settings;
    settings.variant = *variant;
    settings.temperatures = temperatures;
    settings.conversion_factor = conversion;
    // The inter-band kernels stage by stage (min over repeats each), then all together.
    transport::DynamicalMatrixDerivatives ddm;
    transport::VelocityMatrices vm;
    std::vector<double> v(nb * 3), vv(nb * nb * 6);
    transport::InterbandGridPointInput in;
    in.frequencies = f;
    in.vm_by_vm = vv.data();
    in.gamma = gamma.data();
    in.num_sigma = 1;
    in.num_band = nb;
    t_stage[0] += min_cpu(repeats, [&] { ddm = transport::dynamical_matrix_derivatives(*dm, q); });
    t_stage[1] += min_cpu(repeats, [&] {
      vm = transport::velocity_matrices(ddm, e, f);
      transport::project_group_velocities(vm, q, bz.reciprocal_operations, bz.rotations_cartesian, v.data());
    });
    t_stage[2] += min_cpu(
        repeats, [&] { transport::vm_by_vm_over_star(vm, bz.rotations_cartesian, multi, vv.data()); });
    t_stage[3] +=
        min_cpu(repeats, [&] { sink += transport::interband_kappa_at_grid_point(in, settings)[0]; });
    t_inter += min_cpu(repeats, [&] {
      transport::VelocityMatrices w = transport::velocity_matrices_at(*dm, q, e, f);
      transport::project_group_velocities(w, q, bz.reciprocal_operations, bz.rotations_cartesian, v.data());
      transport::vm_by_vm_over_star(w, bz.rotations_cartesian, multi, vv.data());
      sink += transport::interband_kappa_at_grid_point(in, settings)[0];
    });
  }
  const double n = double(gps.size());
  std::printf("cpu: %s\n", cpu_model().c_str());
  std::printf("case %s mesh [%s] variant %s: %zu ir grid points, %zu bands, %zu point-group ops\n",
              name.c_str(), mesh.c_str(), transport::interband_variant_name(*variant).c_str(), gps.size(), nb,
              bz.rotations_cartesian.size());
  std::printf("%-26s %12s %14s\n", "part", "total_cpu_s", "per_gp_ms");
  std::printf("%-26s %12.4f %14.4f\n", "gamma", t_gamma, 1e3 * t_gamma / n);
  std::printf("%-26s %12.4f %14.4f\n", "plain", t_plain, 1e3 * t_plain / n);
  std::printf("%-26s %12.4f %14.4f\n", "inter", t_inter, 1e3 * t_inter / n);
  const char* stages[4] = {"  dD/dq (4 directions)", "  v matrices + projection", "  vm_by_vm over star",
                           "  C matrix + band pairs"};
  for (std::size_t k = 0; k < 4; ++k)
    std::printf("%-26s %12.4f %14.4f\n", stages[k], t_stage[k], 1e3 * t_stage[k] / n);
  std::printf(
      "inter/gamma %.3e   inter/plain %.2f   extra cost of an inter-band RTA run (inter - plain)/(gamma + "
      "plain) %.3e\n",
      t_inter / t_gamma, t_inter / t_plain, (t_inter - t_plain) / (t_gamma + t_plain));
  std::printf("(checksum %.6e)\n", sink);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    std::string mesh = argc > 2 ? argv[2] : "13,13,9";
    std::replace(mesh.begin(), mesh.end(), ',', ' ');
    std::istringstream is(mesh);
    std::vector<std::string> parts{std::istream_iterator<std::string>(is), {}};
    std::string spelled;
    for (std::size_t i = 0; i < parts.size(); ++i) spelled += (i ? ", " : "") + parts[i];
    return run(argc > 1 ? argv[1] : "aln-lda", spelled, argc > 3 ? argv[3] : "njc23",
               argc > 4 ? std::stoi(argv[4]) : 5, argc > 5 ? argv[5] : PH3MPI_BENCH_DATA_DIR);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench_interband: %s\n", e.what());
    return 1;
  }
}
