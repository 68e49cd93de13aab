// Harmonic dynamical matrix D(q) from second-order force constants, with the
// non-analytical term correction (NAC) of Gonze-Lee (phonopy's default) or Wang.
// The specification is phonopy 4.4: DynamicalMatrix / DynamicalMatrixGL /
// DynamicalMatrixWang (phonopy/harmonic/dynamical_matrix.py) with the C kernels of
// c/dynmat.c, and DerivativeOfDynamicalMatrix (phonopy/harmonic/derivative_dynmat.py).
//
// Conventions (phonopy's):
//   D_{i a, j b}(q) = 1/sqrt(m_i m_j) sum_{k: atom k is an image of primitive atom j}
//                     Phi_{a b}(i, k) * (1/M_ik) sum_{m=1..M_ik} exp(2 pi i q . r_ik^m)
//   where r_ik^m are the M_ik shortest supercell-periodic vectors from primitive atom i
//   to supercell atom k (fractional coordinates of the primitive lattice) and q is in
//   reduced coordinates of the primitive reciprocal basis (no 2 pi). The matrix is
//   hermitized, D <- (D + D^H)/2, before any NAC dipole-dipole part is added.
// Units: fc2 eV/Angstrom^2, masses AMU, D in eV/Angstrom^2/AMU; Cartesian q and the
// derivative dD/dq are per 1/Angstrom without 2 pi (D(q) ~ exp(2 pi i q_cart . r_cart)).
#pragma once

#include <Eigen/Dense>
#include <array>
#include <complex>
#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "ph3mpi/common/ndarray.hpp"
#include "ph3mpi/crystal/primitive.hpp"
#include "ph3mpi/crystal/shortest_vectors.hpp"
#include "ph3mpi/phonon/nac_params.hpp"

namespace ph3mpi::phonon {

// Everything D(q) needs about the primitive cell and the fc2 supercell, as plain data.
struct DynamicalMatrixInput {
  Eigen::Matrix3d lattice = Eigen::Matrix3d::Identity();  // primitive lattice, rows a, b, c (Angstrom)
  std::vector<Eigen::Vector3d> positions;                 // primitive atoms, fractional
  std::vector<double> masses;                             // primitive atoms, AMU
  // Force constants of the fc2 supercell, eV/Angstrom^2: compact (n_patom, n_satom, 3, 3)
  // (row i = primitive atom i) or full (n_satom, n_satom, 3, 3) (row p2s_map[i] used).
  NdArray<double> fc2;
  std::vector<std::int64_t> p2s_map;          // [n_patom] supercell index of primitive atom i
  std::vector<std::int64_t> s2pp_map;         // [n_satom] primitive atom that supercell atom s is an image of
  crystal::ShortestVectors shortest_vectors;  // primitive atom -> supercell atom (svecs, multi)
  // fc2 supercell in the primitive basis: supercell lattice vector j (fractional coordinates
  // of the primitive lattice) is column j. Only Gonze-Lee NAC uses it (commensurate points).
  Eigen::Matrix3i supercell_matrix = Eigen::Matrix3i::Identity();

  std::size_t num_patom() const noexcept { return masses.size(); }
  std::size_t num_satom() const noexcept { return s2pp_map.size(); }
  bool is_compact_fc() const noexcept { return !fc2.shape.empty() && fc2.shape[0] != fc2.shape[1]; }
};

// Assembles the input from the crystal module's objects: `primitive` carved out of the fc2
// supercell, its shortest vectors and the fc2 array (compact or full). Throws InputError("fc2",
// ...) when the fc2 shape does not match the cells.
DynamicalMatrixInput make_dynamical_matrix_input(const crystal::Primitive& primitive,
                                                 const crystal::ShortestVectors& shortest_vectors,
                                                 NdArray<double> fc2);

enum class NacMethod { kNone, kGonzeLee, kWang };

// Gonze-Lee ingredients computed once (phonopy DynamicalMatrixGL._set_nac_params and
// make_Gonze_nac_dataset): the reciprocal-space Ewald sum of the dipole-dipole interaction
// [X. Gonze and C. Lee, PRB 55, 10355 (1997), Eqs. (71)-(75); only the reciprocal part,
// as phonopy's default with_full_terms=False] over G_list with Gaussian damping
// exp(-K.eps.K / (4 Lambda^2)), its q=0 self term dd_q0, and the short-range force
// constants fc2 - (dipole-dipole part) obtained by Fourier-inverting D(q) - D_dd(q) at
// the commensurate points of the fc2 supercell.
struct GonzeLeeData {
  double g_cutoff = 0.0;                        // 1/Angstrom (no 2 pi)
  double lambda = 0.0;                          // Ewald parameter Lambda, 1/Angstrom
  double nac_factor = 0.0;                      // NacParams.factor * 4 pi / V (V in Angstrom^3)
  std::vector<Eigen::Vector3d> g_list;          // Cartesian G vectors, |G| < g_cutoff
  std::vector<Eigen::Matrix3cd> dd_q0;          // [n_patom] sum_j of the q=0 Born-contracted Ewald sum
  std::vector<Eigen::Vector3d> positions_cart;  // primitive atoms, Cartesian (Angstrom)
  // q-independent phases: exp(2 pi i G.(tau_i - tau_j)) as [g][i][j] (value side) and
  // exp(2 pi i G.tau_k) as [g][k] (derivative side).
  std::vector<std::complex<double>> g_phases;
  std::vector<std::complex<double>> g_atom_phases;
  std::vector<Eigen::Vector3d> commensurate_points;  // fc2 supercell's, moved into the first BZ
  NdArray<double> short_range_fc2;                   // compact (n_patom, n_satom, 3, 3), eV/Angstrom^2
};

class DynamicalMatrix {
 public:
  // nac: when given, its `method` selects Gonze-Lee ("gonze") or Wang ("wang"); born must
  // have one tensor per primitive atom. Gonze-Lee work (G list, short-range fc2) is done here,
  // once. Throws InputError("nac", ...) on inconsistent NAC parameters.
  explicit DynamicalMatrix(DynamicalMatrixInput input, std::optional<NacParams> nac = std::nullopt);

  std::size_t num_patom() const noexcept { return input_.num_patom(); }
  std::size_t num_band() const noexcept { return 3 * input_.num_patom(); }
  NacMethod nac_method() const noexcept { return method_; }
  const DynamicalMatrixInput& input() const noexcept { return input_; }
  const std::optional<NacParams>& nac_params() const noexcept { return nac_; }
  // inv(lattice): columns are the reciprocal basis vectors b1, b2, b3 (1/Angstrom, no 2 pi).
  const Eigen::Matrix3d& reciprocal_lattice() const noexcept { return reciprocal_lattice_; }
  // Gonze-Lee data, nullptr unless nac_method() == kGonzeLee.
  const GonzeLeeData* gonze_lee() const noexcept { return gl_.get(); }

  // Convention at q = 0 without a NAC direction, where the two reference code paths differ
  // only by rounding (visible as ~1e-7 THz noise of the acoustic modes at Gamma):
  //   kPhonopy: phonopy's dm.run: no NAC term when |q_cart| (or |q_direction_cart| when a
  //     direction is given) < 1e-5, i.e. D(0) from fc2 itself (also used for group velocities);
  //   kPhono3pyGrid: phono3py's grid solver (run_phonon_solver_c, the phonons of the
  //     interaction): Gonze-Lee keeps short-range fc2 + dipole-dipole sum without the G = 0
  //     term at Gamma. Identical to kPhonopy without NAC and with Wang's method.
  enum class GammaConvention { kPhonopy, kPhono3pyGrid };

  // D(q) as phonopy's dm.run(q, q_direction); dm.dynamical_matrix (num_band x num_band).
  // q and q_direction in reduced coordinates. With NAC the direction is used only where
  // q + G = 0 (see GammaConvention for q = 0 without one). Thread-safe (const).
  void compute(const Eigen::Vector3d& q, const std::optional<Eigen::Vector3d>& q_direction,
               Eigen::MatrixXcd& dm, GammaConvention convention = GammaConvention::kPhonopy) const;
  Eigen::MatrixXcd at(const Eigen::Vector3d& q,
                      const std::optional<Eigen::Vector3d>& q_direction = std::nullopt) const;

  // dD/dq_x, dD/dq_y, dD/dq_z (Cartesian, per 1/Angstrom without 2 pi) as phonopy's
  // DerivativeOfDynamicalMatrix.run(q, q_direction, force_python=True): the real-space sum
  // of 2 pi i r_cart Phi exp(2 pi i q.r) (Wang: fc2 + NAC term and its derivative; Gonze-Lee:
  // short-range fc2 plus the analytic derivative of the reciprocal dipole-dipole sum), then
  // hermitized. Thread-safe (const).
  std::array<Eigen::MatrixXcd, 3> derivative(
      const Eigen::Vector3d& q, const std::optional<Eigen::Vector3d>& q_direction = std::nullopt) const;

 private:
  DynamicalMatrixInput input_;
  std::optional<NacParams> nac_;
  NacMethod method_ = NacMethod::kNone;
  Eigen::Matrix3d reciprocal_lattice_;
  std::vector<std::vector<std::int64_t>> images_of_;  // [j] supercell atoms k with s2pp_map[k] == j
  std::shared_ptr<const GonzeLeeData> gl_;
  double wang_nac_factor_ = 0.0;  // factor * 4 pi / volume (Wang)
};

// Lower-level kernels shared by the class above (exposed for tests and for the
// interaction code, which needs the same phase convention).
namespace detail {

// Hermitized Fourier sum of force constants `fc` (compact rows when fc_is_compact, else
// full rows p2s_map[i]) at q: phonopy's get_dynamical_matrix_at_q. charge_sum (Wang),
// when non-null, is [i * n_patom + j] 3x3 added to every fc element of the pair.
void fourier_force_constants(const DynamicalMatrixInput& input, const double* fc, bool fc_is_compact,
                             const std::vector<std::vector<std::int64_t>>& images_of,
                             const Eigen::Vector3d& q, const std::vector<Eigen::Matrix3d>* charge_sum,
                             Eigen::MatrixXcd& dm);

// Supercell atoms grouped by the primitive atom they are images of, ascending.
std::vector<std::vector<std::int64_t>> images_of_primitive_atoms(const DynamicalMatrixInput& input);

}  // namespace detail

}  // namespace ph3mpi::phonon
