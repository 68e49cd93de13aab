// phono3py's thermal-conductivity output file kappa-m<mesh>[-g<gp>][-s<sigma>[-sd<cutoff>]].hdf5
// (phono3py/file_IO.py write_kappa_to_hdf5, _get_filename_suffix; conductivity/output.py):
// the same dataset names, shapes, element types, gzip compression and chunk layout, so that
// phono3py-kaccum and scripts written for phono3py read it unchanged. One file per sigma.
//
// Datasets (T = temperatures, gp = grid points written (ir grid points), nb = bands):
//   version            ()         string  producing program's version (phono3py writes its own)
//   temperature        (T)        f8      K
//   mesh               (3)        i8      D_diag (mesh numbers; for a generalized grid, D_diag)
//   grid_matrix, P_matrix, Q_matrix (3,3) i8   only for a generalized regular grid
//   frequency          (gp,nb)    f8 gz   THz
//   group_velocity     (gp,nb,3)  f8 gz   THz Angstrom
//   gv_by_gv           (gp,nb,6)  f8      (THz Angstrom)^2   RTA only (not inter-band)
//   heat_capacity      (T,gp,nb)  f8 gz   eV/K
//   kappa              (T,6)      f8      W/(m K), Voigt xx yy zz yz xz xy
//   mode_kappa         (T,gp,nb,6) f8 gz  RTA only (not inter-band)
//   kappa_intra, kappa_inter (T,6) f8 gz  RTA inter-band: the intra- and inter-band parts of kappa
//   kappa_RTA          (T,6)      f8      LBTE only
//   mode_kappa_RTA     (T,gp',nb,6) f8 gz LBTE only
//   kappa_inter, kappa_intra_exact, kappa_intra_RTA (T,6) f8 gz   LBTE inter-band
//   f_vector           (gp',nb,3) f8 gz   LBTE only
//   gamma              (T,gp,nb)  f8 gz   THz
//   gamma_isotope      (gp,nb)    f8 gz   with isotope scattering
//   gamma_N, gamma_U   (T,gp,nb)  f8 gz   with is_N_U
//   ave_pp             (gp,nb)    f8 gz   averaged interaction (full pp / use_ave_pp), eV^2
//   qpoint             (gp,3)     f8 gz   reduced coordinates
//   weight             (gp)       i8 gz
//   grid_point         (gp)       i8      BZ grid indices
//   sigma, sigma_cutoff_width, kappa_unit_conversion, boundary_mfp   ()  f8 (when set)
// LBTE with the reducible collision matrix writes frequency, f_vector and mode_kappa_RTA on
// all prod(mesh) grid points (gp' = num_all_grid_points) and the rest on the ir points.
//
// Writing is split so that the parallel version can use collective hyperslab writes: the
// constructor creates the file with every dataset at its full shape and writes the small
// rank-independent ones; write_rows then fills grid-point ranges of the per-grid-point
// datasets, and write_kappa the (T, 6) tensors.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "ph3mpi/common/ndarray.hpp"
#include "ph3mpi/io/hdf5_file.hpp"
#include "ph3mpi/parallel/context.hpp"

namespace ph3mpi::io {

// phono3py's _del_zeros: printf("%f") with trailing zeros and then a trailing '.' removed
// (0.1 -> "0.1", 3.0 -> "3", 1e-7 -> "0").
std::string format_filename_number(double value);

// phono3py's _get_filename_suffix: "-m<m0><m1><m2>" then "-g<gp>", "-b<band+1>",
// "-s<sigma>" (and "-sd<cutoff>" only with sigma), "-t<T>", ".<middle_filename>".
std::string kappa_filename_suffix(const std::array<std::int64_t, 3>& mesh,
                                  std::optional<std::int64_t> grid_point = std::nullopt,
                                  std::optional<std::int64_t> band_index = std::nullopt,
                                  std::optional<double> sigma = std::nullopt,
                                  std::optional<double> sigma_cutoff = std::nullopt,
                                  std::optional<double> temperature = std::nullopt,
                                  const std::string& middle_filename = "");

// "kappa" + suffix + ".hdf5" for the whole-run file (no grid point, band or temperature).
std::string kappa_filename(const std::array<std::int64_t, 3>& mesh,
                           std::optional<double> sigma = std::nullopt,
                           std::optional<double> sigma_cutoff = std::nullopt,
                           const std::string& middle_filename = "");

enum class KappaMethod { kRta, kLbte };

// What a kappa file holds; decides which datasets exist and their shapes.
struct KappaFileLayout {
  KappaMethod method = KappaMethod::kRta;
  std::vector<double> temperatures;           // K
  std::array<std::int64_t, 3> mesh{};         // D_diag
  bool is_generalized_grid = false;           // write grid_matrix, P_matrix, Q_matrix
  std::array<std::int64_t, 9> grid_matrix{};  // row-major 3x3
  std::array<std::int64_t, 9> P_matrix{};
  std::array<std::int64_t, 9> Q_matrix{};
  std::size_t num_grid_points = 0;  // rows of the per-grid-point datasets
  std::size_t num_band = 0;
  std::size_t num_all_grid_points = 0;  // LBTE reducible collision matrix: prod(mesh); 0 = num_grid_points
  bool has_gamma_isotope = false;
  bool has_gamma_N_U = false;
  bool has_ave_pp = false;
  // Inter-band conductivity (transport_type): RTA drops gv_by_gv and mode_kappa and adds
  // kappa_intra, kappa_inter after kappa (kappa is the total); LBTE adds kappa_inter,
  // kappa_intra_exact, kappa_intra_RTA after mode_kappa_RTA (kappa stays the LBTE kappa).
  bool interband = false;
  std::optional<double> sigma;               // smearing width (THz); none = tetrahedron method
  std::optional<double> sigma_cutoff_width;  // in units of sigma
  std::optional<double> boundary_mfp;        // micrometre
  double kappa_unit_conversion = 0.0;
  std::string version = PH3MPI_VERSION;
};

// One dataset of the layout: its full shape, element type, compression and the axis that
// runs over grid points (-1 for datasets written whole).
struct KappaDatasetSpec {
  std::string name;
  std::vector<std::size_t> shape;
  Hdf5Dtype dtype = Hdf5Dtype::kFloat64;
  bool gzip = false;
  int grid_point_axis = -1;
};

// The datasets a layout defines, in phono3py's writing order (scalars/strings included,
// with empty shape). Throws ph3mpi::Error on an inconsistent layout (e.g. no temperatures).
std::vector<KappaDatasetSpec> kappa_dataset_specs(const KappaFileLayout& layout);

class KappaFile {
 public:
  // Creates (truncates) `path`, every dataset of the layout at its full shape, and writes
  // version, temperature, mesh, grid_matrix/P_matrix/Q_matrix, sigma, sigma_cutoff_width,
  // kappa_unit_conversion and boundary_mfp.
  KappaFile(const std::string& path, const KappaFileLayout& layout);
#ifdef H5_HAVE_PARALLEL
  // The same over the ranks of `comm` with parallel HDF5: the constructor, write_rows and
  // write_whole are collective. write_rows stores each rank's own rows (a rank with no
  // rows passes an empty block); write_whole and the small datasets store rank 0's data.
  KappaFile(const std::string& path, const KappaFileLayout& layout, MPI_Comm comm);
#endif

  const std::string& path() const noexcept { return file_.path(); }
  const KappaFileLayout& layout() const noexcept { return layout_; }
  const std::vector<KappaDatasetSpec>& specs() const noexcept { return specs_; }

  // Rows [first_grid_point, first_grid_point + n) of a per-grid-point dataset: `rows` has the
  // dataset's shape with its grid-point axis of length n (n = 0 writes nothing). Wrong
  // names, types or shapes throw ph3mpi::Hdf5Error.
  void write_rows(const std::string& dataset, std::size_t first_grid_point, const NdArray<double>& rows);
  void write_rows(const std::string& dataset, std::size_t first_grid_point,
                  const NdArray<std::int64_t>& rows);

  // A whole dataset that has no grid-point axis (kappa, kappa_RTA: (T, 6)).
  void write_whole(const std::string& dataset, const NdArray<double>& array);

 private:
  void initialize();
  const KappaDatasetSpec& spec(const std::string& dataset) const;
  std::vector<std::size_t> row_offset(const KappaDatasetSpec& spec, std::size_t first_grid_point,
                                      const std::vector<std::size_t>& rows_shape) const;

  KappaFileLayout layout_;
  std::vector<KappaDatasetSpec> specs_;
  Hdf5File file_;
};

// A KappaFile written by all ranks of `context`: parallel HDF5 (MPI-IO) with more than one
// rank, else a serial file. Collective.
std::unique_ptr<KappaFile> create_kappa_file(const std::string& path, const KappaFileLayout& layout,
                                             const parallel::Context& context);

// Everything of a finished run at once (serial convenience over KappaFile). Arrays for the
// per-grid-point datasets carry all rows; absent optional ones are empty NdArrays.
struct KappaFileData {
  NdArray<double> frequency, group_velocity, gv_by_gv, heat_capacity, kappa, mode_kappa;
  NdArray<double> kappa_RTA, mode_kappa_RTA, f_vector;                           // LBTE
  NdArray<double> kappa_intra, kappa_inter, kappa_intra_exact, kappa_intra_RTA;  // inter-band
  NdArray<double> gamma, gamma_isotope, gamma_N, gamma_U, ave_pp, qpoint;
  NdArray<std::int64_t> weight, grid_point;
};

// Writes `data` into a new file `path` laid out by `layout`; every dataset the layout
// defines must be given (ph3mpi::Error names the missing one).
void write_kappa_file(const std::string& path, const KappaFileLayout& layout, const KappaFileData& data);

}  // namespace ph3mpi::io
