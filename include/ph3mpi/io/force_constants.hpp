// Readers of phono3py's fc2.hdf5 and fc3.hdf5 (phono3py.file_IO read_fc2_from_hdf5 /
// read_fc3_from_hdf5), with the checks phono3py makes and more: every problem is an
// InputError naming the file.
//
// Layouts (row-major, N = atoms in the (phonon) supercell, n_rows = N for the full
// form or n_prim for the compact form, whose row p is supercell atom p2s_map[p]):
//   fc2: dataset 'force_constants' (or 'fc2'), (n_rows, N, 3, 3), eV/Angstrom^2
//   fc3: dataset 'fc3', (n_rows, N, N, 3, 3, 3), eV/Angstrom^3
//   optional 'p2s_map' (n_prim,), fc3 optional 'fc3_nonzero_indices' (n_rows, N, N)
//   int8 (1 = the (i, j, k) block may be non-zero, 0 = it is zero) and 'fc3_cutoff'.
// fc2 files with a 'physical_unit' other than eV/angstrom^2 are converted to it as
// phonopy does for VASP units.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "ph3mpi/common/ndarray.hpp"

namespace ph3mpi::io {

struct ForceConstants {
  NdArray<double> fc;  // fc2 (n_rows, N, 3, 3) or fc3 (n_rows, N, N, 3, 3, 3)
  // Supercell index of each primitive atom: expected_p2s (for compact files checked to
  // equal the file's 'p2s_map' when it has one); the file's own when expected_p2s is empty.
  std::vector<std::int64_t> p2s_map;
  bool has_p2s_map_in_file = false;
  bool is_compact = false;                   // n_rows == n_prim (< N)
  NdArray<std::int8_t> fc3_nonzero_indices;  // (n_rows, N, N); empty unless has_nonzero_indices
  bool has_nonzero_indices = false;
  std::optional<double> fc3_cutoff;  // 'fc3_cutoff' (Angstrom) when present
  std::string physical_unit;         // fc2 'physical_unit' as written ("" when absent)
  // False when only the metadata was read (read_fc3 with read_values = false): fc and
  // fc3_nonzero_indices then have their shapes but no elements.
  bool has_values = true;
};

// Metadata of a force-constants file, validated without reading the big array:
// lets a caller allocate the destination (e.g. a node-shared window) before
// read_force_constants_into fills it.
struct ForceConstantsHeader {
  int order = 2;                      // 2 or 3
  std::string dataset;                // name of the fc dataset in the file
  std::vector<std::size_t> shape;     // shape of that dataset
  std::size_t n_supercell_atoms = 0;  // N
  bool is_compact = false;
  std::vector<std::int64_t> p2s_map;  // as in ForceConstants
  bool has_p2s_map_in_file = false;
  bool has_nonzero_indices = false;
  std::optional<double> fc3_cutoff;
  std::string physical_unit;
  double unit_factor = 1.0;           // multiplies the stored values to give eV/Angstrom^order
  std::size_t element_count() const;  // product of shape
};

// Validates file, dataset, dtype (64-bit float), rank and shape against
// n_supercell_atoms (full (N, N, ...) or compact (len(expected_p2s), N, ...)) and the
// file's p2s_map against expected_p2s (the primitive atoms' supercell indices).
ForceConstantsHeader inspect_force_constants(const std::string& path, int order,
                                             std::size_t n_supercell_atoms,
                                             const std::vector<std::int64_t>& expected_p2s);

// Reads the values straight into `out` (header.element_count() doubles), converts
// units if needed and rejects NaN/Inf (reporting how many and the first index).
void read_force_constants_into(const std::string& path, const ForceConstantsHeader& header, double* out);

// Convenience: inspect + one read into a fresh array (+ fc3_nonzero_indices).
// read_values = false (fc3): the file is validated as by inspect_force_constants but the
// arrays are not read (has_values = false), for the processes of a node that use the
// copy one of them reads (driver/shared_interaction.hpp).
ForceConstants read_fc2(const std::string& path, std::size_t n_supercell_atoms,
                        const std::vector<std::int64_t>& expected_p2s);
ForceConstants read_fc3(const std::string& path, std::size_t n_supercell_atoms,
                        const std::vector<std::int64_t>& expected_p2s, bool read_values = true);

}  // namespace ph3mpi::io
