// Phonon-isotope scattering (phono3py.other.isotope, c/isotope.c), the second-order
// mass-disorder perturbation of S. Tamura, PRB 27, 858 (1983):
//
//   1/tau_j0(q) = pi/(2N) omega_j0^2 sum_{q' j} delta(omega_j0 - omega_j(q'))
//                 sum_k g_k |e*_k(q j0) . e_k(q' j)|^2,
//
// N = prod(D_diag) grid points q' of the GR grid, k the atoms of the primitive cell,
// e_k their 3-component eigenvector blocks, g_k = sum_i f_i (1 - m_i/m_ave)^2 the mass
// variance of atom k's element (f_i, m_i: natural abundances and masses of its isotopes,
// m_ave = sum_i f_i m_i). Reported, as by phono3py, as Gamma = 1/(2 tau) in THz
// (ordinary frequency): Gamma = pi f0^2 / (4N) sum_{q' j} delta(f0 - f_j(q')) S_j(q'),
// with the delta function in 1/THz by the linear tetrahedron method or a Gaussian.
// Not averaged over degenerate bands (phono3py's Isotope.gamma is not either).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "ph3mpi/common/isotope_data.hpp"
#include "ph3mpi/common/ndarray.hpp"
#include "ph3mpi/grid/bz_grid.hpp"
#include "ph3mpi/interaction/phonon_view.hpp"

namespace ph3mpi::self_energy {

// g = sum_i f_i (1 - m_i / m_ave)^2, m_ave = sum_i f_i m_i (phono3py get_mass_variances).
// Throws ph3mpi::Error for an empty list or m_ave <= 0.
double mass_variance(const std::vector<common::NaturalIsotope>& isotopes);

// Mass variance of each atom from the natural composition of its element (phono3py
// get_mass_variances(primitive), phonopy's isotope table, see common/isotope_data.hpp).
// `symbols` are chemical symbols as in phonopy ("Si"); `source` names where they came from
// (e.g. the phono3py.yaml path) for the error raised (ph3mpi::InputError) when a symbol is
// no element or phonopy has no natural composition for it.
std::vector<double> get_mass_variances(const std::vector<std::string>& symbols, const std::string& source);

// phonopy get_integration_weights(sampling_points, frequencies, bz_grid, grid_points)
// with function 'I': the tetrahedron-method weight of each BZ grid point in grid_points
// for delta(omega - f_b(q)), at every sampling point omega and band b, in 1/THz.
// frequencies: (num_bz_points, num_band) THz indexed by BZ grid point; the 24 tetrahedra
// around a point use phonopy's relative addresses (times P) and its BZ-surface lookup.
// Returns (grid_points.size(), sampling_points.size(), num_band). OpenMP over grid points.
NdArray<double> tetrahedron_integration_weights(const std::vector<double>& sampling_points,
                                                const double* frequencies, std::size_t num_band,
                                                const grid::BZGrid& bz_grid,
                                                const std::vector<std::int64_t>& grid_points);

// Gamma_iso (THz) of the bands band_indices at BZ grid point grid_point (phono3py
// Isotope.set_grid_point(grid_point); Isotope.run() with the C backend), summing over
// the prod(D_diag) GR grid points q' (their first BZ images, grg2bzg). sigma unset:
// tetrahedron method; set: Gaussian of width sigma (THz). Modes (q0 or q') with frequency
// below cutoff_frequency (phono3py Isotope default 0) contribute nothing.
// phonons: all BZ grid points (the tetrahedra reach BZ-surface images).
// mass_variances: one per primitive atom (num_band / 3). OpenMP over q'; partial sums
// are added in grid order, so results do not depend on the number of threads.
// degenerate_average: the weight sum_atom g2 |e_j0(atom)^* . e_j1(atom)|^2 of each band
// pair is replaced by its mean over the degenerate sets of j0 (among band_indices) and j1
// (interaction/degenerate_average.hpp), which makes Gamma_iso independent of the
// eigenvector basis; needs phonons.degenerate_first.
// Throws ph3mpi::Error on inconsistent sizes or indices.
std::vector<double> isotope_gamma(std::int64_t grid_point, const std::vector<std::int64_t>& band_indices,
                                  const std::vector<double>& mass_variances,
                                  const interaction::PhononView& phonons, const grid::BZGrid& bz_grid,
                                  std::optional<double> sigma, double cutoff_frequency = 0.0,
                                  bool degenerate_average = false);

}  // namespace ph3mpi::self_energy
