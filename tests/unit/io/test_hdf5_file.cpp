#include <gtest/gtest.h>

#include <filesystem>

#include "ph3mpi/common/error.hpp"
#include "ph3mpi/io/hdf5_file.hpp"
#include "test_support.hpp"

using ph3mpi::io::Hdf5File;

TEST(Hdf5File, ReadsReferenceDatasets) {
  Hdf5File f(ph3mpi::test::data_path("si-pbesol/fc2.hdf5"));
  auto fc = f.read_double("force_constants");
  ASSERT_EQ(fc.shape, (std::vector<std::size_t>{2, 64, 3, 3}));
  auto p2s = f.read_int("p2s_map");
  EXPECT_EQ(p2s.size(), 2u);
  EXPECT_EQ(p2s[0], 0);
  // The on-site force constant of the first atom is positive on the diagonal (a stable crystal).
  EXPECT_GT(fc[0], 0.0);
}

TEST(Hdf5File, ReadsComplexEigenvectors) {
  Hdf5File f(ph3mpi::test::data_path("si-pbesol/reference/phonons.hdf5"));
  auto ev = f.read_complex("grid/eigenvectors");
  ASSERT_EQ(ev.shape.size(), 3u);
  EXPECT_EQ(ev.shape[1], 6u);
  // Eigenvector columns are normalised.
  double norm = 0;
  for (std::size_t i = 0; i < 6; ++i) norm += std::norm(ev[i * 6 + 3]);
  EXPECT_NEAR(norm, 1.0, 1e-12);
}

TEST(Hdf5File, MissingFileAndDatasetNameTheProblem) {
  try {
    Hdf5File f("/nonexistent/fc2.hdf5");
    FAIL();
  } catch (const ph3mpi::InputError& e) {
    EXPECT_NE(std::string(e.what()).find("/nonexistent/fc2.hdf5: file not found"), std::string::npos);
  }
  Hdf5File f(ph3mpi::test::data_path("si-pbesol/fc2.hdf5"));
  EXPECT_THROW(f.read_double("no_such"), ph3mpi::InputError);
  EXPECT_THROW(f.read_double("p2s_map"), ph3mpi::InputError);  // integer read as float
}

TEST(Hdf5File, WriteReadRoundTrip) {
  auto dir = ph3mpi::test::make_temp_dir("h5");
  std::string path = dir + "/x.hdf5";
  {
    Hdf5File f(path, Hdf5File::Mode::kTruncate);
    ph3mpi::NdArray<double> a({2, 3});
    for (std::size_t i = 0; i < a.size(); ++i) a[i] = 0.5 * static_cast<double>(i);
    f.write("group/a", a);
    f.write_scalar("s", std::int64_t{7});
    f.write_string("name", "ph3mpi");
    f.write_attribute("group/a", "unit", "THz");
  }
  Hdf5File f(path);
  auto a = f.read_double("group/a");
  EXPECT_EQ(a.shape, (std::vector<std::size_t>{2, 3}));
  EXPECT_DOUBLE_EQ(a[5], 2.5);
  EXPECT_EQ(f.read_int_scalar("s"), 7);
  EXPECT_EQ(f.read_strings("name").at(0), "ph3mpi");
  std::filesystem::remove_all(dir);
}
