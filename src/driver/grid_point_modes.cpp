#include "ph3mpi/driver/grid_point_modes.hpp"

#include <omp.h>

#include <algorithm>
#include <cstdlib>
#include <iomanip>
#include <iostream>
#include <sstream>

#include "ph3mpi/common/error.hpp"
#include "ph3mpi/driver/harmonic_setup.hpp"
#include "ph3mpi/grid/make_bz_grid.hpp"
#include "ph3mpi/io/grid_point_files.hpp"
#include "ph3mpi/parallel/error_handling.hpp"
#include "ph3mpi/parallel/progress.hpp"
#include "ph3mpi/parallel/serialization.hpp"
#include "ph3mpi/self_energy/frequency_points.hpp"
#include "ph3mpi/transport/rta_kappa.hpp"

namespace ph3mpi::driver {

double triplets_cost(const grid::BZGrid& bz_grid, std::int64_t grid_point) {
  return static_cast<double>(bz_grid.num_gr_points()) /
         static_cast<double>(transport::kappa_star_multiplicity(bz_grid, grid_point));
}

std::vector<parallel::WorkItem> plan_grid_points(const std::vector<std::int64_t>& grid_points,
                                                 const std::function<double(std::int64_t)>& cost) {
  std::vector<parallel::WorkItem> items;
  items.reserve(grid_points.size());
  for (std::size_t i = 0; i < grid_points.size(); ++i) {
    items.push_back({static_cast<std::int64_t>(i), cost(grid_points[i])});
  }
  return items;
}

std::vector<std::int64_t> band_indices_or_all(const config::Settings& settings, std::size_t num_band) {
  std::vector<std::int64_t> bands = settings.band_indices.value_or(std::vector<std::int64_t>{});
  if (bands.empty()) {
    for (std::size_t b = 0; b < num_band; ++b) bands.push_back(static_cast<std::int64_t>(b));
  }
  return bands;
}

NdArray<double> stack_grid_points(const std::vector<NamedArrays>& results, const std::string& name,
                                  std::size_t axis) {
  std::vector<std::size_t> shape;
  for (std::size_t i = 0; i < results.size(); ++i) {
    const auto it = results[i].reals.find(name);
    if (it == results[i].reals.end()) {
      throw Error("result " + std::to_string(i) + " of the grid-point loop lacks '" + name + "'");
    }
    if (i == 0) shape = it->second.shape;
    if (it->second.shape != shape || axis > shape.size()) {
      throw Error("'" + name + "' of result " + std::to_string(i) + " has shape " +
                  it->second.shape_string() + ", cannot stack along axis " + std::to_string(axis));
    }
  }
  // Blocks of `inner` elements (the axes from `axis` on) interleave over the grid points.
  std::size_t outer = 1, inner = 1;
  for (std::size_t k = 0; k < shape.size(); ++k) (k < axis ? outer : inner) *= shape[k];
  std::vector<std::size_t> stacked_shape = shape;
  stacked_shape.insert(stacked_shape.begin() + static_cast<std::ptrdiff_t>(axis), results.size());
  NdArray<double> stacked(stacked_shape);
  for (std::size_t i = 0; i < results.size(); ++i) {
    const std::vector<double>& source = results[i].reals.at(name).data;
    for (std::size_t o = 0; o < outer; ++o) {
      std::copy_n(source.begin() + static_cast<std::ptrdiff_t>(o * inner), inner,
                  stacked.data.begin() + static_cast<std::ptrdiff_t>((o * results.size() + i) * inner));
    }
  }
  return stacked;
}

namespace {

// The BZ grid of the mesh, then one collective phase of the grid-point checks and the
// mode's own; also resolves gp_batch_size there.
grid::BZGrid checked_bz_grid(const ModeArguments& args, bool needs_temperatures,
                             const std::function<void(const grid::BZGrid&)>& mode_checks,
                             std::int64_t& gp_batch_size) {
  grid::BZGrid bz_grid = make_bz_grid(args.inputs);
  check_grid_point_settings(args.inputs, bz_grid, needs_temperatures, args.context);
  parallel::collective_check(args.context, [&] {
    if (mode_checks) mode_checks(bz_grid);
    gp_batch_size = config::resolve_gp_batch_size(args.inputs.settings, std::getenv("PH3MPI_GP_BATCH_SIZE"));
  });
  return bz_grid;
}

}  // namespace

GridPointModeRun::GridPointModeRun(const ModeArguments& args, bool needs_temperatures,
                                   const std::function<void(const grid::BZGrid&)>& mode_checks)
    : args_(args),
      start_(std::chrono::steady_clock::now()),
      gp_batch_size_(0),
      bz_grid_(checked_bz_grid(args, needs_temperatures, mode_checks, gp_batch_size_)),
      dm_(make_dynamical_matrix(args.inputs)),
      phonons_(std::make_unique<BZPhonons>(args.context, args.inputs, bz_grid_, *dm_)),
      trace_(common::TraceSink::from_environment(std::getenv("PH3MPI_TRACE"), std::cerr, args.context.rank(),
                                                 omp_get_max_threads())) {
  const config::Settings& settings = args.inputs.settings;
  if (settings.write_phonon) {
    args.log << "Phonons written to " << phonons_->write(args.context, settings.output_dir, bz_grid_) << "\n";
  }
}

std::array<std::int64_t, 3> GridPointModeRun::mesh() const { return mesh_numbers(bz_grid_); }

std::vector<double> GridPointModeRun::frequency_points(const std::vector<std::optional<double>>& widths,
                                                       bool wanted) const {
  if (!wanted) return {};
  const config::Settings& settings = args_.inputs.settings;
  const std::vector<double>& f = phonons_->frequencies().data;
  std::vector<double> points;
  parallel::collective_check(args_.context, [&] {
    points = self_energy::get_frequency_points(*std::max_element(f.begin(), f.end()), widths,
                                               settings.frequency_step, settings.num_frequency_points);
  });
  return points;
}

bool GridPointModeRun::frequency_resolved() const {
  const config::Settings& settings = args_.inputs.settings;
  return settings.num_frequency_points.has_value() || settings.frequency_step.has_value();
}

std::vector<std::int64_t> GridPointModeRun::band_indices() const {
  return band_indices_or_all(args_.inputs.settings, phonons_->num_band());
}

NdArray<double> GridPointModeRun::frequencies_at(std::int64_t grid_point,
                                                 const std::vector<std::int64_t>& bands) const {
  const double* row =
      phonons_->frequencies().ptr() + static_cast<std::size_t>(grid_point) * phonons_->num_band();
  NdArray<double> f({bands.size()});
  for (std::size_t b = 0; b < bands.size(); ++b) f.data[b] = row[bands[b]];
  return f;
}

double GridPointModeRun::seconds() const {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
}

interaction::TripletsAtQ GridPointModeRun::triplets_at(const GridPointTask& task) const {
  trace("get_triplets_at_q", task);
  return interaction::get_triplets_at_q(task.grid_point, bz_grid_);
}

void GridPointModeRun::write_output(const std::string& kind, const std::string& summary,
                                    const std::function<void(const std::string& path)>& write) const {
  const std::string path =
      (args_.inputs.settings.output_dir / io::grid_point_filename(kind, mesh())).string();
  write(path);
  std::ostringstream line;
  line << summary << " in " << std::fixed << std::setprecision(2) << seconds() << " s, written to " << path
       << "\n";
  args_.log << line.str();
}

std::vector<NamedArrays> GridPointModeRun::compute(const ComputeGridPoint& compute,
                                                   const std::function<double(std::int64_t)>& cost) const {
  const parallel::Context& context = args_.context;
  const std::vector<std::int64_t>& grid_points = args_.inputs.settings.grid_points;
  std::vector<parallel::WorkItem> items = plan_grid_points(
      grid_points, cost ? cost : [this](std::int64_t gp) { return triplets_cost(bz_grid_, gp); });

  std::ostringstream null_stream;
  double total_cost = 0.0;
  for (const parallel::WorkItem& item : items) total_cost += item.cost;
  parallel::ProgressReporter progress(args_.log.is_active() ? args_.log.stream() : null_stream,
                                      static_cast<std::int64_t>(items.size()), 0, total_cost, 10.0);
  parallel::CoordinatorOptions options;
  options.gp_batch_size = gp_batch_size_;
  options.delivery = parallel::Delivery::kToRoot;
  options.progress = context.is_root() ? &progress : nullptr;
  options.on_failure = [&context](const parallel::BatchFailure& failure) {
    // One rank: unwind, so the output folder is released and run_guarded prints the one
    // message. More ranks: the coordinator ends the job after this (the workers wait).
    if (context.size() == 1 && !failure.items.empty()) {
      throw Error("grid point " + std::to_string(failure.items.front()) + ": " + failure.message);
    }
    std::cerr << parallel::format_failure(failure) << std::endl;
  };
  parallel::CoordinatorRun<GridPointResult> run = parallel::run_coordinated<GridPointResult>(
      context, std::move(items), options, [&](const parallel::Batch& batch) {
        std::vector<GridPointResult> results;
        for (const std::int64_t index : batch.items) {
          const GridPointTask task{static_cast<std::size_t>(index),
                                   grid_points[static_cast<std::size_t>(index)], batch.index};
          try {
            results.push_back(compute(task));
          } catch (const parallel::GridPointError&) {
            throw;
          } catch (const std::exception& e) {
            throw parallel::GridPointError(task.grid_point, e.what());  // items are positions, name the point
          }
        }
        return results;
      });
  const std::string balance = args_.inputs.settings.log_level == config::LogLevel::kDebug
                                  ? parallel::balance_summary(context, run.stats)
                                  : std::string();
  if (!context.is_root()) return {};
  progress.finish();
  if (!balance.empty()) args_.log << "  " << balance << "\n";

  // Keyed by position: map order is the configured order.
  if (run.results.size() != grid_points.size()) {
    throw Error("grid-point loop: " + std::to_string(run.results.size()) + " results for " +
                std::to_string(grid_points.size()) + " grid points");
  }
  std::vector<NamedArrays> results;
  results.reserve(run.results.size());
  for (auto& [index, result] : run.results) {
    for (const std::string& line : result.log_lines) args_.log << line << "\n";
    results.push_back(std::move(result.arrays));
  }
  return results;
}

}  // namespace ph3mpi::driver
