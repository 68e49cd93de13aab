// kappa-*.hdf5 writer: file names as phono3py forms them, and files whose structure
// (dataset names, shapes, element types, compression, chunks) equals phono3py's reference
// files, written from the RTA kernel's results in grid-point blocks.
#include <gtest/gtest.h>

#include <cctype>
#include <filesystem>

#include "kappa_reference.hpp"
#include "ph3mpi/common/error.hpp"
#include "ph3mpi/io/hdf5_file.hpp"
#include "ph3mpi/io/kappa_file.hpp"
#include "ph3mpi/transport/rta_kappa.hpp"

namespace {

using ph3mpi::NdArray;
using ph3mpi::io::Hdf5DatasetInfo;
using ph3mpi::io::Hdf5File;
using ph3mpi::io::Hdf5Kind;
using ph3mpi::io::KappaFile;
using ph3mpi::io::KappaFileLayout;
using namespace ph3mpi::transport::testing;

const char* kind_name(Hdf5Kind k) {
  switch (k) {
    case Hdf5Kind::kFloat:
      return "float";
    case Hdf5Kind::kInteger:
      return "integer";
    case Hdf5Kind::kString:
      return "string";
    case Hdf5Kind::kComplex:
      return "complex";
    default:
      return "other";
  }
}

// Walks both files and compares every dataset's name, shape, element type and storage.
// The version string's length is the producing program's business and is not compared.
void expect_same_structure(const std::string& ours_path, const std::string& reference_path) {
  const Hdf5File ours(ours_path), ref(reference_path);
  const std::vector<std::string> names = ours.list_datasets();
  ASSERT_EQ(names, ref.list_datasets()) << ours_path << " vs " << reference_path;
  for (const std::string& name : names) {
    SCOPED_TRACE(name);
    const Hdf5DatasetInfo a = ours.dataset_info(name), b = ref.dataset_info(name);
    EXPECT_EQ(a.shape, b.shape);
    EXPECT_STREQ(kind_name(a.kind), kind_name(b.kind));
    EXPECT_EQ(a.is_variable_string, b.is_variable_string);
    if (a.kind != Hdf5Kind::kString) {
      EXPECT_EQ(a.element_size, b.element_size);
      EXPECT_EQ(a.is_signed, b.is_signed);
    }
    EXPECT_EQ(a.gzip, b.gzip);
    EXPECT_EQ(a.chunks, b.chunks);
  }
}

NdArray<double> rows_of(const NdArray<double>& a, std::size_t axis, std::size_t g0, std::size_t g1) {
  std::vector<std::size_t> shape = a.shape;
  std::size_t outer = 1, inner = 1;
  for (std::size_t i = 0; i < axis; ++i) outer *= shape[i];
  for (std::size_t i = axis + 1; i < shape.size(); ++i) inner *= shape[i];
  const std::size_t n = shape[axis];
  shape[axis] = g1 - g0;
  NdArray<double> out(shape);
  for (std::size_t o = 0; o < outer; ++o)
    for (std::size_t g = g0; g < g1; ++g)
      for (std::size_t k = 0; k < inner; ++k)
        out[(o * (g1 - g0) + g - g0) * inner + k] = a[(o * n + g) * inner + k];
  return out;
}

NdArray<std::int64_t> rows_of(const NdArray<std::int64_t>& a, std::size_t g0, std::size_t g1) {
  NdArray<std::int64_t> out({g1 - g0});
  for (std::size_t g = g0; g < g1; ++g) out[g - g0] = a[g];
  return out;
}

TEST(KappaFileName, FollowsPhono3pySuffixRules) {
  using ph3mpi::io::format_filename_number;
  using ph3mpi::io::kappa_filename;
  using ph3mpi::io::kappa_filename_suffix;
  EXPECT_EQ(format_filename_number(0.1), "0.1");
  EXPECT_EQ(format_filename_number(3.0), "3");
  EXPECT_EQ(format_filename_number(300.0), "300");
  EXPECT_EQ(format_filename_number(0.0125), "0.0125");
  EXPECT_EQ(format_filename_number(1e-7), "0");  // "%f" has six decimals
  EXPECT_EQ(kappa_filename({9, 9, 9}), "kappa-m999.hdf5");
  EXPECT_EQ(kappa_filename({11, 11, 11}), "kappa-m111111.hdf5");
  EXPECT_EQ(kappa_filename({6, 12, 12}), "kappa-m61212.hdf5");
  EXPECT_EQ(kappa_filename({9, 9, 9}, 0.1), "kappa-m999-s0.1.hdf5");
  EXPECT_EQ(kappa_filename({9, 9, 9}, 0.1, 3.0), "kappa-m999-s0.1-sd3.hdf5");
  EXPECT_EQ(kappa_filename({9, 9, 9}, std::nullopt, 3.0), "kappa-m999.hdf5");  // -sd needs a sigma
  EXPECT_EQ(kappa_filename({7, 7, 5}, std::nullopt, std::nullopt, "run1"), "kappa-m775.run1.hdf5");
  EXPECT_EQ(kappa_filename_suffix({9, 9, 9}, 105, 2, 0.1, std::nullopt, 300.0), "-m999-g105-b3-s0.1-t300");
}

TEST(Hdf5Chunks, MatchH5pyGuessChunk) {
  using ph3mpi::io::h5py_guess_chunk;
  // Chunk shapes h5py chose in the reference files.
  EXPECT_EQ(h5py_guess_chunk({11, 35, 6, 6}, 8), (std::vector<std::size_t>{6, 18, 3, 3}));
  EXPECT_EQ(h5py_guess_chunk({1, 125, 6, 6}, 8), (std::vector<std::size_t>{1, 63, 3, 6}));
  EXPECT_EQ(h5py_guess_chunk({1, 44, 6, 6}, 8), (std::vector<std::size_t>{1, 22, 6, 6}));
  EXPECT_EQ(h5py_guess_chunk({125, 6, 3}, 8), (std::vector<std::size_t>{63, 6, 3}));
  EXPECT_EQ(h5py_guess_chunk({35, 6}, 8), (std::vector<std::size_t>{35, 6}));
  EXPECT_THROW(h5py_guess_chunk({}, 8), ph3mpi::Hdf5Error);
}

TEST(Hdf5File, BlocksFillACompressedDataset) {
  const std::string dir = ph3mpi::test::make_temp_dir("hdf5_blocks");
  const std::string path = dir + "/blocks.hdf5";
  {
    Hdf5File f(path, Hdf5File::Mode::kTruncate);
    ph3mpi::io::Hdf5DatasetOptions gz;
    gz.gzip_level = 4;
    f.create_dataset("a/x", {3, 4}, ph3mpi::io::Hdf5Dtype::kFloat64, gz);
    f.create_dataset("n", {5}, ph3mpi::io::Hdf5Dtype::kInt64);
    NdArray<double> rows({3, 2});
    rows.data = {1, 2, 3, 4, 5, 6};
    f.write_block("a/x", {0, 2}, rows);
    f.write_block("a/x", {0, 0}, NdArray<double>({3, 0}));  // empty block: nothing written
    NdArray<std::int64_t> n({2});
    n.data = {7, 8};
    f.write_block("n", {3}, n);
    EXPECT_THROW(f.write_block("n", {4}, n), ph3mpi::Hdf5Error);       // past the end
    EXPECT_THROW(f.write_block("a/x", {0, 0}, n), ph3mpi::Hdf5Error);  // wrong type
    EXPECT_THROW(f.create_dataset("n", {1}, ph3mpi::io::Hdf5Dtype::kInt64), ph3mpi::Hdf5Error);
  }
  const Hdf5File f(path);
  EXPECT_EQ(f.list_datasets(), (std::vector<std::string>{"a/x", "n"}));
  EXPECT_EQ(f.read_double("a/x").data, (std::vector<double>{0, 0, 1, 2, 0, 0, 3, 4, 0, 0, 5, 6}));
  EXPECT_EQ(f.read_int("n").data, (std::vector<std::int64_t>{0, 0, 0, 7, 8}));
  const Hdf5DatasetInfo info = f.dataset_info("a/x");
  EXPECT_TRUE(info.gzip);
  EXPECT_EQ(info.chunks, (std::vector<std::size_t>{3, 4}));
  EXPECT_FALSE(f.dataset_info("n").gzip);
  EXPECT_TRUE(f.dataset_info("n").is_signed);
  std::filesystem::remove_all(dir);
}

class KappaFileReference : public ::testing::TestWithParam<KappaCase> {};

// The RTA kernel's results for a reference case written into a kappa file in two grid-point
// blocks: same structure as phono3py's file and the same numbers.
TEST_P(KappaFileReference, RtaFileMatchesPhono3pys) {
  const KappaCase& c = GetParam();
  const KappaReference r = load_kappa_reference(c);

  // Kernel: gv_by_gv over the star, mode_kappa, kappa.
  NdArray<double> gvgv({r.num_gp, r.num_band, 6});
  for (std::size_t i = 0; i < r.num_gp; ++i) {
    ph3mpi::transport::gv_by_gv_over_star(
        &r.group_velocity[i * r.num_band * 3], r.num_band, r.rotations_cartesian,
        ph3mpi::transport::kappa_star_multiplicity(r.addresses[i], r.D_diag, r.grg_rotations),
        &gvgv[i * r.num_band * 6]);
  }
  NdArray<double> gamma = r.gamma, gamma_iso = r.gamma_isotope;
  gamma.shape.insert(gamma.shape.begin(), 1);
  gamma_iso.shape.insert(gamma_iso.shape.begin(), 1);
  ph3mpi::transport::RtaInput in;
  in.frequencies = &r.frequency;
  in.gv_by_gv = &gvgv;
  in.heat_capacities = &r.heat_capacity;
  in.gamma = &gamma;
  in.gamma_isotope = c.is_isotope ? &gamma_iso : nullptr;
  ph3mpi::transport::RtaSettings settings;
  settings.conversion_factor = ph3mpi::transport::kappa_unit_conversion(r.primitive_lattice.determinant());
  settings.num_mesh_points = r.D_diag.prod();
  ph3mpi::transport::RtaKappa out = ph3mpi::transport::rta_kappa(in, settings);
  out.mode_kappa.shape.erase(out.mode_kappa.shape.begin());  // one file per sigma
  out.kappa.shape.erase(out.kappa.shape.begin());

  KappaFileLayout layout;
  layout.temperatures = r.temperature.data;
  layout.mesh = {r.D_diag(0), r.D_diag(1), r.D_diag(2)};
  if (r.is_generalized_grid) {
    layout.is_generalized_grid = true;
    for (int i = 0; i < 9; ++i) {
      layout.grid_matrix[static_cast<std::size_t>(i)] = r.grid_matrix(i / 3, i % 3);
      layout.P_matrix[static_cast<std::size_t>(i)] = r.P(i / 3, i % 3);
      layout.Q_matrix[static_cast<std::size_t>(i)] = r.Q(i / 3, i % 3);
    }
  }
  layout.num_grid_points = r.num_gp;
  layout.num_band = r.num_band;
  layout.has_gamma_isotope = c.is_isotope;
  layout.has_gamma_N_U = c.is_N_U;
  if (c.sigma > 0) layout.sigma = c.sigma;
  layout.kappa_unit_conversion = settings.conversion_factor;

  const std::string dir = ph3mpi::test::make_temp_dir("kappa_file");
  const std::string path =
      dir + "/" + ph3mpi::io::kappa_filename(layout.mesh, layout.sigma, layout.sigma_cutoff_width);
  {
    KappaFile file(path, layout);
    // Two blocks of grid points, as two ranks would write them (the second first).
    const std::size_t split = r.num_gp / 2;
    for (auto [g0, g1] : {std::pair<std::size_t, std::size_t>{split, r.num_gp}, {0, split}}) {
      file.write_rows("frequency", g0, rows_of(r.frequency, 0, g0, g1));
      file.write_rows("group_velocity", g0, rows_of(r.group_velocity, 0, g0, g1));
      file.write_rows("gv_by_gv", g0, rows_of(gvgv, 0, g0, g1));
      file.write_rows("heat_capacity", g0, rows_of(r.heat_capacity, 1, g0, g1));
      file.write_rows("mode_kappa", g0, rows_of(out.mode_kappa, 1, g0, g1));
      file.write_rows("gamma", g0, rows_of(r.gamma, 1, g0, g1));
      if (c.is_isotope) file.write_rows("gamma_isotope", g0, rows_of(r.gamma_isotope, 0, g0, g1));
      if (c.is_N_U) {
        file.write_rows("gamma_N", g0, rows_of(r.gamma_N, 1, g0, g1));
        file.write_rows("gamma_U", g0, rows_of(r.gamma_U, 1, g0, g1));
      }
      file.write_rows("qpoint", g0, rows_of(r.qpoint, 0, g0, g1));
      file.write_rows("weight", g0, rows_of(r.weight, g0, g1));
      file.write_rows("grid_point", g0, rows_of(r.grid_point, g0, g1));
    }
    file.write_whole("kappa", out.kappa);
    EXPECT_THROW(file.write_rows("kappa", 0, out.kappa), ph3mpi::Hdf5Error);
    EXPECT_THROW(file.write_rows("gv_by_gv", r.num_gp, rows_of(gvgv, 0, 0, 1)), ph3mpi::Hdf5Error);
    EXPECT_THROW(file.write_rows("mean_free_path", 0, r.frequency), ph3mpi::Hdf5Error);
  }

  expect_same_structure(path, ph3mpi::test::data_path(c.case_name + "/reference/" + c.kappa_file));

  // Numbers read back: copies are exact, kernel results within the kernel's tolerance.
  const Hdf5File ours(path);
  const Hdf5File ref(ph3mpi::test::data_path(c.case_name + "/reference/" + c.kappa_file));
  for (const std::string& name : ours.list_datasets()) {
    SCOPED_TRACE(name);
    if (name == "version") {
      EXPECT_EQ(ours.read_strings(name), std::vector<std::string>{PH3MPI_VERSION});
    } else if (ours.kind(name) == Hdf5Kind::kInteger) {
      EXPECT_EQ(ours.read_int(name).data, ref.read_int(name).data);
    } else if (name == "kappa" || name == "mode_kappa" || name == "gv_by_gv" ||
               name == "kappa_unit_conversion") {
      EXPECT_LE(max_rel_deviation(ours.read_double(name).data, ref.read_double(name).data), 1e-12);
    } else {
      EXPECT_EQ(ours.read_double(name).data, ref.read_double(name).data);
    }
  }
  std::filesystem::remove_all(dir);
}

INSTANTIATE_TEST_SUITE_P(PhonopyReference, KappaFileReference, ::testing::ValuesIn(rta_cases()),
                         [](const ::testing::TestParamInfo<KappaCase>& param_info) {
                           std::string name = param_info.param.case_name + "_" + param_info.param.kappa_file;
                           for (char& ch : name)
                             if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
                           return name;
                         });

// The LBTE hook: phono3py's LBTE files (ir and reducible collision matrix) rewritten from
// their own arrays through KappaFile have the same structure.
TEST(KappaFileLbte, LayoutMatchesPhono3pysLbteFiles) {
  struct LbteCase {
    std::string file;
    std::size_t num_all_grid_points;
  };
  for (const LbteCase& lc : {LbteCase{"si-pbesol/reference/kappa-lbte-m999.hdf5", 0},
                             LbteCase{"si-pbesol/reference/kappa-lbte-reducible-m555.hdf5", 125},
                             LbteCase{"aln-lda/reference/kappa-lbte-m775.hdf5", 0}}) {
    SCOPED_TRACE(lc.file);
    const std::string ref_path = ph3mpi::test::data_path(lc.file);
    const Hdf5File ref(ref_path);
    KappaFileLayout layout;
    layout.method = ph3mpi::io::KappaMethod::kLbte;
    layout.temperatures = ref.read_double("temperature").data;
    const NdArray<std::int64_t> mesh = ref.read_int("mesh");
    layout.mesh = {mesh[0], mesh[1], mesh[2]};
    layout.num_grid_points = ref.shape("grid_point")[0];
    layout.num_band = ref.shape("group_velocity")[1];
    layout.num_all_grid_points = lc.num_all_grid_points;
    layout.kappa_unit_conversion = ref.read_double_scalar("kappa_unit_conversion");

    ph3mpi::io::KappaFileData data;
    data.frequency = ref.read_double("frequency");
    data.group_velocity = ref.read_double("group_velocity");
    data.heat_capacity = ref.read_double("heat_capacity");
    data.kappa = ref.read_double("kappa");
    data.kappa_RTA = ref.read_double("kappa_RTA");
    data.mode_kappa_RTA = ref.read_double("mode_kappa_RTA");
    data.f_vector = ref.read_double("f_vector");
    data.gamma = ref.read_double("gamma");
    data.qpoint = ref.read_double("qpoint");
    data.weight = ref.read_int("weight");
    data.grid_point = ref.read_int("grid_point");

    const std::string dir = ph3mpi::test::make_temp_dir("kappa_lbte");
    const std::string path = dir + "/" + ph3mpi::io::kappa_filename(layout.mesh);
    ph3mpi::io::write_kappa_file(path, layout, data);
    expect_same_structure(path, ref_path);
    {
      const Hdf5File ours(path);
      EXPECT_EQ(ours.read_double("f_vector").data, data.f_vector.data);
      EXPECT_EQ(ours.read_double("mode_kappa_RTA").data, data.mode_kappa_RTA.data);
    }

    // A missing array is named.
    ph3mpi::io::KappaFileData partial = data;
    partial.f_vector = NdArray<double>();
    try {
      ph3mpi::io::write_kappa_file(path, layout, partial);
      ADD_FAILURE();
    } catch (const ph3mpi::Error& e) {
      EXPECT_NE(std::string(e.what()).find("lacks 'f_vector'"), std::string::npos) << e.what();
    }
    std::filesystem::remove_all(dir);
  }
}

TEST(KappaFileLayout, OptionalScalarsAndBadLayouts) {
  KappaFileLayout layout;
  layout.temperatures = {300.0};
  layout.mesh = {5, 5, 5};
  layout.num_grid_points = 10;
  layout.num_band = 6;
  layout.sigma = 0.1;
  layout.sigma_cutoff_width = 3.0;
  layout.boundary_mfp = 1000.0;
  layout.has_ave_pp = true;
  const std::string dir = ph3mpi::test::make_temp_dir("kappa_layout");
  const std::string path =
      dir + "/" + ph3mpi::io::kappa_filename(layout.mesh, layout.sigma, layout.sigma_cutoff_width);
  EXPECT_EQ(std::filesystem::path(path).filename(), "kappa-m555-s0.1-sd3.hdf5");
  { KappaFile file(path, layout); }
  const Hdf5File f(path);
  EXPECT_EQ(f.read_double_scalar("sigma"), 0.1);
  EXPECT_EQ(f.read_double_scalar("sigma_cutoff_width"), 3.0);
  EXPECT_EQ(f.read_double_scalar("boundary_mfp"), 1000.0);
  EXPECT_EQ(f.shape("ave_pp"), (std::vector<std::size_t>{10, 6}));
  EXPECT_EQ(f.shape("sigma"), std::vector<std::size_t>{});
  std::filesystem::remove_all(dir);

  KappaFileLayout bad = layout;
  bad.temperatures.clear();
  EXPECT_THROW(ph3mpi::io::kappa_dataset_specs(bad), ph3mpi::Error);
  bad = layout;
  bad.num_all_grid_points = 125;  // RTA has no reducible rows
  EXPECT_THROW(ph3mpi::io::kappa_dataset_specs(bad), ph3mpi::Error);
}

}  // namespace
