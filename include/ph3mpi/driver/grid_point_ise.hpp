// The per-grid-point work of mode "ise" (phono3py's ImagSelfEnergy at one grid point):
// Gamma (THz) at the frequencies of the bands of q0 for every integration method and
// temperature, and the variants of how the interaction strength P is obtained:
//   default            low memory (phono3py's pp_collision, the RTA kernel GridPointGamma):
//                      per triplet only the elements with nonzero weight, never stored;
//   is_full_pp         every element, stored, Gamma from it (phono3py is_full_pp=True);
//   write_pp / read_pp stored, and written to / read from <output_dir>/pp-m<mesh>-g<gp>.hdf5
//                      (io/pp_file.hpp) by the rank that computes the grid point; written
//                      with every element any method needs (g_zero of the skipped ones in
//                      the file); read files are checked against the grid point, its
//                      triplets and bands, and must hold what every method needs;
//   use_ave_pp         P replaced by its band average P_ave(j0)/N (computed from the full P,
//                      or from the file with read_pp);
//   const_ave_pp = c   P replaced by c/N, no fc3 transform;
//   write_gamma_detail stored, and the per-triplet contributions written per method to
//                      <output_dir>/gamma_detail-m<mesh>-g<gp>[-s<sigma>].hdf5.
// All stored variants give the low-memory Gamma up to rounding (the sums are the same).
// Frequency-resolved Gamma uses the stored P when there is one (then with every element),
// else computes it per triplet where some frequency point needs it.
//
// Result arrays (per grid point; driver/grid_point_modes.hpp stacks them):
//   frequency (nb0) THz; gamma, and with is_N_U gamma_N / gamma_U, (methods, T, nb0) THz;
//   ave_pp (nb0) eV^2 with is_full_pp, use_ave_pp or const_ave_pp;
//   gamma_at_frequency_points (methods, T, nb0, fp) THz when frequency points are given.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "ph3mpi/common/trace.hpp"
#include "ph3mpi/config/settings.hpp"
#include "ph3mpi/driver/grid_point_gamma.hpp"
#include "ph3mpi/driver/grid_point_modes.hpp"
#include "ph3mpi/grid/bz_grid.hpp"
#include "ph3mpi/interaction/integration_weights.hpp"
#include "ph3mpi/interaction/interaction.hpp"
#include "ph3mpi/interaction/phonon_view.hpp"
#include "ph3mpi/interaction/triplets.hpp"

namespace ph3mpi::driver {

// Variant keys of mode ise that contradict each other (SettingsError naming the key).
void check_ise_variants(const config::Settings& settings);

// Whether the interaction strength is ave_pp-averaged / written to the file (ave_pp).
bool ise_has_ave_pp(const config::Settings& settings);

class GridPointIse {
 public:
  // All references must outlive this object. frequencies: (num_bz_points, num_band) THz,
  // the numbers of `phonons`; frequency_points: empty unless frequency resolved.
  GridPointIse(const config::Settings& settings, const interaction::Interaction& interaction,
               const interaction::PhononView& phonons, const NdArray<double>& frequencies,
               const grid::BZGrid& bz_grid, std::vector<double> frequency_points, common::TraceSink trace);

  GridPointResult compute(const GridPointTask& task) const;

 private:
  using Method = std::optional<double>;  // nullopt: tetrahedron, else the Gaussian sigma (THz)

  // Stored path: P read, constant or computed (written with write_pp), ave_pp; returns P
  // as Gamma uses it (after use_ave_pp).
  NdArray<double> stored_interaction(const GridPointTask& task, const interaction::TripletsAtQ& tq,
                                     const std::vector<interaction::TripletIntegrationWeights>& weights,
                                     GridPointResult& result) const;
  void gamma_from_stored(const GridPointTask& task, const interaction::TripletsAtQ& tq,
                         const std::vector<interaction::TripletIntegrationWeights>& weights,
                         const NdArray<double>& pp, GridPointResult& result) const;
  void write_gamma_detail(const GridPointTask& task, const interaction::TripletsAtQ& tq,
                          const NdArray<double>& pp, const interaction::TripletIntegrationWeights& weights,
                          std::size_t method, GridPointResult& result) const;
  // Frequency points: (methods, T, nb0, fp); pp nullptr = computed per triplet.
  NdArray<double> gamma_at_frequency_points(const GridPointTask& task, const interaction::TripletsAtQ& tq,
                                            const double* pp) const;

  const config::Settings& settings_;
  const interaction::Interaction& interaction_;
  const interaction::PhononView& phonons_;
  const NdArray<double>& frequencies_;
  const grid::BZGrid& bz_grid_;
  std::vector<double> frequency_points_;
  common::TraceSink trace_;
  std::vector<Method> methods_;
  std::array<std::int64_t, 3> mesh_{};
  bool stored_pp_ = false;
  GridPointGamma low_memory_;
};

}  // namespace ph3mpi::driver
