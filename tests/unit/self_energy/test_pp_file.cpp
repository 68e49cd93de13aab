// The interaction-strength file of write_pp / read_pp (io/pp_file.hpp): round trip of
// ph3mpi's layout, phono3py's packed layout (nonzero_pp + g_zero bits), and the checks
// that refuse a file written for another grid point, mesh or band selection.
#include <gtest/gtest.h>

#include <filesystem>

#include "../interaction/test_interaction_fixture.hpp"
#include "ph3mpi/common/error.hpp"
#include "ph3mpi/io/hdf5_file.hpp"
#include "ph3mpi/io/pp_file.hpp"

namespace ph3mpi::io {
namespace {

const std::vector<std::int64_t> kBands = {0, 1, 2, 3, 4, 5};

PpFile reference_file(std::int64_t gp) {
  const auto& ref = interaction::testing::load_grid_point("si-pbesol", gp);
  PpFile f;
  f.pp = ref.pp_g_zero;
  f.g_zero = NdArray<std::int64_t>(f.pp.shape);
  for (std::size_t i = 0; i < f.g_zero.size(); ++i) f.g_zero[i] = ref.g_zero_tetrahedron[i];
  f.triplets = ref.triplets;
  f.weights = ref.weights;
  f.grid_point = gp;
  f.band_indices = kBands;
  f.mesh = {9, 9, 9};
  return f;
}

// The InputError message of read_pp_file, or "" when it succeeds; check_pp_file (the
// same checks without reading the interaction) must give the same message.
std::string read_error(const std::string& path, std::int64_t gp,
                       const std::vector<interaction::Triplet>& triplets,
                       const std::vector<std::int64_t>& bands, std::size_t nb) {
  std::string read_message, check_message;
  try {
    read_pp_file(path, gp, triplets, bands, nb);
  } catch (const InputError& e) {
    read_message = e.what();
  }
  try {
    check_pp_file(path, gp, triplets, bands, nb);
  } catch (const InputError& e) {
    check_message = e.what();
  }
  EXPECT_EQ(check_message, read_message);
  return read_message;
}

TEST(PpFile, NameAsPhono3py) {
  EXPECT_EQ(pp_filename({9, 9, 9}, 105), "pp-m999-g105.hdf5");
  EXPECT_EQ(pp_filename({19, 19, 19}, 0), "pp-m191919-g0.hdf5");
}

TEST(PpFile, RoundTripAndDatasetNames) {
  const std::string dir = test::make_temp_dir("pp_file");
  const std::string path = dir + "/" + pp_filename({9, 9, 9}, 105);
  const PpFile written = reference_file(105);
  write_pp_file(path, written);
  EXPECT_FALSE(std::filesystem::exists(path + ".tmp"));
  const PpFile read = read_pp_file(path, 105, written.triplets, kBands, 6);
  EXPECT_NO_THROW(check_pp_file(path, 105, written.triplets, kBands, 6));
  EXPECT_EQ(read.pp.shape, written.pp.shape);
  EXPECT_EQ(read.pp.data, written.pp.data);  // bit for bit
  EXPECT_EQ(read.g_zero.data, written.g_zero.data);
  EXPECT_EQ(read.weights, written.weights);
  EXPECT_EQ(read.grid_point, 105);
  EXPECT_EQ(read.mesh, (std::array<std::int64_t, 3>{9, 9, 9}));
  const Hdf5File f(path);
  for (const char* name :
       {"pp", "g_zero", "triplet", "weight", "grid_point", "band_indices", "mesh", "version"}) {
    EXPECT_TRUE(f.exists(name)) << name;
  }
  EXPECT_TRUE(f.dataset_info("pp").gzip);
  // Without g_zero (every element computed) there is no g_zero dataset.
  PpFile full = written;
  full.g_zero = {};
  write_pp_file(path, full);
  EXPECT_FALSE(Hdf5File(path).exists("g_zero"));
  EXPECT_EQ(read_pp_file(path, 105, written.triplets, kBands, 6).g_zero.size(), 0u);
  std::filesystem::remove_all(dir);
}

TEST(PpFile, RefusesFilesOfAnotherGridPointMeshOrBands) {
  const std::string dir = test::make_temp_dir("pp_file_bad");
  const std::string path = dir + "/pp-m999-g105.hdf5";
  const PpFile written = reference_file(105);
  write_pp_file(path, written);
  const auto& other = interaction::testing::load_grid_point("si-pbesol", 2);
  EXPECT_NE(
      read_error(path, 105, other.triplets, kBands, 6)
          .find("interaction strength has shape (365, 6, 6, 6), but grid point 105 needs (85, 6, 6, 6)"),
      std::string::npos);
  EXPECT_NE(read_error(path, 106, written.triplets, kBands, 6).find("holds grid point 105, not 106"),
            std::string::npos);
  auto shuffled = written.triplets;
  std::swap(shuffled[3], shuffled[4]);
  EXPECT_NE(read_error(path, 105, shuffled, kBands, 6).find("its triplets differ"), std::string::npos);
  EXPECT_NE(read_error(path, 105, written.triplets, {5, 4, 3, 2, 1, 0}, 6).find("other band_indices"),
            std::string::npos);
  EXPECT_NE(read_error(path, 105, written.triplets, {0, 1, 2}, 6).find("needs (365, 3, 6, 6)"),
            std::string::npos);
  EXPECT_NE(read_error(dir + "/pp-m999-g7.hdf5", 7, written.triplets, kBands, 6).find("not found"),
            std::string::npos);
  {
    Hdf5File empty(dir + "/empty.hdf5", Hdf5File::Mode::kTruncate);
    empty.write_scalar("grid_point", std::int64_t{105});
  }
  EXPECT_NE(read_error(dir + "/empty.hdf5", 105, written.triplets, kBands, 6).find("no interaction strength"),
            std::string::npos);
  std::filesystem::remove_all(dir);
}

TEST(PpFile, ReadsPhono3pysPackedLayout) {
  // write_pp_to_hdf5 with g_zero: nonzero_pp, pp_shape and numpy.packbits of g_zero
  // (most significant bit first), the last size % 8 elements in a byte of their own.
  const std::vector<std::size_t> shape = {3, 1, 2, 2};  // 12 elements: 8 in g_zero_bits, 4 in the reminder
  const std::vector<std::int64_t> g_zero = {1, 0, 0, 1, 1, 1, 0, 0, /**/ 0, 1, 0, 1};
  std::vector<double> nonzero;
  NdArray<double> expected(shape, 0.0);
  for (std::size_t i = 0; i < g_zero.size(); ++i) {
    if (g_zero[i] == 0) {
      expected[i] = 0.5 + static_cast<double>(i);
      nonzero.push_back(expected[i]);
    }
  }
  const std::string dir = test::make_temp_dir("pp_file_packed");
  const std::string path = dir + "/pp-m999-g4.hdf5";
  {
    Hdf5File f(path, Hdf5File::Mode::kTruncate);
    NdArray<double> nz({nonzero.size()});
    nz.data = nonzero;
    f.write("nonzero_pp", nz);
    NdArray<std::int64_t> s({4});
    s.data = {3, 1, 2, 2};
    f.write("pp_shape", s);
    NdArray<std::int64_t> bits({1});
    bits.data = {0b10011100};
    f.write("g_zero_bits", bits);
    NdArray<std::int64_t> rem({1});
    rem.data = {0b01010000};
    f.write("g_zero_bits_reminder", rem);
  }
  const std::vector<interaction::Triplet> triplets(3, interaction::Triplet{4, 0, 0});
  const PpFile read = read_pp_file(path, 4, triplets, {0}, 2);
  EXPECT_NO_THROW(check_pp_file(path, 4, triplets, {0}, 2));
  EXPECT_NE(read_error(path, 4, {triplets[0]}, {0}, 2).find("interaction strength has shape (3, 1, 2, 2)"),
            std::string::npos);
  EXPECT_EQ(read.pp.shape, shape);
  EXPECT_EQ(read.pp.data, expected.data);
  EXPECT_EQ(read.g_zero.data, g_zero);
  EXPECT_EQ(read.grid_point, -1);  // phono3py does not store it
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace ph3mpi::io
