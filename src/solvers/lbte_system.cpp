#include "ph3mpi/solvers/lbte_system.hpp"

#include "ph3mpi/grid/make_bz_grid.hpp"
#include "ph3mpi/parallel/block_cyclic_ops.hpp"
#include "ph3mpi/parallel/node_shared.hpp"
#include "ph3mpi/parallel/ordered_sum.hpp"
#include "ph3mpi/phonon/heat_capacity.hpp"
#include "ph3mpi/solvers/interband_term.hpp"

namespace ph3mpi::solvers {

LbteSystem::LbteSystem(const parallel::Context& context, const ConductivityProblem& problem,
                       const GridPointResults& results, transport::LbteLayout layout)
    : context_(context), problem_(problem), results_(results), layout_(std::move(layout)) {
  const std::size_t nb = problem.num_band;
  const std::size_t n_ir = problem.num_grid_points();
  const std::size_t n_t = problem.num_temperatures();
  const parallel::RowRange mine = parallel::node_row_range(n_ir, context.rank(), context.size());
  first_ = mine.begin;
  count_ = mine.end - mine.begin;

  // Gamma, Gamma_iso and group velocities of this rank's block, then everyone's.
  std::vector<double> gamma_mine, iso_mine;
  for (std::size_t k = 0; k < count_; ++k) {
    const std::int64_t gp = problem.grid_points[first_ + k];
    const NamedArrays stored = results.read(gp);
    const NdArray<double>& g = result_array(stored, "gamma", gp);  // (T, nb)
    if (g.size() != n_t * nb) {
      throw io::CheckpointError("stored Gamma of grid point " + std::to_string(gp) + " has " +
                                std::to_string(g.size()) + " values, expected " + std::to_string(n_t * nb));
    }
    gamma_mine.insert(gamma_mine.end(), g.data.begin(), g.data.end());
    if (problem.isotope) {
      const NdArray<double>& iso = result_array(stored, "gamma_isotope", gp);
      iso_mine.insert(iso_mine.end(), iso.data.begin(), iso.data.end());
    }
  }
  const std::vector<double> gamma_all =
      parallel::allgather_in_rank_order(context, gamma_mine);  // (ir, T, nb)
  gamma_ = NdArray<double>({n_t, n_ir, nb});
  for (std::size_t i = 0; i < n_ir; ++i) {
    for (std::size_t it = 0; it < n_t; ++it) {
      std::copy_n(gamma_all.begin() + static_cast<std::ptrdiff_t>((i * n_t + it) * nb), nb,
                  gamma_.data.begin() + static_cast<std::ptrdiff_t>((it * n_ir + i) * nb));
    }
  }
  if (problem.isotope) {
    gamma_isotope_ = NdArray<double>({n_ir, nb});
    gamma_isotope_.data = parallel::allgather_in_rank_order(context, iso_mine);
  }
  const std::vector<std::int64_t> gps(
      problem.grid_points.begin() + static_cast<std::ptrdiff_t>(first_),
      problem.grid_points.begin() + static_cast<std::ptrdiff_t>(first_ + count_));
  std::vector<double> gv_mine(count_ * nb * 3);
  group_velocities_of(problem, gps, gv_mine.data());
  gv_ir_ = NdArray<double>({n_ir, nb, 3});
  gv_ir_.data = parallel::allgather_in_rank_order(context, gv_mine);
  gv_matrix_ = layout_.reducible ? transport::expand_reducible_group_velocities(gv_ir_, layout_) : gv_ir_;

  heat_capacity_ = NdArray<double>({n_t, n_ir, nb});
  std::vector<double> cv(n_t * nb);
  for (std::size_t i = 0; i < n_ir; ++i) {
    phonon::mode_heat_capacities(problem.frequencies + static_cast<std::size_t>(problem.grid_points[i]) * nb,
                                 nb, problem.temperatures, problem.cutoff_frequency, cv.data());
    for (std::size_t it = 0; it < n_t; ++it) {
      std::copy_n(cv.begin() + static_cast<std::ptrdiff_t>(it * nb), nb,
                  heat_capacity_.data.begin() + static_cast<std::ptrdiff_t>((it * n_ir + i) * nb));
    }
  }
}

LbteSystem::Diagonal LbteSystem::diagonal_at(std::size_t it) const {
  const std::size_t nb = problem_.num_band;
  const std::size_t n_ir = problem_.num_grid_points();
  Diagonal d;
  d.gamma = NdArray<double>({n_ir, nb});
  std::copy_n(gamma_.data.begin() + static_cast<std::ptrdiff_t>(it * n_ir * nb), n_ir * nb,
              d.gamma.data.begin());
  if (problem_.isotope) d.gamma_isotope = gamma_isotope_;
  if (layout_.reducible) {
    d.gamma = transport::expand_reducible_values(d.gamma, layout_);
    if (problem_.isotope) d.gamma_isotope = transport::expand_reducible_values(d.gamma_isotope, layout_);
  }
  return d;
}

void LbteSystem::main_diagonal(const Diagonal& d, std::size_t q, double* out) const {
  const std::size_t nb = problem_.num_band;
  transport::lbte_main_diagonal(d.gamma.ptr() + q * nb,
                                problem_.isotope ? d.gamma_isotope.ptr() + q * nb : nullptr,
                                gv_matrix_.ptr() + q * nb * 3, problem_.boundary_mfp, nb, out);
}

void LbteSystem::finished_rows(std::size_t it, const Diagonal& d, std::size_t i,
                               std::vector<std::int64_t>& global_rows, std::vector<double>& data) const {
  const std::size_t nb = problem_.num_band;
  const std::size_t n_t = problem_.num_temperatures();
  const std::size_t row_block = layout_.row_block_elements();
  const std::size_t rows_per_gp = layout_.block_size();
  const std::int64_t gp = problem_.grid_points[i];
  const NamedArrays stored = results_.read(gp);
  const NdArray<double>& raw = result_array(stored, "collision", gp);
  if (raw.size() != n_t * row_block) {
    throw io::CheckpointError("stored collision rows of grid point " + std::to_string(gp) + " have " +
                              std::to_string(raw.size()) + " values, expected " +
                              std::to_string(n_t * row_block));
  }
  std::vector<double> rows(raw.data.begin() + static_cast<std::ptrdiff_t>(it * row_block),
                           raw.data.begin() + static_cast<std::ptrdiff_t>((it + 1) * row_block));
  std::vector<double> diag(nb);
  if (!layout_.reducible) {
    main_diagonal(d, i, diag.data());
    transport::prepare_irreducible_row_block(rows.data(), i, diag.data(), layout_, problem_.frequencies);
    for (std::size_t r = 0; r < rows_per_gp; ++r)
      global_rows.push_back(static_cast<std::int64_t>(i * rows_per_gp + r));
    data = std::move(rows);
    return;
  }
  // Reducible: the rows of the whole star of i, each a column permutation of i's.
  transport::average_reducible_row_by_degeneracy(rows.data(), i, layout_, problem_.frequencies);
  std::vector<double> expanded(row_block);
  for (const std::int64_t q : transport::reducible_star(i, layout_)) {
    transport::expand_reducible_row(rows.data(), i, q, layout_, expanded.data());
    main_diagonal(d, static_cast<std::size_t>(q), diag.data());
    transport::add_reducible_main_diagonal(expanded.data(), q, diag.data(), layout_);
    for (std::size_t r = 0; r < rows_per_gp; ++r)
      global_rows.push_back(static_cast<std::int64_t>(static_cast<std::size_t>(q) * rows_per_gp + r));
    data.insert(data.end(), expanded.begin(), expanded.end());
  }
}

parallel::BlockCyclicMatrix LbteSystem::assemble(const parallel::BlacsGrid& blacs, int block, std::size_t it,
                                                 const common::TraceSink& trace) const {
  const std::int64_t n = size();
  const Diagonal d = diagonal_at(it);
  parallel::BlockCyclicMatrix matrix(blacs, n, n, block);
  // One grid point of every rank per collective round.
  const std::int64_t rounds = context_.max(static_cast<std::int64_t>(count_));
  for (std::int64_t round = 0; round < rounds; ++round) {
    std::vector<std::int64_t> global_rows;
    std::vector<double> data;
    const std::size_t k = static_cast<std::size_t>(round);
    if (k < count_) finished_rows(it, d, first_ + k, global_rows, data);
    trace.trace("ScatterRows", k < count_ ? problem_.grid_points[first_ + k] : -1, round);
    parallel::scatter_rows(matrix, global_rows, data.data());
  }
  return matrix;
}

NdArray<double> LbteSystem::rhs(std::size_t it) const {
  return transport::lbte_X(layout_, problem_.frequencies, gv_matrix_, problem_.temperatures[it],
                           problem_.cutoff_frequency);
}

NdArray<double> LbteSystem::rta_mode_kappa(const parallel::Context& context,
                                           const parallel::BlockCyclicMatrix& omega, std::size_t it,
                                           const NdArray<double>& X) const {
  const std::size_t nb = problem_.num_band;
  std::vector<double> divisors;
  if (layout_.reducible) {
    // The diagonal of Omega (symmetrization does not change it); each element lives on
    // exactly one rank, so a sum with zeros is exact.
    std::vector<double> diag(static_cast<std::size_t>(size()), 0.0);
    omega.for_each_local([&diag](std::int64_t i, std::int64_t j, const double& v) {
      if (i == j) diag[static_cast<std::size_t>(i)] = v;
    });
    divisors = parallel::sum_over_ranks(context, diag);
  } else {
    const Diagonal d = diagonal_at(it);
    NdArray<double> diags({problem_.num_grid_points(), nb});
    for (std::size_t i = 0; i < problem_.num_grid_points(); ++i) main_diagonal(d, i, diags.ptr() + i * nb);
    divisors = transport::rta_divisors_irreducible(diags);
  }
  const NdArray<double> Y =
      transport::rta_Y(X, divisors, layout_, problem_.frequencies, problem_.cutoff_frequency);
  return transport::lbte_mode_kappa(X, Y, layout_, problem_.temperatures[it], problem_.kappa_unit_conversion);
}

}  // namespace ph3mpi::solvers
