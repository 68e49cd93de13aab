#include <gtest/gtest.h>

#include <hdf5.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <string>

#include "ph3mpi/common/error.hpp"
#include "ph3mpi/common/units.hpp"
#include "ph3mpi/io/force_constants.hpp"
#include "ph3mpi/io/hdf5_file.hpp"
#include "test_support.hpp"

using ph3mpi::NdArray;
using ph3mpi::io::ForceConstants;
using ph3mpi::io::Hdf5File;
using ph3mpi::io::read_fc2;
using ph3mpi::io::read_fc3;
using ph3mpi::test::data_path;

namespace {

const std::vector<std::int64_t> kSiP2s = {0, 32};

bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

// Runs `read` and returns the InputError message; fails the test when none is thrown
// or when the message does not start with the file name.
template <typename F>
std::string error_of(const std::string& path, F read) {
  try {
    read();
  } catch (const ph3mpi::InputError& e) {
    EXPECT_EQ(e.file(), path);
    EXPECT_EQ(std::string(e.what()).rfind(path + ": ", 0), 0u) << e.what();
    return e.what();
  }
  ADD_FAILURE() << "no InputError for " << path;
  return "";
}

NdArray<double> fc3_block(std::size_t rows, std::size_t n, double fill = 0.0) {
  return NdArray<double>({rows, n, n, 3, 3, 3}, fill);
}

NdArray<std::int64_t> ints(std::vector<std::int64_t> v) {
  NdArray<std::int64_t> a({v.size()});
  a.data = std::move(v);
  return a;
}

}  // namespace

TEST(ForceConstants, SiliconCompactFc3) {
  ForceConstants fc = read_fc3(data_path("si-pbesol/fc3.hdf5"), 64, kSiP2s);
  EXPECT_EQ(fc.fc.shape, (std::vector<std::size_t>{2, 64, 64, 3, 3, 3}));
  EXPECT_TRUE(fc.is_compact);
  EXPECT_TRUE(fc.has_p2s_map_in_file);
  EXPECT_EQ(fc.p2s_map, kSiP2s);
  EXPECT_FALSE(fc.has_nonzero_indices);
  EXPECT_FALSE(fc.fc3_cutoff.has_value());
  // fc3[1, 5, 9, :, :, :] and fc3[0, 1, 2, 0, 1, 2] as h5py reads them.
  const std::size_t block = ((1 * 64 + 5) * 64 + 9) * 27;
  EXPECT_EQ(fc.fc[block + 0], 0.008303731308715923);
  EXPECT_EQ(fc.fc[block + 1], 0.0021453877940374256);
  EXPECT_EQ(fc.fc[block + 3], -0.015060772448179058);
  EXPECT_EQ(fc.fc[((0 * 64 + 1) * 64 + 2) * 27 + 0 * 9 + 1 * 3 + 2], -0.00044806705699492377);
}

TEST(ForceConstants, SiliconFullRowsEqualCompactRows) {
  ForceConstants compact = read_fc3(data_path("si-pbesol/fc3.hdf5"), 64, kSiP2s);
  ForceConstants full = read_fc3(data_path("si-pbesol/fc3-full.hdf5"), 64, kSiP2s);
  EXPECT_FALSE(full.is_compact);
  EXPECT_EQ(full.fc.shape, (std::vector<std::size_t>{64, 64, 64, 3, 3, 3}));
  const std::size_t row = 64 * 64 * 27;
  for (std::size_t p = 0; p < kSiP2s.size(); ++p) {
    const double* c = compact.fc.ptr() + p * row;
    const double* f = full.fc.ptr() + static_cast<std::size_t>(kSiP2s[p]) * row;
    std::size_t differ = 0;
    for (std::size_t k = 0; k < row; ++k) differ += c[k] != f[k];
    EXPECT_EQ(differ, 0u) << "compact row " << p << " vs full row " << kSiP2s[p];
  }

  ForceConstants fc2 = read_fc2(data_path("si-pbesol/fc2.hdf5"), 64, kSiP2s);
  ForceConstants fc2_full = read_fc2(data_path("si-pbesol/fc2-full.hdf5"), 64, kSiP2s);
  EXPECT_TRUE(fc2.is_compact);
  EXPECT_FALSE(fc2_full.is_compact);
  EXPECT_EQ(fc2.physical_unit, "eV/angstrom^2");
  EXPECT_EQ(fc2.fc.shape, (std::vector<std::size_t>{2, 64, 3, 3}));
  EXPECT_EQ(fc2.fc[(1 * 64 + 7) * 9 + 0], -3.232736151041664);
  EXPECT_EQ(fc2.fc[(1 * 64 + 7) * 9 + 1], -2.2756983333333323);
  EXPECT_EQ(fc2.fc[0], 13.227338015625);
  for (std::size_t p = 0; p < 2; ++p) {
    for (std::size_t k = 0; k < 64 * 9; ++k) {
      ASSERT_EQ(fc2.fc[p * 64 * 9 + k], fc2_full.fc[static_cast<std::size_t>(kSiP2s[p]) * 64 * 9 + k]);
    }
  }
}

TEST(ForceConstants, MgONonzeroIndicesAndPhononSupercell) {
  ForceConstants fc = read_fc3(data_path("mgo/fc3.hdf5"), 64, {0, 32});
  ASSERT_TRUE(fc.has_nonzero_indices);
  EXPECT_EQ(fc.fc3_nonzero_indices.shape, (std::vector<std::size_t>{2, 64, 64}));
  ASSERT_TRUE(fc.fc3_cutoff.has_value());
  EXPECT_EQ(*fc.fc3_cutoff, 4.0);
  std::size_t ones = 0;
  double max_in_zero_blocks = 0.0;
  for (std::size_t b = 0; b < fc.fc3_nonzero_indices.size(); ++b) {
    ones += fc.fc3_nonzero_indices[b] == 1;
    if (fc.fc3_nonzero_indices[b] == 0) {
      for (std::size_t k = 0; k < 27; ++k)
        max_in_zero_blocks = std::max(max_in_zero_blocks, std::abs(fc.fc[b * 27 + k]));
    }
  }
  EXPECT_EQ(ones, 686u);  // numpy: fc3_nonzero_indices.sum()
  EXPECT_EQ(max_in_zero_blocks, 0.0);
  EXPECT_EQ(fc.fc3_nonzero_indices[0], 1);
  EXPECT_EQ(fc.fc3_nonzero_indices[1], 0);
  EXPECT_EQ(fc.fc3_nonzero_indices[8], 1);
  EXPECT_EQ(fc.fc[((1 * 64 + 5) * 64 + 9) * 27 + 1], -0.02815346944841552);

  ForceConstants fc2 = read_fc2(data_path("mgo/fc2.hdf5"), 512, {0, 256});
  EXPECT_EQ(fc2.fc.shape, (std::vector<std::size_t>{2, 512, 3, 3}));
  EXPECT_EQ(fc2.fc[(1 * 512 + 7) * 9], 0.10741768749978557);
  EXPECT_EQ(fc2.fc[(0 * 512 + 511) * 9 + 2 * 3 + 1], 0.05482376337675491);
  // fc2 of the phonon supercell (512 atoms) is not the fc3 supercell (64 atoms).
  std::string e = error_of(data_path("mgo/fc2.hdf5"), [] {
    read_fc2(data_path("mgo/fc2.hdf5"), 64, {0, 32});
  });
  EXPECT_TRUE(contains(e, "has shape (2, 512, 3, 3), expected (N, N, 3, 3) or (n_prim, N, 3, 3) with N = 64"))
      << e;
}

TEST(ForceConstants, HeaderThenReadIntoCallerBuffer) {
  auto h = ph3mpi::io::inspect_force_constants(data_path("si-pbesol/fc3.hdf5"), 3, 64, kSiP2s);
  EXPECT_EQ(h.dataset, "fc3");
  EXPECT_EQ(h.element_count(), 2u * 64 * 64 * 27);
  std::vector<double> buffer(h.element_count());
  ph3mpi::io::read_force_constants_into(data_path("si-pbesol/fc3.hdf5"), h, buffer.data());
  EXPECT_EQ(buffer[((1 * 64 + 5) * 64 + 9) * 27], 0.008303731308715923);
}

TEST(ForceConstants, BadFilesNameFileAndProblem) {
  const std::string dir = ph3mpi::test::make_temp_dir("fc");
  const std::vector<std::int64_t> p2s = {0, 2};

  // Missing, empty, not HDF5, truncated.
  std::string missing = dir + "/missing.hdf5";
  EXPECT_TRUE(contains(error_of(missing, [&] { read_fc3(missing, 4, p2s); }), "file not found"));
  std::string empty = dir + "/empty.hdf5";
  std::ofstream(empty).close();
  EXPECT_TRUE(contains(error_of(empty, [&] { read_fc3(empty, 4, p2s); }), "file is empty"));
  std::string text = dir + "/text.hdf5";
  std::ofstream(text) << "fc3 = 1.0\n";
  EXPECT_TRUE(contains(error_of(text, [&] { read_fc3(text, 4, p2s); }), "not an HDF5 file"));
  std::string truncated = dir + "/truncated.hdf5";
  {
    std::ifstream in(data_path("si-pbesol/fc3.hdf5"), std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::ofstream(truncated, std::ios::binary) << bytes.substr(0, bytes.size() / 2);
  }
  std::string e = error_of(truncated, [&] { read_fc3(truncated, 64, kSiP2s); });
  EXPECT_TRUE(contains(e, "truncated")) << e;

  // Missing dataset.
  std::string no_fc3 = dir + "/no_fc3.hdf5";
  {
    Hdf5File f(no_fc3, Hdf5File::Mode::kTruncate);
    f.write("p2s_map", ints(p2s));
  }
  e = error_of(no_fc3, [&] { read_fc3(no_fc3, 4, p2s); });
  EXPECT_TRUE(contains(e, "no 'fc3' dataset: not an fc3.hdf5 file (datasets: p2s_map)")) << e;
  e = error_of(no_fc3, [&] { read_fc2(no_fc3, 4, p2s); });
  EXPECT_TRUE(contains(e, "no 'force_constants' (or 'fc2') dataset")) << e;

  // Integer and single-precision dtypes.
  std::string int_fc3 = dir + "/int.hdf5";
  {
    Hdf5File f(int_fc3, Hdf5File::Mode::kTruncate);
    f.write("fc3", NdArray<std::int64_t>({2, 4, 4, 3, 3, 3}, 0));
  }
  e = error_of(int_fc3, [&] { read_fc3(int_fc3, 4, p2s); });
  EXPECT_TRUE(contains(e, "dataset 'fc3' holds 64-bit integers; force constants must be 64-bit floats")) << e;
  std::string float_fc2 = dir + "/float32.hdf5";
  {
    Hdf5File f(float_fc2, Hdf5File::Mode::kTruncate);
    hsize_t dims[4] = {2, 4, 3, 3};
    std::vector<float> zeros(2 * 4 * 9, 0.0f);
    hid_t space = H5Screate_simple(4, dims, nullptr);
    hid_t d = H5Dcreate2(f.id(), "fc2", H5T_NATIVE_FLOAT, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    H5Dwrite(d, H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL, H5P_DEFAULT, zeros.data());
    H5Dclose(d);
    H5Sclose(space);
  }
  e = error_of(float_fc2, [&] { read_fc2(float_fc2, 4, p2s); });
  EXPECT_TRUE(contains(e, "dataset 'fc2' holds 32-bit floats")) << e;

  // Wrong rank, wrong supercell size, compact rows of another primitive cell.
  std::string rank5 = dir + "/rank5.hdf5";
  {
    Hdf5File f(rank5, Hdf5File::Mode::kTruncate);
    f.write("fc3", NdArray<double>({2, 4, 4, 3, 3}, 0.0));
  }
  e = error_of(rank5, [&] { read_fc3(rank5, 4, p2s); });
  EXPECT_TRUE(contains(e, "dataset 'fc3' has shape (2, 4, 4, 3, 3) (rank 5), expected (N, N, N, 3, 3, 3)"))
      << e;
  std::string small = dir + "/small.hdf5";
  {
    Hdf5File f(small, Hdf5File::Mode::kTruncate);
    f.write("fc3", fc3_block(2, 4));
    f.write("p2s_map", ints({0, 1}));
  }
  e = error_of(small, [&] { read_fc3(small, 8, {0, 4}); });
  EXPECT_TRUE(contains(e, "has shape (2, 4, 4, 3, 3, 3), expected")) << e;
  EXPECT_TRUE(contains(e, "N = 8 supercell atoms")) << e;
  e = error_of(small, [&] { read_fc3(small, 4, {0, 1, 2}); });
  EXPECT_TRUE(contains(e, "n_prim = 3")) << e;
  // Compact file whose p2s_map is not the primitive cell's.
  e = error_of(small, [&] { read_fc3(small, 4, p2s); });
  EXPECT_TRUE(contains(e, "p2s_map in file [0, 1] differs from the primitive cell's [0, 2]")) << e;

  // NaN and Inf values: how many and where the first is.
  std::string nan = dir + "/nan.hdf5";
  {
    NdArray<double> a = fc3_block(2, 4, 0.5);
    a[((1 * 4 + 2) * 4 + 3) * 27 + 5] = std::numeric_limits<double>::quiet_NaN();
    a[a.size() - 1] = std::numeric_limits<double>::infinity();
    Hdf5File f(nan, Hdf5File::Mode::kTruncate);
    f.write("fc3", a);
    f.write("p2s_map", ints(p2s));
  }
  e = error_of(nan, [&] { read_fc3(nan, 4, p2s); });
  EXPECT_TRUE(contains(e, "dataset 'fc3' has 2 NaN/Inf value(s), the first at index (1, 2, 3, 0, 1, 2)"))
      << e;

  // fc3_nonzero_indices of the wrong shape; fc2 in an unknown unit.
  std::string bad_nz = dir + "/bad_nz.hdf5";
  {
    Hdf5File f(bad_nz, Hdf5File::Mode::kTruncate);
    f.write("fc3", fc3_block(2, 4));
    f.write("fc3_nonzero_indices", NdArray<std::int64_t>({2, 4, 3}, 1));
  }
  e = error_of(bad_nz, [&] { read_fc3(bad_nz, 4, p2s); });
  EXPECT_TRUE(contains(e, "'fc3_nonzero_indices' has shape (2, 4, 3), expected (2, 4, 4)")) << e;
  std::string unit = dir + "/unit.hdf5";
  {
    Hdf5File f(unit, Hdf5File::Mode::kTruncate);
    f.write("force_constants", NdArray<double>({4, 4, 3, 3}, 1.0));
    f.write_string("physical_unit", "kcal/mol/A^2");
  }
  e = error_of(unit, [&] { read_fc2(unit, 4, p2s); });
  EXPECT_TRUE(contains(e, "physical_unit 'kcal/mol/A^2' is not one phonopy knows")) << e;
  std::filesystem::remove_all(dir);
}

TEST(ForceConstants, Fc2DatasetNameAndUnitConversion) {
  const std::string dir = ph3mpi::test::make_temp_dir("fc2");
  std::string path = dir + "/fc2.hdf5";
  {
    Hdf5File f(path, Hdf5File::Mode::kTruncate);
    f.write("fc2", NdArray<double>({4, 4, 3, 3}, 2.0));
    f.write_string("physical_unit", "Ry/au^2");
  }
  ForceConstants fc = read_fc2(path, 4, {0, 2});
  EXPECT_FALSE(fc.is_compact);
  EXPECT_FALSE(fc.has_p2s_map_in_file);
  EXPECT_EQ(fc.p2s_map, (std::vector<std::int64_t>{0, 2}));
  // phonopy: Rydberg / Bohr^2 eV/Angstrom^2 per Ry/au^2 (Rydberg = Hartree / 2).
  const double factor = ph3mpi::units::kHartree / 2 / (ph3mpi::units::kBohr * ph3mpi::units::kBohr);
  EXPECT_DOUBLE_EQ(fc.fc[17], 2.0 * factor);
  EXPECT_NEAR(factor, 48.58, 0.01);
  std::filesystem::remove_all(dir);
}
