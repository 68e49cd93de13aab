// The per-grid-point work of an RTA run (phono3py's RTACalculator for one grid point,
// conductivity/scattering_solvers.py): triplets at q -> integration weights ->
// interaction strength -> Gamma for every integration method and temperature (the
// low-memory pp_collision path, phono3py's default) and its normal/umklapp split. Kernels
// are called in this order and each call site is traced (PH3MPI_TRACE). The isotope
// scattering Gamma_iso per method (isotope_result) is a result of its own: it is stored in
// a checkpoint stage of its own, so that switching isotope on reuses the ph-ph results.
//
// The results are NamedArrays, the form the checkpoint stores and the coordinator ships:
//   gamma          (methods, temperatures, nband) THz
//   gamma_N/gamma_U (methods, temperatures, nband) THz   with is_N_U
//   num_triplets   (1)
//   gamma_isotope  (methods, nband) THz                  isotope_result
// where methods are the tetrahedron method first (when enabled) and then each sigma.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "ph3mpi/common/named_arrays.hpp"
#include "ph3mpi/common/trace.hpp"
#include "ph3mpi/config/settings.hpp"
#include "ph3mpi/grid/bz_grid.hpp"
#include "ph3mpi/interaction/interaction.hpp"
#include "ph3mpi/interaction/phonon_view.hpp"

namespace ph3mpi::driver {

// Integration methods in phono3py's order: nullopt = tetrahedron, then the sigmas (THz).
std::vector<std::optional<double>> integration_methods(const config::Settings& settings);

class GridPointGamma {
 public:
  // All references must outlive this object. frequencies: (num_bz_points, num_band), the
  // same numbers as phonons.frequencies.
  GridPointGamma(const config::Settings& settings, const interaction::Interaction& interaction,
                 const interaction::PhononView& phonons, const NdArray<double>& frequencies,
                 const grid::BZGrid& bz_grid, common::TraceSink trace);

  // Thread use: OpenMP inside the kernels; call from one thread. batch: the
  // coordinator's batch number (for the trace only).
  NamedArrays compute(std::int64_t grid_point, std::int64_t batch) const;

  std::size_t num_methods() const noexcept { return methods_.size(); }

 private:
  const config::Settings& settings_;
  const interaction::Interaction& interaction_;
  const interaction::PhononView& phonons_;
  const NdArray<double>& frequencies_;
  const grid::BZGrid& bz_grid_;
  common::TraceSink trace_;
  std::vector<std::optional<double>> methods_;
};

// Gamma_iso of every band at `grid_point` for each integration method of `settings` (phono3py's
// IsotopeScatteringSolver: Isotope with the run's cutoff_frequency, degenerate averaging only
// with degenerate_average): gamma_isotope (methods, nband) THz. mass_variances: one per
// primitive atom. Traced at site Isotope.
NamedArrays isotope_result(std::int64_t grid_point, const config::Settings& settings,
                           const std::vector<double>& mass_variances, const interaction::PhononView& phonons,
                           const grid::BZGrid& bz_grid, const common::TraceSink& trace, std::int64_t batch);

}  // namespace ph3mpi::driver
