#include "ph3mpi/solvers/interband_term.hpp"

#include <cstdio>
#include <sstream>

#include "ph3mpi/common/error.hpp"
#include "ph3mpi/grid/make_bz_grid.hpp"
#include "ph3mpi/parallel/ordered_sum.hpp"
#include "ph3mpi/transport/rta_kappa.hpp"
#include "ph3mpi/transport/velocity_matrix.hpp"

namespace ph3mpi::solvers {

namespace {

Eigen::MatrixXcd eigenvector_matrix(const interaction::PhononView& phonons, std::size_t gp) {
  const std::size_t nb = phonons.num_band;
  Eigen::MatrixXcd e(static_cast<Eigen::Index>(nb), static_cast<Eigen::Index>(nb));
  const std::complex<double>* src = phonons.eigenvectors_at(gp);
  for (std::size_t r = 0; r < nb; ++r)
    for (std::size_t c = 0; c < nb; ++c)
      e(static_cast<Eigen::Index>(r), static_cast<Eigen::Index>(c)) = src[r * nb + c];
  return e;
}

// The velocity matrices of BZ grid point gp with the projected diagonal; its group
// velocities (nb, 3) into gv.
transport::VelocityMatrices projected_velocity_matrices(const ConductivityProblem& p, std::int64_t gp,
                                                        double* gv) {
  if (p.dynamical_matrix == nullptr || p.phonons.eigenvectors == nullptr) {
    throw Error("inter-band term: no dynamical matrix or eigenvectors in the problem");
  }
  const auto g = static_cast<std::size_t>(gp);
  const Eigen::Vector3d q = grid::qpoint_of_bz_point(*p.bz_grid, gp);
  transport::VelocityMatrixSettings settings;
  settings.cutoff_frequency = p.cutoff_frequency;
  transport::VelocityMatrices vm =
      transport::velocity_matrices_at(*p.dynamical_matrix, q, eigenvector_matrix(p.phonons, g),
                                      p.frequencies + g * p.num_band, std::nullopt, settings);
  transport::project_group_velocities(vm, q, p.bz_grid->reciprocal_operations, p.bz_grid->rotations_cartesian,
                                      gv);
  return vm;
}

}  // namespace

void group_velocities_of(const ConductivityProblem& problem, const std::vector<std::int64_t>& gps,
                         double* out) {
  if (gps.empty()) return;
  if (!problem.interband) {
    problem.group_velocity->run(grid::qpoints_of_bz_points(*problem.bz_grid, gps), out);
    return;
  }
  const std::size_t nb = problem.num_band;
  const auto n = static_cast<std::ptrdiff_t>(gps.size());
#pragma omp parallel for schedule(dynamic)
  for (std::ptrdiff_t i = 0; i < n; ++i) {
    projected_velocity_matrices(problem, gps[static_cast<std::size_t>(i)],
                                out + static_cast<std::size_t>(i) * nb * 3);
  }
}

transport::InterbandKappa interband_kappa(const parallel::Context& context,
                                          const ConductivityProblem& problem, std::size_t first,
                                          std::size_t count, std::size_t num_methods,
                                          const InterbandGamma& gamma_of, bool boundary) {
  const std::size_t nb = problem.num_band;
  const std::size_t n_t = problem.num_temperatures();
  transport::InterbandSettings settings;
  settings.variant = *problem.interband;
  settings.temperatures = problem.temperatures;
  settings.cutoff_frequency = problem.cutoff_frequency;
  settings.conversion_factor = problem.kappa_unit_conversion;
  const std::size_t per_gp = num_methods * n_t * 2 * 6;
  // Per grid point of the block (OpenMP), then summed in grid-point order.
  std::vector<double> contributions(count * per_gp);
  const auto n = static_cast<std::ptrdiff_t>(count);
#pragma omp parallel for schedule(dynamic)
  for (std::ptrdiff_t k = 0; k < n; ++k) {
    const std::size_t i = first + static_cast<std::size_t>(k);
    const std::int64_t gp = problem.grid_points[i];
    std::vector<double> gv(nb * 3), vv(nb * nb * 6), gamma, isotope, gamma_boundary;
    transport::VelocityMatrices vm = projected_velocity_matrices(problem, gp, gv.data());
    transport::vm_by_vm_over_star(vm, problem.bz_grid->rotations_cartesian,
                                  transport::kappa_star_multiplicity(*problem.bz_grid, gp), vv.data());
    gamma_of(i, gamma, isotope);
    transport::InterbandGridPointInput in;
    in.frequencies = problem.frequencies + static_cast<std::size_t>(gp) * nb;
    in.vm_by_vm = vv.data();
    in.gamma = gamma.data();
    in.gamma_isotope = isotope.empty() ? nullptr : isotope.data();
    if (boundary && problem.boundary_mfp) {
      gamma_boundary.resize(nb);
      transport::boundary_scattering_gamma(gv.data(), nb, *problem.boundary_mfp, gamma_boundary.data());
      in.gamma_boundary = gamma_boundary.data();
    }
    in.num_sigma = num_methods;
    in.num_band = nb;
    const NdArray<double> c = transport::interband_kappa_at_grid_point(in, settings);
    std::copy(c.data.begin(), c.data.end(),
              contributions.begin() + static_cast<std::ptrdiff_t>(static_cast<std::size_t>(k) * per_gp));
  }
  std::vector<double> sum = parallel::ordered_accumulate(context, std::vector<double>(per_gp, 0.0),
                                                         [&](std::vector<double>& running) {
                                                           for (std::size_t k = 0; k < count; ++k)
                                                             for (std::size_t x = 0; x < per_gp; ++x)
                                                               running[x] += contributions[k * per_gp + x];
                                                         });
  NdArray<double> total({1, num_methods, n_t, 2, 6});
  total.data = std::move(sum);
  return transport::finish_interband_kappa(total, problem.bz_grid->num_gr_points());
}

namespace {

std::string row(const char* label, double temperature, const double* k, const char* t_format) {
  char buffer[160];
  int used = std::snprintf(buffer, sizeof buffer, "%s", label);
  used += std::snprintf(buffer + used, sizeof buffer - static_cast<std::size_t>(used), t_format, temperature);
  for (int a = 0; a < 6; ++a)
    used += std::snprintf(buffer + used, sizeof buffer - static_cast<std::size_t>(used), " %10.3f", k[a]);
  return std::string(buffer) + "\n";
}

}  // namespace

std::string interband_rta_table(const std::string& title, const std::vector<double>& temperatures,
                                const transport::InterbandKappa& kappa, std::size_t method) {
  std::ostringstream s;
  s << "----------- Thermal conductivity (W/m-k) " << title << " -----------\n"
    << "#          T(K)        xx         yy         zz         yz         xz         xy\n";
  const std::size_t n_t = temperatures.size();
  const struct {
    const char* label;
    const NdArray<double>* values;
  } blocks[] = {
      {"K_intra ", &kappa.kappa_intra}, {"K_inter ", &kappa.kappa_inter}, {"K_TOT   ", &kappa.kappa}};
  for (const auto& b : blocks) {
    for (std::size_t it = 0; it < n_t; ++it) {
      s << row(b.label, temperatures[it], b.values->ptr() + (method * n_t + it) * 6, "%7.1f ");
    }
    s << " \n";
  }
  return s.str();
}

std::string interband_lbte_table(const std::string& title, const std::vector<double>& temperatures,
                                 const std::vector<std::array<double, 6>>& kappa,
                                 const std::vector<std::array<double, 6>>& kappa_rta,
                                 const transport::InterbandKappa& interband) {
  std::ostringstream s;
  s << "----------- Thermal conductivity (W/m-k) " << title << " -----------\n";
  for (std::size_t it = 0; it < temperatures.size(); ++it) {
    if (temperatures[it] <= 0) continue;
    const double* inter = interband.kappa_inter.ptr() + it * 6;
    std::array<double, 6> total{};
    for (std::size_t a = 0; a < 6; ++a) total[a] = kappa[it][a] + inter[a];
    s << "#              T(K)        xx         yy         zz         yz         xz         xy\n"
      << row("K_intra     ", temperatures[it], kappa[it].data(), "%7.1f ")
      << row("K_intra_RTA ", temperatures[it], kappa_rta[it].data(), "%7.1f ")
      << row("K_inter     ", temperatures[it], inter, "%7.1f ")
      << row("K_TOT       ", temperatures[it], total.data(), "%7.1f ") << std::string(76, '-') << "\n";
  }
  return s.str();
}

}  // namespace ph3mpi::solvers
