// Three-phonon interaction strength |Phi(q0 j0, q1 j1, q2 j2)|^2 over the triplets of
// a grid point (phono3py.phonon3.interaction.Interaction.run, c/interaction.c):
// fc3 -> q-triplet (RealToReciprocal) -> normal modes (ReciprocalToNormal), times
// phono3py's unit conversion to eV^2, which includes 1/prod(D_diag).
//
// OpenMP over batches of triplets; every triplet is computed by one thread with the
// same operations whatever the thread count or batching, so results are bit-identical
// for any OMP_NUM_THREADS.
#pragma once

#include <complex>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "ph3mpi/common/ndarray.hpp"
#include "ph3mpi/grid/bz_grid.hpp"
#include "ph3mpi/interaction/atom_triplets.hpp"
#include "ph3mpi/interaction/phonon_view.hpp"
#include "ph3mpi/interaction/real_to_reciprocal.hpp"
#include "ph3mpi/interaction/reciprocal_to_normal.hpp"
#include "ph3mpi/interaction/triplets.hpp"

namespace ph3mpi::interaction {

// phono3py Interaction.unit_conversion_factor for a grid of num_grid_points = prod(D_diag)
// points: (hbar eV)^3 / 36 / 8 eV^2 / Angstrom^6 / (2 pi THz)^3 / AMU^3 / num_grid / eV^2
// (4.918369252238689e-06 for 9x9x9). Converts |Phi|^2 / (f0 f1 f2) in the kernels'
// units (eV^2/Angstrom^6/AMU^3/THz^3) to eV^2.
double interaction_unit_conversion(std::int64_t num_grid_points);

class Interaction {
 public:
  // Per-thread scratch of run_raw.
  class Workspace {
   public:
    Workspace() = default;

   private:
    friend class Interaction;
    RealToReciprocal::Workspace r2r;
    ReciprocalToNormal::Workspace r2n;
    std::vector<std::complex<double>> fc3_reciprocal;
    std::vector<Triplet> active;
    std::vector<std::size_t> active_index;
    std::vector<std::int8_t> widened_g_zero;  // degenerate averaging: masks widened to whole blocks
  };

  // fc3 (compact or full, eV/Angstrom^3) and fc3_nonzero_indices (nullptr or its
  // (n_rows, N, N) bytes) as RealToReciprocal; masses: primitive masses (AMU);
  // band_indices: j0 to compute (empty = all, phono3py's default); cutoff_frequency
  // (THz): modes at or below it do not interact (phono3py default 1e-4);
  // batch_size: triplets per matrix product of RealToReciprocal (0 = its automatic choice).
  Interaction(const NdArray<double>& fc3, const std::int8_t* fc3_nonzero_indices, const AtomTriplets& atoms,
              const std::vector<double>& masses, const grid::BZGrid& bz_grid,
              std::vector<std::int64_t> band_indices = {}, bool make_r0_average = true,
              double cutoff_frequency = 1e-4, std::size_t batch_size = 0);

  // degenerate_average (config key): every |Phi|^2 is replaced by its mean over the block
  // of degenerate sets of q0, q1 and q2 it belongs to (degenerate_average.hpp), so no
  // rotation of the eigenvectors inside degenerate subspaces changes any result. The
  // phonons must then carry their degenerate sets (PhononView::degenerate_first).
  void set_degenerate_average(bool on) noexcept { degenerate_average_ = on; }
  bool degenerate_average() const noexcept { return degenerate_average_; }

  std::size_t num_band() const noexcept { return r2r_.num_band(); }
  std::size_t num_band0() const noexcept { return r2n_.band_indices().size(); }
  const std::vector<std::int64_t>& band_indices() const noexcept { return r2n_.band_indices(); }
  double cutoff_frequency() const noexcept { return cutoff_frequency_; }
  double unit_conversion_factor() const noexcept { return unit_conversion_; }
  const RealToReciprocal& real_to_reciprocal() const noexcept { return r2r_; }
  const ReciprocalToNormal& reciprocal_to_normal() const noexcept { return r2n_; }

  // phono3py Interaction.run(g_zero): interaction_strength (n_triplets, nb0, nb, nb) in
  // eV^2. g_zero: nullptr (is_full_pp: every element) or (n_triplets, nb0, nb, nb)
  // bytes, nonzero = element not needed, left 0 (the g_zero path). Any triplets; the
  // q0-only sums are prepared once per distinct q0. OpenMP inside.
  NdArray<double> run(const PhononView& phonons, const std::vector<Triplet>& triplets,
                      const std::int8_t* g_zero = nullptr) const;
  void run(const PhononView& phonons, const std::vector<Triplet>& triplets, const std::int8_t* g_zero,
           double* interaction_strength) const;

  // Serial building block (called from inside parallel loops, e.g. the low-memory
  // collision path): |Phi|^2 / (f0 f1 f2) WITHOUT the unit conversion (phono3py's raw
  // fc3_normal_squared) for triplets[0..n) into out + t * nb0 * nb * nb; q0s from
  // real_to_reciprocal().prepare_q0s must cover their q0. g_zero as in run (per
  // triplet at g_zero + t * nb0 nb nb). Triplets whose elements are all masked skip the
  // fc3 transform entirely.
  // parallel_inside: these triplets use all OpenMP threads (call from outside any
  // parallel region); for grid points with fewer triplets than threads.
  void run_raw(const std::vector<RealToReciprocal::Q0Sums>& q0s, const PhononView& phonons,
               const Triplet* triplets, std::size_t n, const std::int8_t* g_zero, double* out,
               Workspace& workspace, bool parallel_inside = false) const;

  // True when a list of n triplets is better done one triplet at a time with all
  // threads inside it than with threads over triplets (fewer than two per thread).
  static bool prefer_parallel_inside(std::size_t n);

  // Checks grid-point ranges and band count of triplets against phonons and the grid
  // (throws ph3mpi::Error). run() calls it; callers of run_raw should call it once.
  void validate(const PhononView& phonons, const std::vector<Triplet>& triplets) const;

 private:
  RealToReciprocal r2r_;
  ReciprocalToNormal r2n_;
  double cutoff_frequency_;
  double unit_conversion_;
  std::size_t num_bz_points_;
  bool degenerate_average_ = false;
};

}  // namespace ph3mpi::interaction
