// phono3py's per-grid-point gamma files (io/gamma_file): names as phono3py builds them, a
// round trip, phono3py's own file read, and every mismatch check_gamma_file names.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "ph3mpi/common/error.hpp"
#include "ph3mpi/io/gamma_file.hpp"
#include "ph3mpi/io/hdf5_file.hpp"
#include "test_support.hpp"

namespace {

namespace fs = std::filesystem;
using ph3mpi::NdArray;
using ph3mpi::io::GammaFile;
using ph3mpi::io::GammaFileExpectation;

GammaFile sample(std::size_t nt, std::size_t nb) {
  GammaFile f;
  f.temperatures = nt == 1 ? std::vector<double>{300} : std::vector<double>{300, 600};
  f.mesh = {8, 8, 8};
  f.grid_point = 109;
  auto filled = [](std::vector<std::size_t> shape, double base) {
    NdArray<double> a(std::move(shape));
    for (std::size_t i = 0; i < a.size(); ++i) a.data[i] = base + 0.25 * static_cast<double>(i);
    return a;
  };
  f.frequency = filled({nb}, 1);
  f.group_velocity = filled({nb, 3}, 2);
  f.gv_by_gv = filled({nb, 6}, 3);
  f.heat_capacity = filled({nt, nb}, 4);
  f.gamma = filled({nt, nb}, 5);
  f.gamma_isotope = filled({nb}, 6);
  f.sigma = 0.1;
  f.sigma_cutoff = 3;
  f.kappa_unit_conversion = 6.358;
  return f;
}

std::string expect_mismatch(const GammaFile& f, const GammaFileExpectation& e) {
  try {
    ph3mpi::io::check_gamma_file(f, e, "kappa-m888-g109-s0.1-sd3.hdf5");
  } catch (const ph3mpi::InputError& error) {
    return error.what();
  }
  ADD_FAILURE() << "no mismatch found";
  return "";
}

TEST(GammaFile, NamesAsPhono3py) {
  EXPECT_EQ(ph3mpi::io::gamma_filename({8, 8, 8}, 109, std::nullopt, std::nullopt), "kappa-m888-g109.hdf5");
  EXPECT_EQ(ph3mpi::io::gamma_filename({8, 8, 8}, 0, std::nullopt, 3.0), "kappa-m888-g0.hdf5");
  EXPECT_EQ(ph3mpi::io::gamma_filename({11, 11, 5}, 7, 0.1, 3.0), "kappa-m11115-g7-s0.1-sd3.hdf5");
}

TEST(GammaFile, RoundTripAndChecks) {
  const fs::path dir = ph3mpi::test::make_temp_dir("gamma-file");
  const std::string path = (dir / "kappa-m888-g109-s0.1-sd3.hdf5").string();
  const GammaFile written = sample(2, 6);
  ph3mpi::io::write_gamma_file(path, written);
  const GammaFile f = ph3mpi::io::read_gamma_file(path);
  EXPECT_EQ(f.temperatures, written.temperatures);
  EXPECT_EQ(f.mesh, written.mesh);
  EXPECT_EQ(f.grid_point, 109);
  EXPECT_EQ(f.gamma.shape, (std::vector<std::size_t>{2, 6}));
  EXPECT_EQ(f.gamma.data, written.gamma.data);
  ASSERT_TRUE(f.gamma_isotope);
  EXPECT_EQ(f.gamma_isotope->data, written.gamma_isotope->data);
  EXPECT_FALSE(f.gamma_N);
  EXPECT_EQ(f.sigma, 0.1);
  EXPECT_EQ(f.sigma_cutoff, 3.0);
  {
    const ph3mpi::io::Hdf5File h(path);
    EXPECT_EQ(h.dataset_info("grid_point").shape, std::vector<std::size_t>{});
    EXPECT_TRUE(h.dataset_info("gamma").gzip);
    EXPECT_FALSE(h.dataset_info("gv_by_gv").gzip);
  }

  GammaFileExpectation e;
  e.mesh = {8, 8, 8};
  e.temperatures = {300, 600};
  e.grid_point = 109;
  e.sigma = 0.1;
  e.sigma_cutoff = 3;
  e.num_band = 6;
  EXPECT_NO_THROW(ph3mpi::io::check_gamma_file(f, e, path));
  GammaFileExpectation bad = e;
  bad.mesh = {9, 9, 9};
  EXPECT_NE(expect_mismatch(f, bad).find("mesh: [8 8 8] in the file, [9 9 9] in this run"),
            std::string::npos);
  bad = e;
  bad.temperatures = {300};
  EXPECT_NE(expect_mismatch(f, bad).find("temperatures (K): [300 600] in the file, [300] in this run"),
            std::string::npos);
  bad = e;
  bad.grid_point = 110;
  EXPECT_NE(expect_mismatch(f, bad).find("grid point: 109 in the file, 110 in this run"), std::string::npos);
  bad = e;
  bad.sigma.reset();
  EXPECT_NE(expect_mismatch(f, bad).find("sigma (THz; none = tetrahedron method): 0.1 in the file, none"),
            std::string::npos);
  bad = e;
  bad.sigma_cutoff = 4;
  EXPECT_NE(expect_mismatch(f, bad).find("sigma_cutoff_width: 3 in the file, 4 in this run"),
            std::string::npos);
  bad = e;
  bad.num_band = 9;
  EXPECT_NE(expect_mismatch(f, bad).find("shape of gamma (temperatures, bands): (2, 6) in the file, (2, 9)"),
            std::string::npos);
  bad = e;
  bad.needs_gamma_N_U = true;
  EXPECT_NE(expect_mismatch(f, bad).find("needs gamma_N and gamma_U"), std::string::npos);
  fs::remove_all(dir);
}

TEST(GammaFile, ReadsPhono3pysFile) {
  const std::string path =
      ph3mpi::test::data_path("si-pbesol/runs/si-rta-write-gamma-m888/kappa-m888-g109.hdf5");
  const GammaFile f = ph3mpi::io::read_gamma_file(path);
  EXPECT_EQ(f.version, "4.4.0");
  EXPECT_EQ(f.grid_point, 109);
  EXPECT_EQ(f.temperatures, (std::vector<double>{300, 600}));
  EXPECT_EQ(f.gamma.shape, (std::vector<std::size_t>{2, 6}));
  EXPECT_EQ(f.gv_by_gv.shape, (std::vector<std::size_t>{6, 6}));
  EXPECT_FALSE(f.sigma);
  EXPECT_GT(f.kappa_unit_conversion, 0);
  EXPECT_THROW(ph3mpi::io::read_gamma_file(ph3mpi::test::data_path("si-pbesol/fc2.hdf5")),
               ph3mpi::InputError);
}

}  // namespace
