// Reader of phono3py.yaml (phono3py.interface.phono3py_yaml, built on phonopy's
// phonopy_yaml): the crystal, the cell transformation matrices and the NAC
// parameters. Displacement/force datasets are not read (ph3mpi starts from force
// constants); their blocks are skipped without parsing.
#pragma once

#include <Eigen/Dense>
#include <optional>
#include <string>

#include "ph3mpi/crystal/cell.hpp"
#include "ph3mpi/phonon/nac_params.hpp"

namespace ph3mpi::io {

struct Phono3pyYaml {
  // Input unit cell (block `unit_cell`, or top-level `lattice`/`points` in old files).
  // Lattice rows a, b, c in Angstrom; masses from `mass:` when given, otherwise
  // phonopy's standard masses; numbers from the symbols.
  crystal::Cell unitcell;

  // Transformation to the primitive cell exactly as written (row i = i-th yaml row).
  // phonopy convention: primitive lattice (columns) = unit-cell lattice (columns) * P.
  // When the file has none (has_primitive_matrix == false) the matrix is the
  // identity here, but phono3py.load would use primitive_matrix="auto", i.e. the
  // primitive cell found by symmetry: the caller must decide.
  Eigen::Matrix3d primitive_matrix = Eigen::Matrix3d::Identity();
  bool has_primitive_matrix = false;

  // Supercell matrix as written (phonopy: supercell lattice rows = S * unit-cell rows).
  // Identity when absent (as phono3py.load). A yaml scalar n or [n1, n2, n3] is
  // accepted and means diag. det > 0 is checked.
  Eigen::Matrix3i supercell_matrix = Eigen::Matrix3i::Identity();

  // Supercell matrix of fc2 (`phonon_supercell_matrix`). Equal to supercell_matrix
  // when the file has none (has_phonon_supercell_matrix == false).
  Eigen::Matrix3i phonon_supercell_matrix = Eigen::Matrix3i::Identity();
  bool has_phonon_supercell_matrix = false;

  // Cells as phono3py wrote them, for cross-checks against the ones ph3mpi builds.
  std::optional<crystal::Cell> primitive_cell;         // `primitive_cell`
  std::optional<crystal::Cell> supercell;              // `supercell`
  std::optional<crystal::Cell> phonon_primitive_cell;  // `phonon_primitive_cell`
  std::optional<crystal::Cell> phonon_supercell;       // `phonon_supercell`

  // NAC parameters (`nac` block, or top-level born_effective_charge /
  // dielectric_constant of files older than phonopy 2.18). Present only when both
  // Born charges and the dielectric tensor are given, as in phonopy. factor defaults
  // to Hartree*Bohr (VASP units) when the file has no unit_conversion_factor.
  std::optional<phonon::NacParams> nac;

  // phono3py.symmetry_tolerance; 1e-5 (phono3py's default) when absent. Note that
  // phono3py.load does not use this value: it takes symprec from its own argument.
  double symprec = 1e-5;
  bool has_symprec = false;

  // Header and bookkeeping fields (empty/0 when absent).
  std::string version;                            // phono3py.version
  std::string calculator;                         // phono3py.calculator ("" = VASP units)
  double frequency_unit_conversion_factor = 0.0;  // phono3py.frequency_unit_conversion_factor
  std::string length_unit;                        // physical_unit.length
  std::string space_group_type;                   // space_group.type, e.g. "Fd-3m"
  int space_group_number = 0;                     // space_group.number
};

// Reads and validates phono3py.yaml. Every problem (missing or empty file, YAML
// syntax error, missing or malformed block, unknown element, missing mass,
// non-finite number, wrong matrix shape, singular lattice or matrix, det <= 0,
// Born charges not matching the primitive cell, calculator with non-Angstrom/eV
// units) raises InputError(path, "line N: ...") with the line where yaml-cpp knows it.
Phono3pyYaml read_phono3py_yaml(const std::string& path);

}  // namespace ph3mpi::io
