// The output files of the grid-point modes (io/grid_point_files.hpp): names, the datasets
// each writer makes (and only those), values bit for bit, and the refusal of arrays whose
// shape does not match the lists, with nothing left behind.
#include <gtest/gtest.h>

#include <filesystem>
#include <limits>

#include "ph3mpi/common/error.hpp"
#include "ph3mpi/io/finite_check.hpp"
#include "ph3mpi/io/grid_point_files.hpp"
#include "ph3mpi/io/hdf5_file.hpp"
#include "test_support.hpp"

namespace ph3mpi::io {
namespace {

namespace fs = std::filesystem;

// An array of `shape` with distinct values (first, first + 1, ...), so that an axis mix-up shows.
NdArray<double> ramp(std::vector<std::size_t> shape, double first) {
  NdArray<double> a(std::move(shape));
  for (std::size_t i = 0; i < a.size(); ++i) a.data[i] = first + 0.25 * static_cast<double>(i);
  return a;
}

class GridPointFilesTest : public ::testing::Test {
 protected:
  void SetUp() override { dir_ = test::make_temp_dir("grid_point_files"); }
  void TearDown() override { fs::remove_all(dir_); }
  std::string path(const std::string& name) const { return (fs::path(dir_) / name).string(); }
  // Only `name` in the folder (no temporary folder or file left).
  void expect_only(const std::string& name) const {
    std::vector<std::string> entries;
    for (const auto& e : fs::directory_iterator(dir_)) entries.push_back(e.path().filename().string());
    EXPECT_EQ(entries, std::vector<std::string>{name});
  }
  std::string dir_;
};

IseFile ise_data(bool everything) {
  IseFile d;
  d.grid_points = {105, 2, 105};
  d.band_indices = {1, 4};
  d.temperatures = {0.0, 300.0};
  d.methods = {true, {0.1}};
  d.frequency = ramp({3, 2}, 1.0);
  d.gamma = ramp({2, 2, 3, 2}, 2.0);
  if (everything) {
    d.gamma_N = ramp({2, 2, 3, 2}, 3.0);
    d.gamma_U = ramp({2, 2, 3, 2}, 4.0);
    d.ave_pp = ramp({3, 2}, 5.0);
    d.frequency_points = {0.0, 1.0, 2.0, 3.0};
    d.gamma_at_frequency_points = ramp({2, 2, 3, 2, 4}, 6.0);
  }
  return d;
}

TEST_F(GridPointFilesTest, NamesAsPhono3py) {
  EXPECT_EQ(grid_point_filename("ise", {9, 9, 9}), "ise-m999.hdf5");
  EXPECT_EQ(grid_point_filename("jdos", {7, 7, 5}), "jdos-m775.hdf5");
  EXPECT_EQ(grid_point_filename("isotope", {19, 19, 19}), "isotope-m191919.hdf5");
}

TEST_F(GridPointFilesTest, IseFileWithEveryPart) {
  const IseFile d = ise_data(true);
  write_ise_file(path("ise-m999.hdf5"), d);
  expect_only("ise-m999.hdf5");
  const Hdf5File f(path("ise-m999.hdf5"));
  EXPECT_EQ(f.list_datasets(),
            (std::vector<std::string>{"ave_pp", "band_indices", "frequency", "frequency_points", "gamma",
                                      "gamma_N", "gamma_U", "gamma_at_frequency_points", "grid_point",
                                      "sigma", "temperature", "tetrahedron"}));
  EXPECT_EQ(f.read_int("grid_point").data, d.grid_points);
  EXPECT_EQ(f.read_int("band_indices").data, d.band_indices);
  EXPECT_EQ(f.read_double("temperature").data, d.temperatures);
  EXPECT_EQ(f.read_int_scalar("tetrahedron"), 1);
  EXPECT_EQ(f.read_double("sigma").data, std::vector<double>{0.1});
  for (const auto& [name, array] : std::vector<std::pair<std::string, const NdArray<double>*>>{
           {"frequency", &d.frequency},
           {"gamma", &d.gamma},
           {"gamma_N", &*d.gamma_N},
           {"gamma_U", &*d.gamma_U},
           {"ave_pp", &*d.ave_pp},
           {"gamma_at_frequency_points", &d.gamma_at_frequency_points}}) {
    const NdArray<double> read = f.read_double(name);
    EXPECT_EQ(read.shape, array->shape) << name;
    EXPECT_EQ(read.data, array->data) << name;
  }
  EXPECT_EQ(f.read_double("frequency_points").data, d.frequency_points);
}

TEST_F(GridPointFilesTest, IseFileWithoutOptionalParts) {
  IseFile d = ise_data(false);
  d.methods = {true, {}};
  d.gamma = ramp({1, 2, 3, 2}, 2.0);  // the tetrahedron method only
  write_ise_file(path("ise-m999.hdf5"), d);
  EXPECT_EQ(Hdf5File(path("ise-m999.hdf5")).list_datasets(),
            (std::vector<std::string>{"band_indices", "frequency", "gamma", "grid_point", "temperature",
                                      "tetrahedron"}));
}

TEST_F(GridPointFilesTest, RefusesMismatchedShapesAndWritesNothing) {
  IseFile d = ise_data(true);
  d.gamma = ramp({2, 2, 2, 2}, 0.0);  // two grid points, three listed
  EXPECT_THROW(write_ise_file(path("ise-m999.hdf5"), d), Error);
  d = ise_data(true);
  d.gamma_U.reset();
  EXPECT_THROW(write_ise_file(path("ise-m999.hdf5"), d), Error);
  d = ise_data(true);
  d.frequency_points.push_back(4.0);
  EXPECT_THROW(write_ise_file(path("ise-m999.hdf5"), d), Error);
  IsotopeFile iso;
  iso.grid_points = {2};
  iso.band_indices = {0, 1};
  iso.methods = {false, {0.1, 0.2}};
  iso.frequency = ramp({1, 2}, 0.0);
  iso.gamma = ramp({1, 1, 2}, 0.0);  // one method, two given
  EXPECT_THROW(write_isotope_file(path("isotope-m999.hdf5"), iso), Error);
  EXPECT_TRUE(fs::is_empty(dir_));
}

TEST_F(GridPointFilesTest, RefusesNonFiniteValues) {
  IseFile d = ise_data(false);
  d.gamma.data[3] = std::numeric_limits<double>::quiet_NaN();
  EXPECT_THROW(write_ise_file(path("ise-m999.hdf5"), d), NonFiniteResultError);
  EXPECT_TRUE(fs::is_empty(dir_));
}

TEST_F(GridPointFilesTest, RseFile) {
  RseFile d;
  d.grid_points = {105, 2};
  d.band_indices = {0, 5};
  d.temperatures = {300.0};
  d.epsilons = {0.05, 0.1};
  d.frequency = ramp({2, 2}, 1.0);
  d.delta = ramp({2, 1, 2, 2}, 2.0);
  write_rse_file(path("rse-m999.hdf5"), d);
  EXPECT_EQ(Hdf5File(path("rse-m999.hdf5")).list_datasets(),
            (std::vector<std::string>{"band_indices", "delta", "epsilon", "frequency", "grid_point",
                                      "temperature"}));
  d.frequency_points = {0.0, 0.5, 1.0};
  d.delta_at_frequency_points = ramp({2, 1, 2, 2, 3}, 3.0);
  write_rse_file(path("rse-m999.hdf5"), d);  // replaces the file
  const Hdf5File f(path("rse-m999.hdf5"));
  EXPECT_EQ(f.read_double("delta").data, d.delta.data);
  EXPECT_EQ(f.read_double("delta_at_frequency_points").data, d.delta_at_frequency_points.data);
  EXPECT_EQ(f.read_double("frequency_points").data, d.frequency_points);
  EXPECT_EQ(f.read_double("epsilon").data, d.epsilons);
  expect_only("rse-m999.hdf5");
}

TEST_F(GridPointFilesTest, JdosFilePlainAndWeighted) {
  JdosFile d;
  d.grid_points = {105, 2};
  d.methods = {true, {0.1}};
  d.frequency = ramp({2, 6}, 1.0);
  d.frequency_points = {0.0, 1.0, 2.0};
  d.joint_dos = ramp({2, 1, 2, 3, 2}, 2.0);  // plain: one "temperature" row
  write_jdos_file(path("jdos-m999.hdf5"), d);
  EXPECT_FALSE(Hdf5File(path("jdos-m999.hdf5")).exists("temperature"));
  d.temperatures = {300.0, 600.0};
  EXPECT_THROW(write_jdos_file(path("jdos-m999.hdf5"), d), Error);  // joint_dos still has one row
  d.joint_dos = ramp({2, 2, 2, 3, 2}, 2.0);
  write_jdos_file(path("jdos-m999.hdf5"), d);
  const Hdf5File f(path("jdos-m999.hdf5"));
  EXPECT_EQ(f.read_double("temperature").data, d.temperatures);
  EXPECT_EQ(f.read_double("joint_dos").data, d.joint_dos.data);
  EXPECT_EQ(f.read_double("frequency").shape, (std::vector<std::size_t>{2, 6}));
}

TEST_F(GridPointFilesTest, IsotopeFile) {
  IsotopeFile d;
  d.grid_points = {2, 105};
  d.band_indices = {2, 3};
  d.mass_variances = {2e-4, 3e-4};
  d.methods = {false, {0.1, 0.2}};
  d.frequency = ramp({2, 2}, 1.0);
  d.gamma = ramp({2, 2, 2}, 2.0);
  write_isotope_file(path("isotope-m999.hdf5"), d);
  const Hdf5File f(path("isotope-m999.hdf5"));
  EXPECT_EQ(f.list_datasets(), (std::vector<std::string>{"band_indices", "frequency", "gamma", "grid_point",
                                                         "mass_variances", "sigma", "tetrahedron"}));
  EXPECT_EQ(f.read_int_scalar("tetrahedron"), 0);
  EXPECT_EQ(f.read_double("mass_variances").data, d.mass_variances);
  EXPECT_EQ(f.read_double("gamma").data, d.gamma.data);
}

}  // namespace
}  // namespace ph3mpi::io
