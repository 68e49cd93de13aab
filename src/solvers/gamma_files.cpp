#include "ph3mpi/solvers/gamma_files.hpp"

#include <algorithm>
#include <utility>

#include "ph3mpi/common/error.hpp"
#include "ph3mpi/io/gamma_file.hpp"
#include "ph3mpi/solvers/kappa_output.hpp"

namespace ph3mpi::solvers {
namespace {

// Row i of a (T, count, nb) array as (T, nb).
NdArray<double> temperature_rows(const NdArray<double>& a, std::size_t i) {
  const std::size_t n_t = a.shape[0], count = a.shape[1], nb = a.shape[2];
  NdArray<double> out({n_t, nb});
  for (std::size_t it = 0; it < n_t; ++it) {
    std::copy_n(a.data.begin() + static_cast<std::ptrdiff_t>((it * count + i) * nb), nb,
                out.data.begin() + static_cast<std::ptrdiff_t>(it * nb));
  }
  return out;
}

// Row i of a (count, rest...) array.
NdArray<double> row(const NdArray<double>& a, std::size_t i) {
  NdArray<double> out(std::vector<std::size_t>(a.shape.begin() + 1, a.shape.end()));
  std::copy_n(a.data.begin() + static_cast<std::ptrdiff_t>(i * out.size()), out.size(), out.data.begin());
  return out;
}

}  // namespace

std::size_t write_rta_gamma_files(const ConductivityProblem& problem, const RtaOptions& options,
                                  const RtaSolution& solution, const std::filesystem::path& output_dir) {
  const GridPointRows& rows = solution.rows;
  io::KappaFileLayout grid;
  describe_grid(*problem.bz_grid, grid);
  std::size_t written = 0;
  for (std::size_t i = 0; i < rows.count; ++i) {
    for (std::size_t im = 0; im < options.methods.size(); ++im) {
      const RtaMethodResult& r = solution.methods[im];
      io::GammaFile f;
      f.temperatures = problem.temperatures;
      f.mesh = grid.mesh;
      if (grid.is_generalized_grid) {
        std::array<std::int64_t, 27> m{};
        std::copy(grid.grid_matrix.begin(), grid.grid_matrix.end(), m.begin());
        std::copy(grid.P_matrix.begin(), grid.P_matrix.end(), m.begin() + 9);
        std::copy(grid.Q_matrix.begin(), grid.Q_matrix.end(), m.begin() + 18);
        f.grid_matrices = m;
      }
      f.grid_point = rows.grid_point.data[i];
      f.frequency = row(rows.frequency, i);
      f.group_velocity = row(rows.group_velocity, i);
      f.gv_by_gv = row(solution.gv_by_gv, i);
      f.heat_capacity = temperature_rows(rows.heat_capacity, i);
      f.gamma = temperature_rows(r.gamma, i);
      if (problem.isotope) f.gamma_isotope = row(r.gamma_isotope, i);
      if (options.is_N_U) {
        f.gamma_N = temperature_rows(r.gamma_N, i);
        f.gamma_U = temperature_rows(r.gamma_U, i);
      }
      // phono3py passes the run's sigma cutoff with every method (the name has it with sigmas only).
      f.sigma = options.methods[im];
      f.sigma_cutoff = options.sigma_cutoff;
      f.kappa_unit_conversion = problem.kappa_unit_conversion;
      io::write_gamma_file(
          (output_dir / io::gamma_filename(f.mesh, f.grid_point, f.sigma, f.sigma_cutoff)).string(), f);
      ++written;
    }
  }
  return written;
}

GammaFileResults::GammaFileResults(std::filesystem::path folder, const std::array<std::int64_t, 3>& mesh,
                                   std::vector<double> temperatures, std::size_t num_band,
                                   const RtaOptions& options)
    : folder_(std::move(folder)),
      mesh_(mesh),
      temperatures_(std::move(temperatures)),
      num_band_(num_band),
      options_(options) {}

std::filesystem::path GammaFileResults::path(std::int64_t grid_point, std::size_t method) const {
  return folder_ / io::gamma_filename(mesh_, grid_point, options_.methods[method], options_.sigma_cutoff);
}

NamedArrays GammaFileResults::read(std::int64_t grid_point) const {
  const std::size_t n_m = options_.methods.size(), n_t = temperatures_.size(), nb = num_band_;
  NamedArrays out;
  NdArray<double> gamma({n_m, n_t, nb}), gamma_N({n_m, n_t, nb}), gamma_U({n_m, n_t, nb});
  for (std::size_t im = 0; im < n_m; ++im) {
    const std::string file = path(grid_point, im).string();
    std::error_code ec;
    if (!std::filesystem::exists(file, ec)) {
      throw InputError(file, "read_gamma: no gamma file of grid point " + std::to_string(grid_point) +
                                 " (phono3py's --write-gamma or ph3mpi's write_gamma names it so)");
    }
    io::GammaFileExpectation e;
    e.mesh = mesh_;
    e.temperatures = temperatures_;
    e.grid_point = grid_point;
    e.sigma = options_.methods[im];
    e.sigma_cutoff = e.sigma ? options_.sigma_cutoff : std::nullopt;
    e.num_band = nb;
    e.needs_gamma_N_U = options_.is_N_U;
    io::GammaFile f = io::read_gamma_file(file);
    // A tetrahedron file carries sigma_cutoff_width when the run that wrote it had one; its
    // name does not (phono3py), and the tetrahedron method does not use it.
    if (!e.sigma) f.sigma_cutoff.reset();
    io::check_gamma_file(f, e, file);
    std::copy(f.gamma.data.begin(), f.gamma.data.end(),
              gamma.data.begin() + static_cast<std::ptrdiff_t>(im * n_t * nb));
    if (options_.is_N_U) {
      std::copy(f.gamma_N->data.begin(), f.gamma_N->data.end(),
                gamma_N.data.begin() + static_cast<std::ptrdiff_t>(im * n_t * nb));
      std::copy(f.gamma_U->data.begin(), f.gamma_U->data.end(),
                gamma_U.data.begin() + static_cast<std::ptrdiff_t>(im * n_t * nb));
    }
  }
  out.reals["gamma"] = std::move(gamma);
  if (options_.is_N_U) {
    out.reals["gamma_N"] = std::move(gamma_N);
    out.reals["gamma_U"] = std::move(gamma_U);
  }
  return out;
}

}  // namespace ph3mpi::solvers
