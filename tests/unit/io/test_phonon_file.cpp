// phono3py's phonon-m<mesh>.hdf5 (--write-phonon / --read-phonon): reading files phono3py
// wrote (tests/data/si-pbesol/runs), matching their rows to a BZ grid by grid address,
// refusing files of another grid, band count or with missing, repeated or non-finite rows,
// and reading back what ph3mpi writes.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <functional>
#include <limits>
#include <numeric>
#include <random>

#include "ph3mpi/common/error.hpp"
#include "ph3mpi/io/hdf5_file.hpp"
#include "ph3mpi/io/phonon_file.hpp"
#include "test_support.hpp"

namespace ph3mpi::io {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

// The parts of phono3py's BZ grid that the matching uses, from reference/grid.hdf5.
grid::BZGrid reference_grid(const std::string& group, bool regular) {
  const Hdf5File f(test::data_path("si-pbesol/reference/grid.hdf5"));
  grid::BZGrid g;
  const NdArray<std::int64_t> d = f.read_int(group + "/D_diag");
  g.D_diag = grid::Vector3l(d[0], d[1], d[2]);
  const NdArray<std::int64_t> a = f.read_int(group + "/addresses");
  for (std::size_t i = 0; i < a.shape[0]; ++i) g.addresses.emplace_back(a[3 * i], a[3 * i + 1], a[3 * i + 2]);
  g.is_regular_mesh = regular;
  const auto matrix = [&f](const std::string& name) {
    const NdArray<std::int64_t> m = f.read_int(name);
    grid::Matrix3l out;
    for (int i = 0; i < 3; ++i)
      for (int j = 0; j < 3; ++j) out(i, j) = m[static_cast<std::size_t>(3 * i + j)];
    return out;
  };
  g.P = matrix(group + "/P");
  g.Q = matrix(group + "/Q");
  g.grid_matrix = regular ? grid::Matrix3l(g.D_diag.asDiagonal()) : matrix(group + "/grid_matrix");
  return g;
}

std::string run_file(const std::string& run, const std::string& name) {
  return test::data_path("si-pbesol/runs/" + run + "/" + name);
}

TEST(PhononFile, ReadsPhono3pyFileOfRegularMesh) {
  const std::string path = run_file("si-rta-m999", "phonon-m999.hdf5");
  const PhononFileReader reader(path);
  const PhononFileHeader& h = reader.header();
  EXPECT_EQ(h.mesh, (std::array<std::int64_t, 3>{9, 9, 9}));
  EXPECT_EQ(h.num_band, 6u);
  EXPECT_EQ(reader.num_rows(), 765u);
  EXPECT_FALSE(h.grid_matrix.has_value());
  ASSERT_TRUE(h.ir_grid_points.has_value());
  EXPECT_EQ(h.ir_grid_points->size(), 35u);
  const grid::BZGrid g = reference_grid("m999", true);
  const std::vector<std::int64_t> rows = match_phonon_file_rows(path, h, g, 6);
  // phono3py writes BZ order.
  std::vector<std::int64_t> identity(rows.size());
  std::iota(identity.begin(), identity.end(), 0);
  EXPECT_EQ(rows, identity);
  NdArray<double> f;
  NdArray<std::complex<double>> e;
  reader.read_rows(100, 3, f, e);
  const Hdf5File whole(path);
  const NdArray<double> all_f = whole.read_double("frequency");
  const NdArray<std::complex<double>> all_e = whole.read_complex("eigenvector");
  ASSERT_EQ(f.shape, (std::vector<std::size_t>{3, 6}));
  ASSERT_EQ(e.shape, (std::vector<std::size_t>{3, 6, 6}));
  for (std::size_t i = 0; i < f.size(); ++i) EXPECT_EQ(f[i], all_f[100 * 6 + i]);
  for (std::size_t i = 0; i < e.size(); ++i) EXPECT_EQ(e[i], all_e[100 * 36 + i]);
}

TEST(PhononFile, ReadsPhono3pyFileOfGeneralizedRegularGrid) {
  const std::string path = run_file("si-rta-grg-m30", "phonon-m61212.hdf5");
  const PhononFileReader reader(path);
  ASSERT_TRUE(reader.header().grid_matrix.has_value());
  const grid::BZGrid g = reference_grid("grg_mesh30", false);
  EXPECT_EQ(*reader.header().grid_matrix, g.grid_matrix);
  EXPECT_EQ(match_phonon_file_rows(path, reader.header(), g, 6).size(), g.addresses.size());
  // The same file for a regular mesh of the same D_diag is refused.
  grid::BZGrid regular = g;
  regular.is_regular_mesh = true;
  try {
    match_phonon_file_rows(path, reader.header(), regular, 6);
    FAIL() << "accepted";
  } catch (const InputError& e) {
    EXPECT_THAT(e.what(), HasSubstr("generalized regular grid"));
  }
  grid::BZGrid other = g;
  other.grid_matrix(0, 0) = 6;
  try {
    match_phonon_file_rows(path, reader.header(), other, 6);
    FAIL() << "accepted";
  } catch (const InputError& e) {
    EXPECT_THAT(e.what(), HasSubstr("grid_matrix [[-6, 6, 6], [6, -6, 6], [6, 6, -6]] in the file"));
  }
}

// A phonon file with the rows of `source` in the order `order`, optionally edited.
std::string write_variant(const std::string& source, const std::string& name,
                          const std::vector<std::size_t>& order,
                          const std::function<void(NdArray<std::int64_t>&, NdArray<double>&)>& edit = {}) {
  const Hdf5File in(source);
  NdArray<std::int64_t> address = in.read_int("grid_address");
  NdArray<double> frequency = in.read_double("frequency");
  NdArray<std::complex<double>> eigenvector = in.read_complex("eigenvector");
  const std::size_t nb = frequency.shape[1];
  NdArray<std::int64_t> a({order.size(), 3});
  NdArray<double> f({order.size(), nb});
  NdArray<std::complex<double>> e({order.size(), nb, nb});
  for (std::size_t r = 0; r < order.size(); ++r) {
    std::copy_n(&address[3 * order[r]], 3, &a[3 * r]);
    std::copy_n(&frequency[nb * order[r]], nb, &f[nb * r]);
    std::copy_n(&eigenvector[nb * nb * order[r]], nb * nb, &e[nb * nb * r]);
  }
  if (edit) edit(a, f);
  const std::string path = (fs::path(test::make_temp_dir("phonon_file")) / name).string();
  Hdf5File out(path, Hdf5File::Mode::kTruncate);
  out.write("mesh", in.read_int("mesh"));
  out.write("grid_address", a);
  out.write("frequency", f);
  out.write("eigenvector", e);
  return path;
}

TEST(PhononFile, RowsAreMatchedByGridAddressNotPosition) {
  const std::string source = run_file("si-rta-m999", "phonon-m999.hdf5");
  std::vector<std::size_t> order(765);
  std::iota(order.begin(), order.end(), 0);
  std::shuffle(order.begin(), order.end(), std::mt19937(7));
  const std::string path = write_variant(source, "phonon-m999.hdf5", order);
  const PhononFileReader reader(path);
  const std::vector<std::int64_t> rows =
      match_phonon_file_rows(path, reader.header(), reference_grid("m999", true), 6);
  for (std::size_t r = 0; r < order.size(); ++r) EXPECT_EQ(rows[r], static_cast<std::int64_t>(order[r]));
}

void expect_refused(const std::string& path, std::size_t num_band, const std::string& message) {
  try {
    const PhononFileReader reader(path);
    match_phonon_file_rows(path, reader.header(), reference_grid("m999", true), num_band);
    NdArray<double> f;
    NdArray<std::complex<double>> e;
    reader.read_rows(0, reader.num_rows(), f, e);
    FAIL() << "accepted " << path;
  } catch (const InputError& e) {
    EXPECT_THAT(e.what(), HasSubstr(path));
    EXPECT_THAT(e.what(), HasSubstr(message));
  }
}

TEST(PhononFile, RefusesFilesThatDoNotDescribeThisRun) {
  const std::string source = run_file("si-rta-m999", "phonon-m999.hdf5");
  std::vector<std::size_t> all(765);
  std::iota(all.begin(), all.end(), 0);
  expect_refused(source, 12, "6 bands in the file, but the crystal has 12");
  expect_refused(run_file("si-rta-m888", "phonon-m888.hdf5"), 6,
                 "mesh (8, 8, 8) in the file, but this run's grid is (9, 9, 9)");
  std::vector<std::size_t> missing(all.begin(), all.end() - 1);
  expect_refused(write_variant(source, "missing.hdf5", missing), 6,
                 ") is missing: the file has 764 rows, the grid 765 BZ grid points");
  std::vector<std::size_t> twice = all;
  twice.back() = 0;
  expect_refused(write_variant(source, "twice.hdf5", twice), 6, "grid address (0, 0, 0) appears twice");
  expect_refused(write_variant(source, "foreign.hdf5", all,
                               [](NdArray<std::int64_t>& a, NdArray<double>&) { a[3 * 5] = 40; }),
                 6, "row 5: grid address (40, ");
  expect_refused(write_variant(source, "nan.hdf5", all,
                               [](NdArray<std::int64_t>&, NdArray<double>& f) {
                                 f[6 * 17 + 2] = std::numeric_limits<double>::quiet_NaN();
                               }),
                 6, "non-finite frequency or eigenvector in row 17");
}

TEST(PhononFile, RefusesMissingDatasetsAndWrongShapes) {
  const std::string dir = test::make_temp_dir("phonon_file_layout");
  const std::string no_eig = (fs::path(dir) / "no-eigenvector.hdf5").string();
  {
    Hdf5File f(no_eig, Hdf5File::Mode::kTruncate);
    f.write("mesh", NdArray<std::int64_t>({3}, 9));
    f.write("grid_address", NdArray<std::int64_t>({2, 3}, 0));
    f.write("frequency", NdArray<double>({2, 6}, 1.0));
  }
  EXPECT_THROW(
      {
        try {
          PhononFileReader r(no_eig);
        } catch (const InputError& e) {
          EXPECT_THAT(e.what(), HasSubstr("no dataset 'eigenvector'"));
          throw;
        }
      },
      InputError);
  const std::string bad_shape = (fs::path(dir) / "bad-shape.hdf5").string();
  {
    Hdf5File f(bad_shape, Hdf5File::Mode::kTruncate);
    f.write("mesh", NdArray<std::int64_t>({3}, 9));
    f.write("grid_address", NdArray<std::int64_t>({2, 3}, 0));
    f.write("frequency", NdArray<double>({2, 6}, 1.0));
    f.write("eigenvector", NdArray<std::complex<double>>({2, 6, 5}));
  }
  try {
    PhononFileReader r(bad_shape);
    FAIL() << "accepted";
  } catch (const InputError& e) {
    EXPECT_THAT(e.what(), HasSubstr("dataset 'eigenvector' has shape (2, 6, 5), expected (2, 6, 6)"));
  }
}

TEST(PhononFile, WrittenFileReadsBackBitForBit) {
  const grid::BZGrid g = reference_grid("grg_mesh30", false);
  const std::size_t n = g.addresses.size();
  const std::size_t nb = 6;
  std::mt19937 rng(3);
  std::normal_distribution<double> normal;
  std::vector<double> f(n * nb);
  std::vector<std::complex<double>> e(n * nb * nb);
  for (double& x : f) x = normal(rng);
  for (auto& z : e) z = {normal(rng), normal(rng)};
  PhononFileContent content;
  content.mesh = {6, 12, 12};
  content.bz_grid = &g;
  content.num_band = nb;
  content.frequency = f.data();
  content.eigenvector = e.data();
  content.ir_grid_points = {0, 1};
  content.ir_grid_weights = {1, 863};
  const std::string dir = test::make_temp_dir("phonon_file_write");
  const std::string path = write_phonon_file(dir, content);
  EXPECT_EQ(fs::path(path).filename(), "phonon-m61212.hdf5");
  const PhononFileReader reader(path);
  EXPECT_EQ(*reader.header().grid_matrix, g.grid_matrix);
  EXPECT_EQ(*reader.header().P, g.P);
  EXPECT_EQ(*reader.header().Q, g.Q);
  const std::vector<std::int64_t> rows = match_phonon_file_rows(path, reader.header(), g, nb);
  NdArray<double> rf;
  NdArray<std::complex<double>> re;
  reader.read_rows(0, n, rf, re);
  for (std::size_t r = 0; r < n; ++r) {
    ASSERT_EQ(rows[r], static_cast<std::int64_t>(r));
    for (std::size_t b = 0; b < nb; ++b) ASSERT_EQ(rf[r * nb + b], f[r * nb + b]);
    for (std::size_t k = 0; k < nb * nb; ++k) ASSERT_EQ(re[r * nb * nb + k], e[r * nb * nb + k]);
  }
  // Same datasets, shapes and kinds as phono3py's own file of this grid.
  const Hdf5File ours(path);
  const Hdf5File theirs(run_file("si-rta-grg-m30", "phonon-m61212.hdf5"));
  for (const std::string name : {"mesh", "grid_matrix", "P_matrix", "Q_matrix", "grid_address", "frequency",
                                 "eigenvector", "ir_grid_points", "ir_grid_weights", "version"}) {
    ASSERT_TRUE(ours.exists(name)) << name;
    EXPECT_EQ(ours.kind(name), theirs.kind(name)) << name;
    if (name != "ir_grid_points" && name != "ir_grid_weights" && name != "version") {
      EXPECT_EQ(ours.shape(name), theirs.shape(name)) << name;
    }
  }
}

}  // namespace
}  // namespace ph3mpi::io
