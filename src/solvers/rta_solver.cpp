#include "ph3mpi/solvers/rta_solver.hpp"

#include <sstream>

#include "ph3mpi/io/kappa_file.hpp"
#include "ph3mpi/io/staged_file.hpp"
#include "ph3mpi/parallel/node_shared.hpp"
#include "ph3mpi/parallel/ordered_sum.hpp"
#include "ph3mpi/solvers/interband_term.hpp"
#include "ph3mpi/transport/rta_kappa.hpp"

namespace ph3mpi::solvers {

namespace {

// Method `method` of a stored (methods, T, nb) array -> rows (T, count, nb) at row i.
void place_rows(const NdArray<double>& source, std::size_t method, std::size_t i, std::size_t count,
                NdArray<double>& target) {
  const std::size_t n_t = source.shape[1];
  const std::size_t nb = source.shape[2];
  for (std::size_t it = 0; it < n_t; ++it) {
    std::copy_n(source.data.begin() + static_cast<std::ptrdiff_t>((method * n_t + it) * nb), nb,
                target.data.begin() + static_cast<std::ptrdiff_t>((it * count + i) * nb));
  }
}

// Gamma (and its parts) of `method` for this rank's rows, from the stored results.
RtaMethodResult gather_gamma(const ConductivityProblem& problem, const RtaOptions& options,
                             const std::vector<NamedArrays>& stored, const GridPointRows& rows,
                             std::size_t method) {
  const std::size_t nb = problem.num_band;
  const std::size_t n_t = problem.num_temperatures();
  const std::size_t n = rows.count;
  RtaMethodResult r;
  r.gamma = NdArray<double>({n_t, n, nb});
  if (options.is_N_U) {
    r.gamma_N = NdArray<double>({n_t, n, nb});
    r.gamma_U = NdArray<double>({n_t, n, nb});
  }
  if (problem.isotope) r.gamma_isotope = NdArray<double>({n, nb});
  for (std::size_t i = 0; i < n; ++i) {
    const std::int64_t gp = rows.grid_point.data[i];
    place_rows(result_array(stored[i], "gamma", gp), method, i, n, r.gamma);
    if (options.is_N_U) {
      place_rows(result_array(stored[i], "gamma_N", gp), method, i, n, r.gamma_N);
      place_rows(result_array(stored[i], "gamma_U", gp), method, i, n, r.gamma_U);
    }
    if (problem.isotope) {
      const NdArray<double>& iso = result_array(stored[i], "gamma_isotope", gp);
      std::copy_n(iso.data.begin() + static_cast<std::ptrdiff_t>(method * nb), nb,
                  r.gamma_isotope.data.begin() + static_cast<std::ptrdiff_t>(i * nb));
    }
  }
  return r;
}

// mode_kappa of the rows and kappa over all ranks, rank after rank in grid-point order.
void rta_kappa_of_method(const parallel::Context& context, const ConductivityProblem& problem,
                         const RtaSolution& solution, RtaMethodResult& r) {
  const std::size_t n_t = problem.num_temperatures();
  transport::RtaSettings settings;
  settings.cutoff_frequency = problem.cutoff_frequency;
  settings.boundary_mfp = problem.boundary_mfp;
  settings.conversion_factor = problem.kappa_unit_conversion;
  settings.num_mesh_points = problem.bz_grid->num_gr_points();
  NdArray<double> gamma = r.gamma;
  gamma.shape.insert(gamma.shape.begin(), 1);  // the kernel's (sigma, T, gp, nb)
  NdArray<double> iso = r.gamma_isotope;
  if (problem.isotope) iso.shape.insert(iso.shape.begin(), 1);
  transport::RtaInput input;
  input.frequencies = &solution.rows.frequency;
  input.group_velocities = &solution.rows.group_velocity;
  input.gv_by_gv = &solution.gv_by_gv;
  input.heat_capacities = &solution.rows.heat_capacity;
  input.gamma = &gamma;
  input.gamma_isotope = problem.isotope ? &iso : nullptr;
  input.weights = &solution.rows.weight.data;
  transport::RtaKappa local = transport::rta_mode_kappa(input, settings);
  std::vector<double> sum = parallel::ordered_accumulate(
      context, std::vector<double>(n_t * 6, 0.0), [&](std::vector<double>& running) {
        NdArray<double> acc({1, n_t, 6});
        acc.data = running;
        transport::accumulate_mode_kappa(local.mode_kappa, acc);
        running = acc.data;
      });
  NdArray<double> kappa({1, n_t, 6});
  kappa.data = std::move(sum);
  transport::finish_kappa(kappa, settings.num_mesh_points);
  r.kappa = kappa.data;
  r.mode_kappa = std::move(local.mode_kappa);
  r.mode_kappa.shape.erase(r.mode_kappa.shape.begin());  // (1, T, n, nb, 6) -> (T, n, nb, 6)
}

}  // namespace

RtaSolution solve_rta(const parallel::Context& context, const ConductivityProblem& problem,
                      const RtaOptions& options, const GridPointResults& results,
                      const common::TraceSink& trace) {
  const std::size_t nb = problem.num_band;
  const parallel::RowRange mine =
      parallel::node_row_range(problem.num_grid_points(), context.rank(), context.size());
  RtaSolution solution;
  solution.rows = make_grid_point_rows(problem, mine.begin, mine.end - mine.begin);
  const GridPointRows& rows = solution.rows;
  solution.gv_by_gv = NdArray<double>({rows.count, nb, 6});
  std::vector<NamedArrays> stored;
  const std::vector<Eigen::Matrix3d> identity{Eigen::Matrix3d::Identity()};  // no kappa star
  for (std::size_t i = 0; i < rows.count; ++i) {
    const std::int64_t gp = rows.grid_point.data[i];
    if (!problem.interband) {
      transport::gv_by_gv_over_star(
          &rows.group_velocity.data[i * nb * 3], nb,
          problem.is_kappa_star ? problem.bz_grid->rotations_cartesian : identity,
          problem.is_kappa_star ? transport::kappa_star_multiplicity(*problem.bz_grid, gp) : 1,
          &solution.gv_by_gv.data[i * nb * 6]);
    }
    stored.push_back(results.read(gp));
  }
  for (std::size_t im = 0; im < options.methods.size(); ++im) {
    if (rows.count > 0) trace.trace("RTAKappa", rows.grid_point.data[0], static_cast<std::int64_t>(im));
    RtaMethodResult r = gather_gamma(problem, options, stored, rows, im);
    if (!problem.interband) rta_kappa_of_method(context, problem, solution, r);
    solution.methods.push_back(std::move(r));
  }
  if (problem.interband) {
    const std::size_t n_m = options.methods.size();
    solution.interband = interband_kappa(
        context, problem, rows.first, rows.count, n_m,
        [&](std::size_t i, std::vector<double>& gamma, std::vector<double>& isotope) {
          const NamedArrays& result = stored[i - rows.first];
          const std::int64_t gp = problem.grid_points[i];
          gamma = result_array(result, "gamma", gp).data;                                 // (methods, T, nb)
          if (problem.isotope) isotope = result_array(result, "gamma_isotope", gp).data;  // (methods, nb)
        },
        true);
    const std::size_t n_t = problem.num_temperatures();
    for (std::size_t im = 0; im < n_m; ++im) {
      solution.methods[im].kappa.assign(solution.interband->kappa.ptr() + im * n_t * 6,
                                        solution.interband->kappa.ptr() + (im + 1) * n_t * 6);
    }
  }
  return solution;
}

std::vector<std::filesystem::path> write_rta_kappa_files(const parallel::Context& context,
                                                         const ConductivityProblem& problem,
                                                         const RtaOptions& options,
                                                         const RtaSolution& solution,
                                                         const std::filesystem::path& output_dir) {
  const GridPointRows& rows = solution.rows;
  std::vector<std::filesystem::path> paths;
  for (std::size_t im = 0; im < options.methods.size(); ++im) {
    const RtaMethodResult& r = solution.methods[im];
    io::KappaFileLayout layout;
    layout.method = io::KappaMethod::kRta;
    layout.temperatures = problem.temperatures;
    describe_grid(*problem.bz_grid, layout);
    layout.num_grid_points = problem.num_grid_points();
    layout.num_band = problem.num_band;
    layout.has_gamma_isotope = problem.isotope;
    layout.has_gamma_N_U = options.is_N_U;
    layout.interband = problem.interband.has_value();
    layout.sigma = options.methods[im];
    if (options.methods[im] && options.sigma_cutoff) layout.sigma_cutoff_width = options.sigma_cutoff;
    layout.boundary_mfp = problem.boundary_mfp;
    layout.kappa_unit_conversion = problem.kappa_unit_conversion;
    const std::filesystem::path path =
        output_dir / io::kappa_filename(layout.mesh, layout.sigma, layout.sigma_cutoff_width);
    io::StagedFile staged(path, context);  // private temporary folder; finite check and rename at commit
    {
      const std::unique_ptr<io::KappaFile> file = io::create_kappa_file(staged.temp_path(), layout, context);
      file->write_rows("frequency", rows.first, rows.frequency);
      file->write_rows("group_velocity", rows.first, rows.group_velocity);
      file->write_rows("heat_capacity", rows.first, rows.heat_capacity);
      if (!solution.interband) {
        file->write_rows("gv_by_gv", rows.first, solution.gv_by_gv);
        file->write_rows("mode_kappa", rows.first, r.mode_kappa);
      }
      file->write_rows("gamma", rows.first, r.gamma);
      if (problem.isotope) file->write_rows("gamma_isotope", rows.first, r.gamma_isotope);
      if (options.is_N_U) {
        file->write_rows("gamma_N", rows.first, r.gamma_N);
        file->write_rows("gamma_U", rows.first, r.gamma_U);
      }
      file->write_rows("qpoint", rows.first, rows.qpoint);
      file->write_rows("weight", rows.first, rows.weight);
      file->write_rows("grid_point", rows.first, rows.grid_point);
      NdArray<double> kappa({problem.num_temperatures(), 6});
      kappa.data = r.kappa;
      file->write_whole("kappa", kappa);
      if (solution.interband) {
        const std::size_t n_t = problem.num_temperatures();
        for (const auto& [name, source] : {std::pair{"kappa_intra", &solution.interband->kappa_intra},
                                           std::pair{"kappa_inter", &solution.interband->kappa_inter}}) {
          NdArray<double> part({n_t, 6});
          std::copy_n(source->ptr() + im * n_t * 6, n_t * 6, part.data.begin());
          file->write_whole(name, part);
        }
      }
    }  // closed (collectively) here
    staged.commit();
    paths.push_back(path);
  }
  return paths;
}

std::string rta_method_name(const std::optional<double>& sigma) {
  if (!sigma) return "tetrahedron method";
  std::ostringstream s;
  s << "sigma=" << *sigma;
  return s.str();
}

std::string rta_method_title(const std::optional<double>& sigma) { return "with " + rta_method_name(sigma); }

}  // namespace ph3mpi::solvers
