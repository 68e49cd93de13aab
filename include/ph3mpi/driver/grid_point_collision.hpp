// The per-grid-point work of an LBTE run (phono3py's collision-matrix calculation for one
// irreducible grid point): triplets at q -> collision integration weights (3 components)
// -> interaction strength once (g_zero path) -> Gamma and the collision-matrix rows for
// every temperature (self_energy/collision_matrix). Each call site is traced (PH3MPI_TRACE).
// The result is what the checkpoint stores and LbteSystem reads:
//   gamma (temperatures, nband) THz; collision (temperatures, row block) THz; num_triplets (1).
// The isotope Gamma is stored apart (driver::isotope_result, one method: (1, nband)): the
// rows depend on ph-ph scattering only, Gamma_iso enters the diagonal in the solver.
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
#include "ph3mpi/transport/lbte_kappa.hpp"

namespace ph3mpi::driver {

class GridPointCollision {
 public:
  // All references must outlive this object; settings: one integration method (the
  // tetrahedron method, or sigmas.front()).
  GridPointCollision(const config::Settings& settings, const interaction::Interaction& interaction,
                     const interaction::PhononView& phonons, const NdArray<double>& frequencies,
                     const grid::BZGrid& bz_grid, const transport::LbteLayout& layout,
                     common::TraceSink trace);

  NamedArrays compute(std::int64_t grid_point, std::int64_t batch) const;

 private:
  const config::Settings& settings_;
  const interaction::Interaction& interaction_;
  interaction::PhononView phonons_;
  const NdArray<double>& frequencies_;
  const grid::BZGrid& bz_grid_;
  const transport::LbteLayout& layout_;
  common::TraceSink trace_;
  std::optional<double> sigma_;
};

}  // namespace ph3mpi::driver
