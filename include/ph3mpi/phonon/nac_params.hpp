// Parameters of the non-analytical term correction (NAC) of the dynamical matrix,
// phonopy's `nac_params` dict as a struct. Filled by io::read_phono3py_yaml (nac block)
// or io::read_born_file (BORN), used by the harmonic phonon code.
#pragma once

#include <Eigen/Dense>
#include <optional>
#include <string>
#include <vector>

namespace ph3mpi::phonon {

struct NacParams {
  // Born effective charges, one 3x3 tensor per atom of the (phonon) PRIMITIVE cell in
  // primitive-atom order, in units of the elementary charge. Index convention is
  // phonopy's nac_params["born"][i][a][b] = born[i](a, b) = Z*_{i,ab}:
  //   a = Cartesian direction of the macroscopic electric field (the index contracted
  //       with q in the NAC term: sum_a q_a Z*_{i,ab}),
  //   b = Cartesian direction of the displacement of atom i (force direction).
  // born[i](a, b) is row a, column b of the block written in phono3py.yaml
  // (nac.born_effective_charge) and value 3*a+b of a BORN line (xx xy xz yx ... zz).
  std::vector<Eigen::Matrix3d> born;
  // High-frequency dielectric tensor epsilon_inf(a, b), row a / column b as written
  // (BORN: 9 values xx xy xz yx yy yz zx zy zz).
  Eigen::Matrix3d dielectric = Eigen::Matrix3d::Zero();
  // Unit conversion factor of the NAC term (phonopy "factor"; VASP units:
  // Hartree * Bohr = 14.399652 eV*Angstrom). Taken from the file when it gives one,
  // otherwise the calculator's default.
  double factor = 0.0;
  // "gonze" (Gonze-Lee, phonopy's default) or "wang". Always lower case.
  std::string method = "gonze";
  // Ewald parameters of the Gonze-Lee method when the BORN file gives them (2nd and
  // 3rd numbers of its first line); when empty phonopy's defaults apply.
  std::optional<double> g_cutoff;
  std::optional<double> lambda;
};

}  // namespace ph3mpi::phonon
