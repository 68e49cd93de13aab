// The interaction strength of one grid point in a file, so that a later run can reuse
// it instead of recomputing it: phono3py's pp-m<mesh>-g<gp>.hdf5 (file_IO.py
// write_pp_to_hdf5 / read_pp_from_hdf5; phono3py's --write-pp / --read-pp).
//
// Datasets ph3mpi writes (n = triplets of the grid point, nb0 = computed bands, nb = bands):
//   version       ()               string  ph3mpi's version
//   pp            (n, nb0, nb, nb) f8 gz   interaction strength |Phi|^2, eV^2 (phono3py's name)
//   g_zero        (n, nb0, nb, nb) i8 gz   only when elements were skipped: nonzero = not
//                                          computed (0 in pp), as phono3py's g_zero
//   triplet       (n, 3)           i8      the triplets (BZ grid indices), phono3py's name
//   weight        (n)              i8      triplet weights
//   grid_point    ()               i8      BZ grid index of q0
//   band_indices  (nb0)            i8      the bands j0 (0-based)
//   mesh          (3)              i8      D_diag
// Reading also accepts phono3py's own files: "pp" alone, or its packed form with g_zero
// ("nonzero_pp", "pp_shape", "g_zero_bits", "g_zero_bits_reminder").
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "ph3mpi/common/ndarray.hpp"
#include "ph3mpi/interaction/triplets.hpp"

namespace ph3mpi::io {

struct PpFile {
  NdArray<double> pp;            // (n, nb0, nb, nb) eV^2
  NdArray<std::int64_t> g_zero;  // same shape, or empty: every element computed
  std::vector<interaction::Triplet> triplets;
  std::vector<std::int64_t> weights;
  std::int64_t grid_point = -1;            // -1: not in the file (phono3py files without it)
  std::vector<std::int64_t> band_indices;  // empty: not in the file
  std::array<std::int64_t, 3> mesh{};
};

// "pp" + phono3py's suffix "-m<mesh>-g<gp>" + ".hdf5".
std::string pp_filename(const std::array<std::int64_t, 3>& mesh, std::int64_t grid_point);

// Writes `data` (whole file, atomically: write_hdf5_atomically). Throws ph3mpi::Error on
// inconsistent shapes, Hdf5Error on I/O failure.
void write_pp_file(const std::string& path, const PpFile& data);

// Reads `path` and checks it against the grid point it is used for: the interaction must
// have shape (triplets.size(), band_indices.size(), num_band, num_band), and grid point,
// triplets and band indices, where the file holds them, must be these. Any mismatch, a
// missing file or missing datasets raise InputError(path, ...) saying what differs.
PpFile read_pp_file(const std::string& path, std::int64_t grid_point,
                    const std::vector<interaction::Triplet>& triplets,
                    const std::vector<std::int64_t>& band_indices, std::size_t num_band);

// The checks of read_pp_file that need no interaction values (the file is there and holds
// an interaction strength of the right shape, for this grid point, its triplets and these
// bands), the same InputErrors, without reading the interaction itself: lets a run refuse
// a bad file before anything is computed, and read it later where it is used.
void check_pp_file(const std::string& path, std::int64_t grid_point,
                   const std::vector<interaction::Triplet>& triplets,
                   const std::vector<std::int64_t>& band_indices, std::size_t num_band);

}  // namespace ph3mpi::io
