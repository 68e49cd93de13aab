#include "ph3mpi/solvers/lbte_solver.hpp"

#include <chrono>
#include <iomanip>
#include <sstream>

#include "ph3mpi/grid/make_bz_grid.hpp"
#include "ph3mpi/io/collision_eigenvalues_file.hpp"
#include "ph3mpi/io/kappa_file.hpp"
#include "ph3mpi/parallel/error_handling.hpp"
#include "ph3mpi/solvers/interband_term.hpp"
#include "ph3mpi/solvers/kappa_output.hpp"

namespace ph3mpi::solvers {

namespace {

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

LbteTemperatureResult solve_at(const parallel::BlacsGrid& blacs, const LbteSystem& system,
                               const LbteOptions& options, std::size_t it, const common::TraceSink& trace) {
  const transport::LbteLayout& layout = system.layout();
  const ConductivityProblem& problem = system.problem();
  const double temperature = problem.temperatures[it];
  const std::size_t nb = problem.num_band;
  LbteTemperatureResult res;
  res.mode_kappa_RTA = NdArray<double>({layout.num_grid_points(), nb, 6});
  res.f_vector = NdArray<double>({layout.num_grid_points(), nb, 3});
  if (temperature <= 0) {  // phono3py skips T <= 0: zeros
    res.solution.eigenvalues.assign(static_cast<std::size_t>(system.size()), 0.0);
    return res;
  }
  const auto t_assembly = std::chrono::steady_clock::now();
  parallel::BlockCyclicMatrix omega = system.assemble(blacs, options.block_size, it, trace);
  res.assembly_seconds = seconds_since(t_assembly);
  const NdArray<double> X = system.rhs(it);
  res.mode_kappa_RTA = system.rta_mode_kappa(blacs.context(), omega, it, X);
  res.kappa_RTA = transport::sum_mode_kappa(res.mode_kappa_RTA, layout.num_mesh_points);
  trace.trace(options.method == LbteMethod::kDirect ? "Eigensolver" : "ConjugateGradient", -1,
              static_cast<std::int64_t>(it));
  const auto t_solver = std::chrono::steady_clock::now();
  res.solution = options.method == LbteMethod::kDirect
                     ? solve_lbte_direct(omega, X, layout, problem.frequencies, options.direct)
                     : solve_lbte_cg(omega, X, layout, problem.frequencies, options.cg);
  res.solver_seconds = seconds_since(t_solver);
  res.f_vector = transport::lbte_f_vectors(res.solution.Y, layout);
  const NdArray<double> mode_kappa =
      transport::lbte_mode_kappa(X, res.solution.Y, layout, temperature, problem.kappa_unit_conversion);
  res.kappa = transport::sum_mode_kappa(mode_kappa, layout.num_mesh_points);
  res.solved = true;
  return res;
}

}  // namespace

std::vector<LbteTemperatureResult> solve_lbte(const parallel::BlacsGrid& blacs, const LbteSystem& system,
                                              const LbteOptions& options, const common::TraceSink& trace,
                                              std::ostream& log) {
  std::vector<LbteTemperatureResult> results;
  const std::vector<double>& temperatures = system.problem().temperatures;
  for (std::size_t it = 0; it < temperatures.size(); ++it) {
    results.push_back(solve_at(blacs, system, options, it, trace));
    const LbteTemperatureResult& r = results.back();
    if (!r.solved) continue;
    std::ostringstream line;
    line << "  T = " << temperatures[it] << " K: ";
    if (options.method == LbteMethod::kDirect) {
      line << "collision eigenvalues " << std::scientific << std::setprecision(3)
           << r.solution.eigenvalues.front() << " .. " << r.solution.eigenvalues.back()
           << "; part of X the pinv cutoff drops " << r.solution.rhs_fraction_dropped
           << " (after the structural projection " << r.solution.projected_rhs_fraction_dropped << ")";
    } else {
      line << "conjugate gradient converged in " << r.solution.iterations << " iterations, relative residual "
           << std::scientific << std::setprecision(3) << r.solution.relative_residual;
    }
    line << std::fixed << std::setprecision(2) << "; matrix assembly " << r.assembly_seconds << " s, solver "
         << r.solver_seconds << " s";
    log << line.str() << "\n";
  }
  return results;
}

transport::InterbandKappa lbte_interband_kappa(const parallel::Context& context, const LbteSystem& system) {
  const ConductivityProblem& problem = system.problem();
  const std::size_t nb = problem.num_band;
  const std::size_t n_ir = problem.num_grid_points();
  const std::size_t n_t = problem.num_temperatures();
  return interband_kappa(
      context, problem, system.block_first(), system.block_count(), 1,
      [&](std::size_t i, std::vector<double>& gamma, std::vector<double>& isotope) {
        gamma.resize(n_t * nb);
        for (std::size_t it = 0; it < n_t; ++it)
          std::copy_n(system.gamma().ptr() + (it * n_ir + i) * nb, nb, gamma.data() + it * nb);
        if (problem.isotope)
          isotope.assign(system.gamma_isotope().ptr() + i * nb, system.gamma_isotope().ptr() + (i + 1) * nb);
      },
      false);
}

std::filesystem::path write_lbte_files(const parallel::Context& context, const LbteSystem& system,
                                       const std::vector<LbteTemperatureResult>& results,
                                       const std::optional<transport::InterbandKappa>& interband,
                                       std::optional<double> sigma, std::optional<double> sigma_cutoff,
                                       const std::filesystem::path& output_dir) {
  const ConductivityProblem& problem = system.problem();
  const transport::LbteLayout& layout = system.layout();
  const std::size_t nb = problem.num_band;
  const std::size_t n_ir = problem.num_grid_points();
  const std::size_t n_t = problem.num_temperatures();
  io::KappaFileLayout kl;
  kl.method = io::KappaMethod::kLbte;
  kl.temperatures = problem.temperatures;
  describe_grid(*problem.bz_grid, kl);
  kl.num_grid_points = n_ir;
  kl.num_band = nb;
  kl.num_all_grid_points = layout.reducible ? layout.num_grid_points() : 0;
  kl.has_gamma_isotope = problem.isotope;
  kl.interband = interband.has_value();
  kl.sigma = sigma;
  if (sigma && sigma_cutoff) kl.sigma_cutoff_width = sigma_cutoff;
  kl.boundary_mfp = problem.boundary_mfp;
  kl.kappa_unit_conversion = problem.kappa_unit_conversion;
  const std::filesystem::path path =
      output_dir / io::kappa_filename(kl.mesh, kl.sigma, kl.sigma_cutoff_width);
  parallel::collective_check(context, [&] {
    if (!context.is_root()) return;
    io::KappaFileData data;
    const std::size_t n_gp_all = layout.num_grid_points();
    data.frequency = NdArray<double>({n_gp_all, nb});
    for (std::size_t q = 0; q < n_gp_all; ++q) {
      const double* f = problem.frequencies + static_cast<std::size_t>(layout.grid_points[q]) * nb;
      std::copy(f, f + nb, data.frequency.data.begin() + static_cast<std::ptrdiff_t>(q * nb));
    }
    data.group_velocity = system.group_velocity();
    data.heat_capacity = system.heat_capacity();
    data.gamma = system.gamma();
    if (problem.isotope) data.gamma_isotope = system.gamma_isotope();
    data.kappa = NdArray<double>({n_t, 6});
    data.kappa_RTA = NdArray<double>({n_t, 6});
    data.mode_kappa_RTA = NdArray<double>({n_t, n_gp_all, nb, 6});
    for (std::size_t it = 0; it < n_t; ++it) {
      std::copy(results[it].kappa.begin(), results[it].kappa.end(),
                data.kappa.data.begin() + static_cast<std::ptrdiff_t>(it * 6));
      std::copy(results[it].kappa_RTA.begin(), results[it].kappa_RTA.end(),
                data.kappa_RTA.data.begin() + static_cast<std::ptrdiff_t>(it * 6));
      std::copy(results[it].mode_kappa_RTA.data.begin(), results[it].mode_kappa_RTA.data.end(),
                data.mode_kappa_RTA.data.begin() + static_cast<std::ptrdiff_t>(it * n_gp_all * nb * 6));
    }
    data.f_vector = results.back().f_vector;  // phono3py: of the last temperature
    if (interband) {
      data.kappa_inter = interband->kappa_inter;
      data.kappa_inter.shape = {n_t, 6};
      data.kappa_intra_exact = data.kappa;
      data.kappa_intra_RTA = data.kappa_RTA;
    }
    const std::vector<Eigen::Vector3d> qpoints =
        grid::qpoints_of_bz_points(*problem.bz_grid, problem.grid_points);
    data.qpoint = NdArray<double>({n_ir, 3});
    for (std::size_t i = 0; i < n_ir; ++i)
      for (int a = 0; a < 3; ++a) data.qpoint.data[i * 3 + static_cast<std::size_t>(a)] = qpoints[i](a);
    data.weight = NdArray<std::int64_t>({n_ir});
    data.weight.data = problem.weights;
    data.grid_point = NdArray<std::int64_t>({n_ir});
    data.grid_point.data = problem.grid_points;
    io::write_new_hdf5_file(path.string(),
                            [&](const std::string& tmp) { io::write_kappa_file(tmp, kl, data); });
    if (results.empty() || results.front().solution.eigenvalues.empty()) return;  // cg: no eigenvalues
    NdArray<double> eigenvalues({n_t, static_cast<std::size_t>(system.size())});
    for (std::size_t it = 0; it < n_t; ++it) {
      std::copy(results[it].solution.eigenvalues.begin(), results[it].solution.eigenvalues.end(),
                eigenvalues.data.begin() +
                    static_cast<std::ptrdiff_t>(it * static_cast<std::size_t>(system.size())));
    }
    io::write_collision_eigenvalues_file(
        (output_dir /
         ("coleigs" +
          io::kappa_filename_suffix(kl.mesh, std::nullopt, std::nullopt, kl.sigma, kl.sigma_cutoff_width) +
          ".hdf5"))
            .string(),
        eigenvalues, problem.temperatures);
  });
  return path;
}

std::string lbte_kappa_tables(const std::vector<double>& temperatures,
                              const std::vector<LbteTemperatureResult>& results,
                              const std::optional<transport::InterbandKappa>& interband,
                              const std::string& title) {
  std::vector<double> kappa, kappa_rta;
  std::vector<std::array<double, 6>> kappa6, kappa_rta6;
  for (const LbteTemperatureResult& r : results) {
    kappa.insert(kappa.end(), r.kappa.begin(), r.kappa.end());
    kappa_rta.insert(kappa_rta.end(), r.kappa_RTA.begin(), r.kappa_RTA.end());
    kappa6.push_back(r.kappa);
    kappa_rta6.push_back(r.kappa_RTA);
  }
  if (interband) return interband_lbte_table(title, temperatures, kappa6, kappa_rta6, *interband);
  return kappa_table("LBTE", temperatures, kappa) + kappa_table("RTA", temperatures, kappa_rta);
}

}  // namespace ph3mpi::solvers
