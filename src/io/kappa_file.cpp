// phono3py-compatible kappa-*.hdf5 writer (see kappa_file.hpp).
#include "ph3mpi/io/kappa_file.hpp"

#include <cstdio>

#include "ph3mpi/common/error.hpp"
#include "ph3mpi/parallel/mpi_handle.hpp"

namespace ph3mpi::io {
namespace {

// h5py compression="gzip" without compression_opts is deflate level 4.
constexpr int kGzipLevel = 4;

NdArray<std::int64_t> int_array(std::vector<std::size_t> shape, const std::int64_t* values) {
  NdArray<std::int64_t> a(std::move(shape));
  for (std::size_t i = 0; i < a.size(); ++i) a[i] = values[i];
  return a;
}

}  // namespace

std::string format_filename_number(double value) {
  char buffer[512];
  std::snprintf(buffer, sizeof(buffer), "%f", value);
  std::string text(buffer);
  // Python's str.rstrip("0") then rstrip("\\."): trailing zeros, then trailing dots.
  while (!text.empty() && text.back() == '0') text.pop_back();
  while (!text.empty() && (text.back() == '.' || text.back() == '\\')) text.pop_back();
  return text;
}

std::string kappa_filename_suffix(const std::array<std::int64_t, 3>& mesh,
                                  std::optional<std::int64_t> grid_point,
                                  std::optional<std::int64_t> band_index, std::optional<double> sigma,
                                  std::optional<double> sigma_cutoff, std::optional<double> temperature,
                                  const std::string& middle_filename) {
  std::string suffix = "-m" + std::to_string(mesh[0]) + std::to_string(mesh[1]) + std::to_string(mesh[2]);
  if (grid_point) suffix += "-g" + std::to_string(*grid_point);
  if (band_index) suffix += "-b" + std::to_string(*band_index + 1);
  if (sigma) {
    suffix += "-s" + format_filename_number(*sigma);
    if (sigma_cutoff) suffix += "-sd" + format_filename_number(*sigma_cutoff);
  }
  if (temperature) suffix += "-t" + format_filename_number(*temperature);
  if (!middle_filename.empty()) suffix += "." + middle_filename;
  return suffix;
}

std::string kappa_filename(const std::array<std::int64_t, 3>& mesh, std::optional<double> sigma,
                           std::optional<double> sigma_cutoff, const std::string& middle_filename) {
  return "kappa" +
         kappa_filename_suffix(mesh, std::nullopt, std::nullopt, sigma, sigma_cutoff, std::nullopt,
                               middle_filename) +
         ".hdf5";
}

std::vector<KappaDatasetSpec> kappa_dataset_specs(const KappaFileLayout& layout) {
  if (layout.temperatures.empty()) throw Error("kappa file layout: no temperatures");
  if (layout.num_grid_points == 0 || layout.num_band == 0) {
    throw Error("kappa file layout: number of grid points (" + std::to_string(layout.num_grid_points) +
                ") and bands (" + std::to_string(layout.num_band) + ") must be positive");
  }
  const bool lbte = layout.method == KappaMethod::kLbte;
  if (!lbte && layout.num_all_grid_points != 0 && layout.num_all_grid_points != layout.num_grid_points) {
    throw Error("kappa file layout: num_all_grid_points applies to LBTE only");
  }
  const std::size_t nt = layout.temperatures.size();
  const std::size_t ngp = layout.num_grid_points;
  const std::size_t nall = layout.num_all_grid_points == 0 ? ngp : layout.num_all_grid_points;
  const std::size_t nb = layout.num_band;
  using D = Hdf5Dtype;

  std::vector<KappaDatasetSpec> s;
  auto add = [&s](std::string name, std::vector<std::size_t> shape, D dtype, bool gzip, int axis) {
    s.push_back(KappaDatasetSpec{std::move(name), std::move(shape), dtype, gzip, axis});
  };
  // Order of phono3py's write_kappa_to_hdf5. The string "version" is not listed: it has no
  // numeric dtype and is written by the constructor.
  add("temperature", {nt}, D::kFloat64, false, -1);
  add("mesh", {3}, D::kInt64, false, -1);
  if (layout.is_generalized_grid) {
    add("grid_matrix", {3, 3}, D::kInt64, false, -1);
    add("P_matrix", {3, 3}, D::kInt64, false, -1);
    add("Q_matrix", {3, 3}, D::kInt64, false, -1);
  }
  add("frequency", {lbte ? nall : ngp, nb}, D::kFloat64, true, 0);
  add("group_velocity", {ngp, nb, 3}, D::kFloat64, true, 0);
  const bool interband = layout.interband;
  if (!lbte && !interband) add("gv_by_gv", {ngp, nb, 6}, D::kFloat64, false, 0);
  add("heat_capacity", {nt, ngp, nb}, D::kFloat64, true, 1);
  add("kappa", {nt, 6}, D::kFloat64, false, -1);
  if (!lbte && !interband) add("mode_kappa", {nt, ngp, nb, 6}, D::kFloat64, true, 1);
  if (!lbte && interband) {
    add("kappa_intra", {nt, 6}, D::kFloat64, true, -1);
    add("kappa_inter", {nt, 6}, D::kFloat64, true, -1);
  }
  if (lbte) {
    add("kappa_RTA", {nt, 6}, D::kFloat64, false, -1);
    add("mode_kappa_RTA", {nt, nall, nb, 6}, D::kFloat64, true, 1);
    if (interband) {
      add("kappa_inter", {nt, 6}, D::kFloat64, true, -1);
      add("kappa_intra_exact", {nt, 6}, D::kFloat64, true, -1);
      add("kappa_intra_RTA", {nt, 6}, D::kFloat64, true, -1);
    }
    add("f_vector", {nall, nb, 3}, D::kFloat64, true, 0);
  }
  add("gamma", {nt, ngp, nb}, D::kFloat64, true, 1);
  if (layout.has_gamma_isotope) add("gamma_isotope", {ngp, nb}, D::kFloat64, true, 0);
  if (layout.has_gamma_N_U) {
    add("gamma_N", {nt, ngp, nb}, D::kFloat64, true, 1);
    add("gamma_U", {nt, ngp, nb}, D::kFloat64, true, 1);
  }
  if (layout.has_ave_pp) add("ave_pp", {ngp, nb}, D::kFloat64, true, 0);
  add("qpoint", {ngp, 3}, D::kFloat64, true, 0);
  add("weight", {ngp}, D::kInt64, true, 0);
  add("grid_point", {ngp}, D::kInt64, false, 0);
  if (layout.sigma) add("sigma", {}, D::kFloat64, false, -1);
  if (layout.sigma_cutoff_width) add("sigma_cutoff_width", {}, D::kFloat64, false, -1);
  add("kappa_unit_conversion", {}, D::kFloat64, false, -1);
  if (layout.boundary_mfp) add("boundary_mfp", {}, D::kFloat64, false, -1);
  return s;
}

KappaFile::KappaFile(const std::string& path, const KappaFileLayout& layout)
    : layout_(layout), specs_(kappa_dataset_specs(layout)), file_(path, Hdf5File::Mode::kTruncate) {
  initialize();
}

#ifdef H5_HAVE_PARALLEL
KappaFile::KappaFile(const std::string& path, const KappaFileLayout& layout, MPI_Comm comm)
    : layout_(layout), specs_(kappa_dataset_specs(layout)), file_(path, Hdf5File::Mode::kTruncate, comm) {
  initialize();
}
#endif

void KappaFile::initialize() {
  file_.write_string("version", layout_.version);
  for (const KappaDatasetSpec& sp : specs_) {
    Hdf5DatasetOptions options;
    if (sp.gzip) options.gzip_level = kGzipLevel;
    file_.create_dataset(sp.name, sp.shape, sp.dtype, options);
  }
  NdArray<double> temperatures({layout_.temperatures.size()});
  temperatures.data = layout_.temperatures;
  file_.write_block_from_root("temperature", {0}, temperatures);
  file_.write_block_from_root("mesh", {0}, int_array({3}, layout_.mesh.data()));
  if (layout_.is_generalized_grid) {
    file_.write_block_from_root("grid_matrix", {0, 0}, int_array({3, 3}, layout_.grid_matrix.data()));
    file_.write_block_from_root("P_matrix", {0, 0}, int_array({3, 3}, layout_.P_matrix.data()));
    file_.write_block_from_root("Q_matrix", {0, 0}, int_array({3, 3}, layout_.Q_matrix.data()));
  }
  auto scalar = [this](const char* name, double value) {
    NdArray<double> a(std::vector<std::size_t>{});
    a.data = {value};
    file_.write_block_from_root(name, {}, a);
  };
  if (layout_.sigma) scalar("sigma", *layout_.sigma);
  if (layout_.sigma_cutoff_width) scalar("sigma_cutoff_width", *layout_.sigma_cutoff_width);
  scalar("kappa_unit_conversion", layout_.kappa_unit_conversion);
  if (layout_.boundary_mfp) scalar("boundary_mfp", *layout_.boundary_mfp);
}

const KappaDatasetSpec& KappaFile::spec(const std::string& dataset) const {
  for (const KappaDatasetSpec& sp : specs_) {
    if (sp.name == dataset) return sp;
  }
  throw Hdf5Error(file_.path() + ": '" + dataset + "' is not a dataset of this kappa file's layout");
}

std::vector<std::size_t> KappaFile::row_offset(const KappaDatasetSpec& sp, std::size_t first_grid_point,
                                               const std::vector<std::size_t>& rows_shape) const {
  if (sp.grid_point_axis < 0) {
    throw Hdf5Error(file_.path() + ": '" + sp.name + "' has no grid-point axis; write it whole");
  }
  const std::size_t axis = static_cast<std::size_t>(sp.grid_point_axis);
  bool fits = rows_shape.size() == sp.shape.size();
  for (std::size_t i = 0; fits && i < sp.shape.size(); ++i) {
    fits = i == axis ? first_grid_point + rows_shape[i] <= sp.shape[i] : rows_shape[i] == sp.shape[i];
  }
  if (!fits) {
    NdArray<char> full, rows;
    full.shape = sp.shape;
    rows.shape = rows_shape;
    throw Hdf5Error(file_.path() + ": rows of shape " + rows.shape_string() + " from grid point " +
                    std::to_string(first_grid_point) + " do not fit '" + sp.name + "' of shape " +
                    full.shape_string() + " (grid points on axis " + std::to_string(axis) + ")");
  }
  std::vector<std::size_t> offset(sp.shape.size(), 0);
  offset[axis] = first_grid_point;
  return offset;
}

void KappaFile::write_rows(const std::string& dataset, std::size_t first_grid_point,
                           const NdArray<double>& rows) {
  const KappaDatasetSpec& sp = spec(dataset);
  if (sp.dtype != Hdf5Dtype::kFloat64) throw Hdf5Error(file_.path() + ": '" + dataset + "' holds integers");
  file_.write_block(dataset, row_offset(sp, first_grid_point, rows.shape), rows);
}

void KappaFile::write_rows(const std::string& dataset, std::size_t first_grid_point,
                           const NdArray<std::int64_t>& rows) {
  const KappaDatasetSpec& sp = spec(dataset);
  if (sp.dtype != Hdf5Dtype::kInt64) throw Hdf5Error(file_.path() + ": '" + dataset + "' holds floats");
  file_.write_block(dataset, row_offset(sp, first_grid_point, rows.shape), rows);
}

void KappaFile::write_whole(const std::string& dataset, const NdArray<double>& array) {
  const KappaDatasetSpec& sp = spec(dataset);
  if (array.shape != sp.shape) {
    throw Hdf5Error(file_.path() + ": '" + dataset + "' needs shape of the layout, got " +
                    array.shape_string());
  }
  file_.write_block_from_root(dataset, std::vector<std::size_t>(sp.shape.size(), 0), array);
}

std::unique_ptr<KappaFile> create_kappa_file(const std::string& path, const KappaFileLayout& layout,
                                             const parallel::Context& context) {
  if (context.is_mpi() && context.size() > 1) {
    return std::make_unique<KappaFile>(path, layout, parallel::native_communicator(context));
  }
  return std::make_unique<KappaFile>(path, layout);
}

void write_kappa_file(const std::string& path, const KappaFileLayout& layout, const KappaFileData& data) {
  KappaFile file(path, layout);
  auto pick_double = [&data](const std::string& name) -> const NdArray<double>* {
    if (name == "frequency") return &data.frequency;
    if (name == "group_velocity") return &data.group_velocity;
    if (name == "gv_by_gv") return &data.gv_by_gv;
    if (name == "heat_capacity") return &data.heat_capacity;
    if (name == "kappa") return &data.kappa;
    if (name == "mode_kappa") return &data.mode_kappa;
    if (name == "kappa_RTA") return &data.kappa_RTA;
    if (name == "mode_kappa_RTA") return &data.mode_kappa_RTA;
    if (name == "kappa_intra") return &data.kappa_intra;
    if (name == "kappa_inter") return &data.kappa_inter;
    if (name == "kappa_intra_exact") return &data.kappa_intra_exact;
    if (name == "kappa_intra_RTA") return &data.kappa_intra_RTA;
    if (name == "f_vector") return &data.f_vector;
    if (name == "gamma") return &data.gamma;
    if (name == "gamma_isotope") return &data.gamma_isotope;
    if (name == "gamma_N") return &data.gamma_N;
    if (name == "gamma_U") return &data.gamma_U;
    if (name == "ave_pp") return &data.ave_pp;
    if (name == "qpoint") return &data.qpoint;
    return nullptr;  // written by the constructor
  };
  for (const KappaDatasetSpec& sp : file.specs()) {
    if (sp.name == "weight" || sp.name == "grid_point") {
      const NdArray<std::int64_t>& a = sp.name == "weight" ? data.weight : data.grid_point;
      if (a.size() == 0) throw Error(path + ": kappa file data lacks '" + sp.name + "'");
      file.write_rows(sp.name, 0, a);
      continue;
    }
    const NdArray<double>* a = pick_double(sp.name);
    if (a == nullptr) continue;
    if (a->size() == 0) throw Error(path + ": kappa file data lacks '" + sp.name + "'");
    if (sp.grid_point_axis < 0) {
      file.write_whole(sp.name, *a);
    } else {
      file.write_rows(sp.name, 0, *a);
    }
  }
}

}  // namespace ph3mpi::io
