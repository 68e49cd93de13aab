// Per-triplet contributions to Gamma of one grid point and one integration method:
// phono3py's gamma_detail-m<mesh>-g<gp>[-s<sigma>[-sd<cutoff>]].hdf5 (file_IO.py
// write_gamma_detail_to_hdf5, written with --write-gamma-detail), same dataset names:
//   version       ()                       string  ph3mpi's version
//   temperature   (T)                      f8      K
//   mesh          (3)                      i8      D_diag
//   gamma_detail  (T, n, nb0, nb, nb)      f8 gz   THz, without triplet weights
//   (self_energy/gamma_detail.hpp) triplet       (n, 3)                   i8 gz   BZ grid indices weight (n)
//   i8 gz   triplet weights grid_point    ()                       i8 sigma         () f8      only for a
//   Gaussian method sigma_cutoff_width ()                  f8      only with sigma_cutoff
// so that sum_t weight[t] sum_{j1 j2} gamma_detail[T, t, j0, j1, j2], averaged over
// degenerate bands, is Gamma of band j0.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "ph3mpi/common/ndarray.hpp"
#include "ph3mpi/interaction/triplets.hpp"

namespace ph3mpi::io {

struct GammaDetailFile {
  std::vector<double> temperatures;  // K
  std::array<std::int64_t, 3> mesh{};
  NdArray<double> gamma_detail;  // (T, n, nb0, nb, nb) THz
  std::vector<interaction::Triplet> triplets;
  std::vector<std::int64_t> weights;
  std::int64_t grid_point = 0;
  std::optional<double> sigma;  // unset: tetrahedron method
  std::optional<double> sigma_cutoff;
};

// "gamma_detail" + phono3py's suffix "-m<mesh>-g<gp>[-s<sigma>[-sd<cutoff>]]" + ".hdf5".
std::string gamma_detail_filename(const std::array<std::int64_t, 3>& mesh, std::int64_t grid_point,
                                  std::optional<double> sigma, std::optional<double> sigma_cutoff);

// Writes the whole file atomically. Throws ph3mpi::Error on inconsistent shapes.
void write_gamma_detail_file(const std::string& path, const GammaDetailFile& data);

}  // namespace ph3mpi::io
